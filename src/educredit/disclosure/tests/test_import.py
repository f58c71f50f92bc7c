"""The 双公示 spreadsheet import: a county clerk's file of penalties → submitted records.

GBK CSV with bad rows, XLSX with Chinese headers in any order, re-import updating drafts,
unreadable files; the bulk path gives the same records as the per-row one.
"""

from __future__ import annotations

import functools
import io
import random
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from educredit.accounts.models import Organisation
from educredit.audit.canonical import row_digest
from educredit.audit.models import AuditBulkMember, AuditEntry
from educredit.catalog.tests.factories import shipped_catalog
from educredit.disclosure import imports
from educredit.disclosure import national as n
from educredit.disclosure.models import Decision, DecisionImportError, DecisionImportRun
from educredit.disclosure.tests.rows import BUREAU_USCC, penalty_row
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource, CreditRecordStatus
from educredit.records.models import CreditRecord, CreditRecordTransition
from educredit.records.tests.factories import make_reviewer
from educredit.subjects.choices import ImportStatus
from educredit.subjects.tests.factories import make_institution, uscc

pytestmark = pytest.mark.django_db

DECIDED = "2026-11-02"
CODES = [f.code for f in n.PENALTY_FIELDS]


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def seed_catalog(county: Organisation) -> Any:
    """The shipped catalog, and the county bureau's credit code (the rows' issuing body)."""
    Organisation.objects.filter(pk=county.pk).update(uscc=BUREAU_USCC)
    return shipped_catalog()


def make_schools(county: Organisation) -> list[Any]:
    """Ten registered institutions of the county, the rows' parties."""
    return [
        make_institution(supervisor=county, name=f"中原区第{i}培训学校", serial=500 + i)
        for i in range(10)
    ]


@pytest.fixture
def catalog(county: Organisation) -> Any:
    return seed_catalog(county)


@pytest.fixture
def schools(county: Organisation) -> list[Any]:
    return make_schools(county)


def good_row(i: int, schools: list[Any]) -> dict[str, str]:
    school = schools[i % len(schools)]
    return penalty_row(
        CF_XDR_MC=school.name,
        CF_XDR_SHXYM=school.uscc,
        CF_WSH=f"郑中教罚〔2026〕{i + 1}号",
        CF_JDRQ=DECIDED,
        CF_YXQ="2027-11-02",
    )


# Ten bad rows at these positions (0-based), each with its own fault, and the code it names.
FAULTS: dict[int, tuple[dict[str, str], str, str]] = {
    7: ({"CF_CFJGDM": "11410102005566778B"}, "CF_CFJGDM", "校验"),
    23: ({"CF_WSH": ""}, "CF_WSH", "必填"),
    41: ({"CF_JDRQ": "2026-13-45"}, "CF_JDRQ", "日期"),
    58: ({"CF_CFLB": "警告;没收房屋"}, "CF_CFLB", "第九条"),
    77: ({"CF_NR_FK": ""}, "CF_NR_FK", "罚款"),
    96: ({"CF_XDR_SHXYM": uscc(9999, "410102")}, "CF_XDR_MC", "尚未登记"),
    115: ({"CF_NR_FK": "1.1234567"}, "CF_NR_FK", "小数"),
    134: ({"CF_JDRQ": "2099-01-01", "CF_YXQ": "2099-12-31"}, "CF_JDRQ", "晚于今天"),
    153: ({"CF_WSH": "郑中教罚〔2026〕" + "长" * 115 + "号"}, "CF_WSH", "过长"),
    # A second row with row 2's document number and body (row 2 is file row 2+1 = 3).
    172: ({"CF_WSH": "郑中教罚〔2026〕2号"}, "CF_WSH", "第 3 行"),
}


def penalty_rows(schools: list[Any], count: int = 200) -> list[dict[str, str]]:
    rows = []
    for i in range(count):
        row = good_row(i, schools)
        if i in FAULTS:
            row.update(FAULTS[i][0])
        rows.append(row)
    return rows


def csv_bytes(header: list[str], rows: list[dict[str, str]], encoding: str) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(code, "") for code in CODES])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(
    clerk: Any, content: bytes, filename: str, capture: Any, **options: Any
) -> DecisionImportRun:
    with capture(execute=True):
        run = imports.decision_import_start(
            actor=clerk, kind="penalty", upload=SimpleUploadedFile(filename, content), **options
        )
    run.refresh_from_db()
    return run


def test_a_gbk_csv_of_200_penalties_with_10_bad_rows(
    catalog: Any,
    schools: list[Any],
    county_clerk: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = csv_bytes(CODES, penalty_rows(schools), "gbk")
    run = upload(county_clerk, content, "处罚决定.csv", django_capture_on_commit_callbacks)

    assert run.status == ImportStatus.FINISHED, run.error_message
    assert run.encoding == "gb18030"
    assert (run.total_rows, run.processed_rows, run.ok_rows, run.failed_rows) == (200, 200, 190, 10)
    submitted = CreditRecord.objects.filter(status=CreditRecordStatus.SUBMITTED)
    assert submitted.count() == 190 == CreditRecord.objects.count()
    assert set(submitted.values_list("source", flat=True)) == {CreditRecordSource.IMPORT}
    assert set(submitted.values_list("catalog_item__code", flat=True)) == {"JY-CF-02"}
    assert Decision.objects.filter(record__in=submitted, last_operation="").count() == 190

    errors = {e.row_number: e for e in DecisionImportError.objects.filter(run=run)}
    assert set(errors) == {i + 2 for i in FAULTS}  # the header is row 1
    for i, (_, code, words) in FAULTS.items():
        error = errors[i + 2]
        assert error.code == code, (i, error.reason)
        assert words in error.reason and "/" in error.reason, error.reason

    # The error report repeats the bad rows with their number and reasons.
    handle = io.BytesIO()
    imports.write_error_report(run, handle)
    handle.seek(0)
    sheet = load_workbook(handle, read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0][-2:]) == ["原行号", "错误原因"]
    assert [line[-2] for line in lines[1:]] == sorted(errors)
    assert run.file.name == ""  # the uploaded file is gone; errors stay, encrypted


def test_the_good_rows_then_go_through_review(
    catalog: Any, schools: list[Any], county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = csv_bytes(CODES, penalty_rows(schools, 3), "utf-8-sig")
    upload(county_clerk, content, "a.csv", django_capture_on_commit_callbacks)
    record = CreditRecord.objects.order_by("pk").first()
    assert record is not None
    reviewer = make_reviewer(organisation=county_clerk.organisation)
    records.credit_record_approve(actor=reviewer, record=record)
    decision = Decision.objects.get(record=record)
    assert decision.last_operation == "add" and decision.version == 1


def test_xlsx_with_chinese_headers_in_any_order(
    catalog: Any, schools: list[Any], county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = penalty_rows(schools, 12)
    order = CODES[:]
    random.Random(4).shuffle(order)
    header = [n.FIELDS_BY_CODE["penalty"][code].name for code in order]
    header[order.index("CF_CFJGDM")] = "*处罚机关统一社会信用代码"  # a required-mark as people add
    body = [[row.get(code, "") for code in order] for row in rows]
    run = upload(
        county_clerk, xlsx_bytes(header, body), "处罚.xlsx", django_capture_on_commit_callbacks
    )
    assert run.status == ImportStatus.FINISHED, run.error_message
    assert (run.ok_rows, run.failed_rows) == (11, 1)  # row index 7 carries a bad code
    record = CreditRecord.objects.get(decision_number="郑中教罚〔2026〕1号")
    assert record.institution == schools[0]
    assert record.payload["fine_amount"] == "3.5"


def test_reimport_updates_drafts_and_refuses_what_is_under_review_or_effective(
    catalog: Any, schools: list[Any], county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rows = penalty_rows(schools, 3)
    upload(
        county_clerk, csv_bytes(CODES, rows, "utf-8"), "a.csv", django_capture_on_commit_callbacks
    )
    first, second, third = CreditRecord.objects.order_by("pk")
    reviewer = make_reviewer(organisation=county_clerk.organisation)
    records.credit_record_return(actor=reviewer, record=first, reason="罚款金额有误")
    records.credit_record_approve(actor=reviewer, record=second)

    rows[0]["CF_NR_FK"] = "2.5"
    rows[0]["CF_XDR_GSZC"] = "410100000012345"
    # The other two say something else than their records: refused (the same: "already
    # imported", see test_import_resume).
    rows[1]["CF_NR_FK"] = rows[2]["CF_NR_FK"] = "4.5"
    run = upload(
        county_clerk, csv_bytes(CODES, rows, "utf-8"), "b.csv", django_capture_on_commit_callbacks
    )

    assert (run.ok_rows, run.updated_rows, run.failed_rows, run.existing_rows) == (0, 1, 2, 0)
    assert CreditRecord.objects.count() == 3
    first.refresh_from_db()
    assert first.status == CreditRecordStatus.SUBMITTED
    assert first.payload["fine_amount"] == "2.5"
    assert Decision.objects.get(record=first).extra["CF_XDR_GSZC"] == "410100000012345"
    reasons = {e.row_number: e.reason for e in run.row_errors.all()}
    assert "请使用更正" in reasons[3] and "use correction" in reasons[3]
    assert "等待审核" in reasons[4]
    assert third.status == CreditRecordStatus.SUBMITTED


@pytest.mark.parametrize(
    ("content", "filename", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00", "a.csv", "无法读取"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "无法读取"),
        ("名称,地址\r\n甲,乙\r\n".encode("gbk"), "a.csv", "缺少必填列"),
        (b"", "a.csv", "文件为空"),  # refused by the upload check (core.uploads)
    ],
)
def test_a_file_that_cannot_be_read_fails_clearly_and_writes_nothing(
    catalog: Any,
    county_clerk: Any,
    content: bytes,
    filename: str,
    words: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = upload(county_clerk, content, filename, django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED
    assert words in run.error_message
    assert not CreditRecord.objects.exists()
    assert not run.row_errors.exists()


def test_only_csv_and_xlsx_are_accepted(catalog: Any, county_clerk: Any) -> None:
    with pytest.raises(imports.ImportStartError):
        imports.decision_import_start(
            actor=county_clerk, kind="penalty", upload=SimpleUploadedFile("a.xls", b"x")
        )
    assert not DecisionImportRun.objects.exists()


def _snapshot(record: CreditRecord) -> tuple[Any, ...]:
    decision = Decision.objects.get(record=record)
    transitions = [
        (t.from_status, t.to_status, t.actor_id, t.actor_label)
        for t in CreditRecordTransition.objects.filter(record=record).order_by("pk")
    ]
    return (
        record.catalog_item_id,
        record.institution_id,
        record.person_id,
        record.organisation_id,
        record.status,
        record.severity,
        record.title,
        record.decision_number,
        record.issuing_body,
        record.issuing_body_uscc,
        record.decision_date,
        record.procedure,
        record.payload,
        record.source,
        record.public_from,
        record.public_until,
        record.repair_allowed_from,
        record.window_rule,
        record.created_by_id,
        decision.kind,
        decision.document_number,
        decision.issuing_body_uscc,
        decision.version,
        decision.decision_date,
        decision.deadline,
        decision.deadline_provisional,
        decision.organisation_id,
        {k: v for k, v in decision.extra.items() if not isinstance(v, dict)},
        tuple(transitions),
    )


def test_the_bulk_path_gives_the_same_records_as_the_per_row_path(
    catalog: Any, schools: list[Any], county_clerk: Any
) -> None:
    rows = penalty_rows(schools, 200)
    header = CODES
    numbered = [(i + 2, [row.get(code, "") for code in CODES]) for i, row in enumerate(rows)]
    rejected: dict[str, list[tuple[int, str, str]]] = {"row": [], "bulk": []}
    snapshots: dict[str, list[tuple[Any, ...]]] = {}
    for path in ("row", "bulk"):
        summary = imports.import_rows(
            actor=county_clerk,
            kind="penalty",
            header=header,
            rows=numbered,
            bulk=path == "bulk",
            on_rejected=functools.partial(_collect, rejected[path]),
        )
        assert (summary.ok, summary.failed) == (190, 10)
        created = CreditRecord.objects.filter(pk__in=summary.record_ids).order_by("pk")
        snapshots[path] = [_snapshot(record) for record in created]
        # Out of the way, so the second path enters the same decisions afresh.
        if path == "row":
            CreditRecord.objects.filter(pk__in=summary.record_ids).update(
                decision_number=models_f_prefix()
            )
            Decision.objects.filter(record__in=summary.record_ids).update(document_number="x")
    assert rejected["row"] == rejected["bulk"]
    assert snapshots["row"] == snapshots["bulk"]
    # One bulk audit entry per table and chunk, whose members are the stored rows' digests.
    entry = AuditEntry.objects.get(action="records.bulk_import")
    assert entry.member_count == 190
    members = dict(
        AuditBulkMember.objects.filter(entry=entry).values_list("target_pk", "row_digest")
    )
    for record in CreditRecord.objects.filter(pk__in=[int(pk) for pk in members]):
        assert members[str(record.pk)] == row_digest(record)
    entry = AuditEntry.objects.get(action="disclosure.decision_bulk_prepare")
    members = dict(
        AuditBulkMember.objects.filter(entry=entry).values_list("target_pk", "row_digest")
    )
    for decision in Decision.objects.filter(pk__in=[int(pk) for pk in members]):
        assert members[str(decision.pk)] == row_digest(decision)


def _collect(
    into: list[tuple[int, str, str]], number: int, cells: list[str], problems: list[Any]
) -> None:
    into.extend((number, p.code, p.reason) for p in problems)


def models_f_prefix() -> Any:
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return Concat(Value("old-"), F("decision_number"))
