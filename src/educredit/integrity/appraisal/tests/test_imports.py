"""The spreadsheet import: good rows entered and submitted, bad rows reported (each row all or
nothing), GBK CSV and XLSX alike, the error report and the template."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.core import clock
from educredit.integrity.appraisal import imports
from educredit.integrity.appraisal.choices import EthicsAppraisalStatus as S
from educredit.integrity.appraisal.models import EthicsAppraisal
from educredit.integrity.appraisal.tests.conftest import COLLEAGUE_NUMBER, TEACHER_NUMBER
from educredit.subjects.choices import ImportStatus
from educredit.testing.spreadsheets import xlsx_bytes

pytestmark = pytest.mark.django_db

LAST_YEAR = clock.today().year - 1
HEADER = ["姓名", "证件号码", "考核年度", "考核等次", "说明"]


def _rows(teacher: Any, colleague: Any) -> list[list[Any]]:
    return [
        HEADER,
        ["王老师", TEACHER_NUMBER, LAST_YEAR, "不合格", "体罚学生，经调查属实"],
        ["赵老师", COLLEAGUE_NUMBER, LAST_YEAR, "基本合格", ""],  # the facts are missing
        ["钱老师", "410102198001010000", LAST_YEAR, "合格", ""],  # nobody of the school
        ["赵老师", COLLEAGUE_NUMBER, clock.today().year + 1, "优秀", ""],  # a future year
    ]


def _import(clerk: Any, name: str, content: bytes) -> Any:
    run = imports.appraisal_import_start(
        actor=clerk, upload=SimpleUploadedFile(name, content), enqueue=False
    )
    return imports.appraisal_import_process(run_id=run.pk)


def test_good_rows_are_submitted_and_bad_rows_reported(school_clerk, teacher, colleague):
    run = _import(school_clerk, "师德考核.xlsx", xlsx_bytes(_rows(teacher, colleague)))
    assert run.status == ImportStatus.FINISHED
    assert (run.total_rows, run.ok_rows, run.failed_rows) == (4, 1, 3)
    appraisal = EthicsAppraisal.objects.get()
    assert appraisal.teacher == teacher and appraisal.status == S.SUBMITTED
    assert appraisal.source == "import"
    errors = {e.row_number: e for e in run.row_errors.all()}
    assert set(errors) == {3, 4, 5}
    assert errors[3].column == "说明" and "事实" in errors[3].reason
    assert errors[4].column == "证件号码"
    assert errors[5].column == "考核年度" and "未来" in errors[5].reason
    assert not run.file  # identity numbers in clear are not kept


def test_a_gbk_csv_imports_the_same(school_clerk, teacher, colleague):
    lines = [",".join(str(cell) for cell in row) for row in _rows(teacher, colleague)[:2]]
    run = _import(school_clerk, "sdkh.csv", ("\r\n".join(lines) + "\r\n").encode("gbk"))
    assert (run.ok_rows, run.failed_rows) == (1, 0)
    assert EthicsAppraisal.objects.get().grade == "不合格"


def test_a_file_without_the_columns_fails_whole(school_clerk, teacher):
    run = _import(school_clerk, "bad.csv", "姓名,备注\r\n王老师,x\r\n".encode())
    assert run.status == ImportStatus.FAILED and "考核年度" in run.error_message
    assert not EthicsAppraisal.objects.exists()


def test_the_pages_upload_show_progress_and_hand_out_the_report(
    school_clerk, teacher, colleague, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = Client()
    client.force_login(school_clerk)
    template = client.get(reverse("integrity_appraisal:import_template"))
    header = next(
        load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert list(header) == HEADER
    upload = SimpleUploadedFile("师德考核.xlsx", xlsx_bytes(_rows(teacher, colleague)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrity_appraisal:import_start"), {"file": upload})
    assert response.status_code == 302
    progress = client.get(response["Location"], {"format": "json"}).json()
    assert progress["done"] and progress["ok"] == 1 and progress["failed"] == 3
    report = client.get(progress["report_url"])
    content = b"".join(report.streaming_content)  # type: ignore[attr-defined]
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == (*HEADER, "原行号", "错误原因")
    assert [row[5] for row in rows[1:]] == [3, 4, 5]
    assert rows[1][0] == "赵老师"  # the row as uploaded, to correct and upload again


def test_another_school_finds_neither_the_run_nor_its_report(school_clerk, other_clerk, teacher):
    run = _import(school_clerk, "a.xlsx", xlsx_bytes([HEADER, ["王老师", "x", LAST_YEAR, "合格"]]))
    client = Client()
    client.force_login(other_clerk)
    for name in ("import_detail", "import_errors"):
        url = reverse(f"integrity_appraisal:{name}", args=[run.public_id])
        assert client.get(url).status_code == 404


def test_rows_may_name_the_teacher_by_the_person_id(school_clerk, teacher, colleague):
    rows: list[list[Any]] = [
        ["姓名", "人员编号", "考核年度", "考核等次", "说明"],
        ["王老师", str(teacher.public_id), LAST_YEAR, "优秀", ""],
        ["王老师", str(colleague.public_id), LAST_YEAR, "合格", ""],  # not the name registered
        ["赵老师", "not-an-id", LAST_YEAR, "合格", ""],
    ]
    run = _import(school_clerk, "ids.xlsx", xlsx_bytes(rows))
    assert (run.ok_rows, run.failed_rows) == (1, 2)
    assert EthicsAppraisal.objects.get().teacher == teacher
    assert [e.column for e in run.row_errors.all()] == ["姓名", "人员编号"]
