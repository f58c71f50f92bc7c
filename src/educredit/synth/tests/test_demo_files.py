"""The demo's sample spreadsheet does what the try-this walk promises through the real import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from educredit.accounts.models import Organisation
from educredit.catalog.tests.factories import shipped_catalog
from educredit.disclosure import imports
from educredit.disclosure.models import DecisionImportError
from educredit.subjects.choices import ImportStatus
from educredit.subjects.tests.factories import make_institution
from educredit.synth.demo_files import FAULTS, penalty_sample_write

pytestmark = pytest.mark.django_db
BUREAU_USCC = "11410102005566778A"


def test_200_gbk_rows_of_which_exactly_the_10_faulty_come_back(
    county: Organisation,
    county_clerk: Any,
    tmp_path: Path,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    Organisation.objects.filter(pk=county.pk).update(uscc=BUREAU_USCC)
    shipped_catalog()
    schools = [
        make_institution(supervisor=county, name=f"中原区第{i}培训学校", serial=700 + i)
        for i in range(3)
    ]
    path = penalty_sample_write(
        tmp_path / "sample.csv",
        schools,
        bureau="郑州市中原区教育局",
        bureau_uscc=BUREAU_USCC,
        decided=dt.date(2026, 11, 25),
    )
    content = path.read_bytes()
    content.decode("gbk")  # GBK, as promised
    with django_capture_on_commit_callbacks(execute=True):
        run = imports.decision_import_start(
            actor=county_clerk,
            kind="penalty",
            upload=SimpleUploadedFile("处罚决定-示例.csv", content),
        )
    run.refresh_from_db()
    assert run.status == ImportStatus.FINISHED, run.error_message
    assert (run.total_rows, run.ok_rows, run.failed_rows) == (200, 190, 10)
    failed = sorted(
        DecisionImportError.objects.filter(run=run).values_list("row_number", flat=True)
    )
    assert failed == [20 * k + 1 for k in range(1, len(FAULTS) + 1)]  # row 1 is the header
