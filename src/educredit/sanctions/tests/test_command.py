"""``educredit sanctions seed|export``."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from educredit.sanctions import data
from educredit.sanctions.models import Measure, MeasureListVersion


@pytest.mark.django_db
def test_seed_is_idempotent_and_export_writes_a_workbook(tmp_path: Path) -> None:
    out = StringIO()
    call_command("sanctions", "seed", stdout=out)
    call_command("sanctions", "seed", stdout=out)
    assert MeasureListVersion.objects.count() == 1
    assert Measure.objects.count() == len(data.VERSION_1_MEASURES)
    target = tmp_path / "v1.xlsx"
    call_command("sanctions", "export", "1", str(target), stdout=out)
    workbook = load_workbook(target)
    sheet = workbook["措施清单"]
    assert sheet.max_row == len(data.VERSION_1_MEASURES) + 1
    header = [cell.value for cell in sheet[1]]
    assert header[3:8] == ["具体事项", "实施对象", "实施手段", "实施主体", "实施依据"]
    first = {str(header[i]): str(cell.value) for i, cell in enumerate(sheet[2])}
    assert first["措施编码"] == "JY-CJ-001" and "第十九条" in first["实施依据"]
    assert "JY-ZG-01 教师资格撤销信息" in first["触发目录条目"]
    assert workbook["业务场景"]["A2"].value == "teacher_qualification"
    with pytest.raises(CommandError):
        call_command("sanctions", "export", "9", str(target), stdout=out)
