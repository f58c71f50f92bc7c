"""``educredit catalog seed|export``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from educredit.catalog.data import VERSION_1_ITEMS
from educredit.catalog.models import CatalogVersion


@pytest.mark.django_db
def test_seed_is_idempotent_and_export_writes_a_workbook(tmp_path: Path) -> None:
    out = StringIO()
    call_command("catalog", "seed", stdout=out)
    call_command("catalog", "seed", stdout=out)
    assert CatalogVersion.objects.count() == 1
    assert f"{len(VERSION_1_ITEMS)} 个条目" in out.getvalue()
    target = tmp_path / "v1.xlsx"
    call_command("catalog", "export", "1", str(target), stdout=out)
    assert load_workbook(target)["目录"]["A2"].value == "JY-XK-01"
    with pytest.raises(CommandError):
        call_command("catalog", "export", "9", str(target), stdout=out)
