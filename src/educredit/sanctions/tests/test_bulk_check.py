"""The bulk check (批量核查, ADR 0024): files and JSON items screened as a job.

The no-drift guarantee is tested directly: every row of a result file is compared with what
the single check (``screening.screen``) answers for the same identifier.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from educredit.audit.models import AuditEntry
from educredit.audit.selectors import entry_position
from educredit.audit.sequencer import sequence_pending
from educredit.audit.verification import verify_audit_log
from educredit.core.clock import today
from educredit.records.tests.factories import make_reviewer
from educredit.rights.query_history import query_history_for
from educredit.sanctions import bulk_check, screening
from educredit.sanctions.models import BulkCheckAnswer, BulkCheckRun, ScreeningCheck
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.sanctions.tests.test_restrictions import REAPPLY, revocation
from educredit.sanctions.versions import screening_data_version
from educredit.subjects.models import Person
from educredit.subjects.tests.factories import resident_id, uscc
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

BULK = "/api/sanctions/bulk-checks"
UNKNOWN_NUMBER = resident_id(99)
SCENARIO = "teacher_qualification"
AS_OF = "2026-06-01"


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def revoked(shipped: Any, county_clerk: Any, county: Any, teacher: Any) -> Any:
    return revocation(county_clerk, make_reviewer(organisation=county), teacher)


@pytest.fixture
def system(other_county: Any) -> Any:
    """A business system of another county (screening is province-wide)."""
    api_client, key = make_api_client(
        organisation=other_county, name="教师资格认定系统", scopes=["sanctions:check"]
    )
    api_client.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}  # type: ignore[attr-defined]
    return api_client


def _bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def _rows() -> list[list[str]]:
    """统一社会信用代码, 证件类型, 证件号码, 姓名/名称 — one of each case."""
    return [
        ["", "居民身份证", TEACHER_NUMBER, "李老师"],  # restricted
        [uscc(7101), "", "", "中原区实验学校"],  # an unrelated institution: clear
        ["", "resident_id", UNKNOWN_NUMBER, ""],  # nothing held: clear, not found
        ["", "居民身份证", _bad_check_digit(TEACHER_NUMBER), ""],  # bad check digit: error
        ["", "居民身份证", TEACHER_NUMBER, "王老师"],  # name mismatch: review
        ["", "学生证", "12345", ""],  # unknown document type: error
    ]


def _csv(rows: list[list[str]], *, encoding: str = "gbk") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "证件类型", "证件号码", "姓名/名称"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def _run(caller: Any, data: bytes, name: str = "名单.csv") -> BulkCheckRun:
    run = bulk_check.bulk_check_start(
        caller=caller,
        scenario=SCENARIO,
        reference="PL-2026-01",
        as_of=datetime.date.fromisoformat(AS_OF),
        upload=_Upload(data, name),
        enqueue=False,
    )
    done = bulk_check.bulk_check_process(run_id=run.pk)
    assert done is not None
    return done


def _result(run: BulkCheckRun) -> list[dict[str, str]]:
    with run.result.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_gbk_file_with_chinese_headers_answers_as_the_single_check(
    revoked: Any, school: Any, system: Any
) -> None:
    run = _run(system, _csv(_rows()))
    assert (run.status, run.error_message, run.encoding) == ("finished", "", "gb18030")
    result = _result(run)
    assert [r["verdict"] for r in result] == [
        "restricted",
        "clear",
        "clear",
        "error",
        "review",
        "error",
    ]
    assert [r["row"] for r in result] == ["2", "3", "4", "5", "6", "7"]
    assert (
        run.restricted_count,
        run.clear_count,
        run.review_count,
        run.error_count,
        run.processed_rows,
    ) == (1, 2, 1, 2, 6)
    assert "check digit" in result[3]["reason"] or "校验" in result[3]["reason"]
    assert "/" in result[5]["reason"]  # bilingual
    restricted = result[0]
    assert restricted["measure_codes"] == "JY-CJ-001"
    assert "教师资格条例" in restricted["legal_bases"]
    assert restricted["ends_on"] == REAPPLY.isoformat()

    # No drift: each valid row says what the single check says for the same identifier.
    for values, row in zip(_rows(), result, strict=True):
        if row["verdict"] == "error":
            continue
        kind = bulk_check.DOCUMENT_TYPES.get(values[1], values[1])
        identifier = screening.identifier_from(
            uscc=values[0], document_type=kind, document_number=values[2], name=values[3]
        )
        single = screening.screen(
            caller=system,
            identifier=identifier,
            scenario=SCENARIO,
            reference="PL-2026-01",
            as_of=datetime.date.fromisoformat(AS_OF),
        )
        assert row["verdict"] == single.verdict
        assert row["name_match"] == single.name_match
        assert row["reason"] == single.reason
        assert row["subject_found"] == str(single.subject_found).lower()
        assert row["measure_codes"] == ";".join(m.code for m in single.measures)
        assert row["ends_on"] == ";".join(
            m.ends_on.isoformat() if m.ends_on else "" for m in single.measures
        )


def test_the_result_never_holds_a_full_document_number_and_the_input_is_deleted(
    revoked: Any, school: Any, system: Any
) -> None:
    run = _run(system, _csv(_rows()))
    with run.result.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    for number in (TEACHER_NUMBER, UNKNOWN_NUMBER, _bad_check_digit(TEACHER_NUMBER)):
        assert number not in text
        assert number[:6] + "********" + number[-4:] in text
    assert uscc(7101) in text  # an organisation's code is public
    assert not run.file


@pytest.mark.parametrize("workers", [1, 2])
def test_every_row_is_logged_narrowly_under_one_bulk_entry_per_batch(
    revoked: Any, school: Any, system: Any, monkeypatch: Any, settings: Any, workers: int
) -> None:
    # With two workers the rows are read and validated (and, on PostgreSQL, encoded) in
    # forked processes: the same log and the same result.
    settings.EDUCREDIT_IMPORT_WORKERS = workers
    monkeypatch.setattr(bulk_check, "BATCH_SIZE", 4)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    run = _run(system, _csv(_rows()))
    assert [r["verdict"] for r in _result(run)] == [
        "restricted",
        "clear",
        "clear",
        "error",
        "review",
        "error",
    ]
    answers = list(BulkCheckAnswer.objects.filter(run=run).order_by("row"))
    # Every row, the refused ones too (logged as refused lookups, with their reason).
    assert [(a.row, a.verdict) for a in answers] == [
        (2, "restricted"),
        (3, "clear"),
        (4, "clear"),
        (5, "error"),
        (6, "review"),
        (7, "error"),
    ]
    teacher = revoked.person_id
    assert [a.person_id for a in answers] == [teacher, None, None, None, teacher, None]
    assert answers[4].name_match == "mismatch" and answers[4].reason == "name_mismatch"
    assert "/" in answers[3].reason and answers[3].data_version is None
    assert ScreeningCheck.objects.count() == 0  # no full check row per identifier
    entries = list(AuditEntry.objects.filter(pk__gt=before).order_by("pk"))
    assert [(e.action, e.member_count) for e in entries] == [
        ("sanctions.bulk_check", 4),  # batch 1: rows 2–5
        ("sanctions.bulk_check", 2),  # batch 2: rows 6–7
        ("sanctions.bulk_check_result", 0),  # the result file, by its digest
    ]
    assert run.audit_entries == [e.pk for e in entries[:2]]
    assert run.result_entry == entries[2].pk
    with run.result.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == run.result_digest
    assert run.result_digest in entries[2].reason
    assert run.data_version == screening_data_version()
    sequence_pending()
    assert all(entry_position(e.pk) is not None for e in entries)  # sequenced like every leaf
    result = verify_audit_log()
    assert result.ok, (result.problems, result.entry_problems, result.row_problems)


def test_who_looked_at_me_shows_the_bulk_check(revoked: Any, system: Any) -> None:
    _run(system, _csv(_rows()))
    teacher = Person.objects.get(pk=revoked.person_id)
    history = query_history_for(person=teacher)
    bulk = [row for row in history if row.organisation == system.organisation.name]
    assert len(bulk) == 2  # the restricted row and the name-mismatch row
    assert {row.who for row in bulk} == {system.name}


def test_json_items_are_checked_through_the_api(
    client: Any, revoked: Any, system: Any, django_capture_on_commit_callbacks: Any
) -> None:
    items = [
        {"document_type": "resident_id", "document_number": TEACHER_NUMBER, "name": "李老师"},
        {"uscc": uscc(7101)},
    ]
    body = {"scenario": SCENARIO, "reference": "PL-1", "as_of": AS_OF, "items": items}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, body, content_type="application/json", **system.headers)
    assert response.status_code == 202, response.content
    started = response.json()
    assert TEACHER_NUMBER not in started["status_url"]
    status = client.get(started["status_url"], **system.headers).json()
    assert status["status"] == "finished", status
    assert status["counts"] == {"clear": 1, "restricted": 1, "review": 0, "reward": 0, "error": 0}
    assert len(status["result_digest"]) == 64 and status["result_entry"] is not None
    download = client.get(started["result_url"], **system.headers)
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["verdict"] for r in rows] == ["restricted", "clear"]
    assert TEACHER_NUMBER not in text


def test_an_upload_through_the_api_and_another_client_gets_404(
    client: Any, revoked: Any, school: Any, system: Any, county: Any
) -> None:
    upload = _Upload(_csv(_rows()), "list.csv")
    response = client.post(
        BULK,
        {"file": upload, "scenario": SCENARIO, "reference": "PL-2", "as_of": AS_OF},
        **system.headers,
    )
    assert response.status_code == 202, response.content
    started = response.json()
    run = BulkCheckRun.objects.get(public_id=started["id"])
    # Not yet processed (no commit in this test): the result is not ready.
    assert client.get(started["result_url"], **system.headers).status_code == 409
    bulk_check.bulk_check_process(run_id=run.pk)
    assert client.get(started["result_url"], **system.headers).status_code == 200

    _other, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    other = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(started["result_url"], **other).status_code == 404
    assert client.get(started["status_url"], **other).status_code == 404


def test_refusals(client: Any, shipped: Any, system: Any, settings: Any) -> None:
    def post_file(data: bytes, **extra: Any) -> Any:
        fields = {"scenario": SCENARIO, "reference": "PL-3", **extra}
        return client.post(BULK, {"file": _Upload(data, "x.csv"), **fields}, **system.headers)

    assert post_file(b"\xd0\xcf\x11\xe0 old excel").status_code == 415
    assert post_file(b"\x00\x01\x02binary").status_code == 415
    assert post_file(_csv([]), scenario="no_such").status_code == 422
    settings.EDUCREDIT_BULK_CHECK_MAX_BYTES = 10
    assert post_file(_csv(_rows())).status_code == 413
    empty = {"scenario": SCENARIO, "reference": "PL-4", "items": []}
    refused = client.post(BULK, empty, content_type="application/json", **system.headers)
    assert refused.status_code == 422
    assert BulkCheckRun.objects.count() == 0
    # Identifiers never travel in a URL: no operation takes one there.
    assert client.get(f"{BULK}?document_number={TEACHER_NUMBER}", **system.headers).status_code in (
        404,
        405,
    )


def test_an_unknown_heading_is_refused_before_any_run(shipped: Any, system: Any) -> None:
    data = f"证件号码,证件类型,手机号\n{TEACHER_NUMBER},居民身份证,13800000000\n"
    with pytest.raises(bulk_check.BulkCheckError) as refused:
        _run(system, data.encode("utf-8"))
    message = refused.value.errors["header"]
    # Named by its number: the heading is the file's content, never quoted back.
    assert "第 3 列" in message and "column 3 is not understood" in message
    assert "手机号" not in message
    assert BulkCheckRun.objects.count() == 0 and BulkCheckAnswer.objects.count() == 0


def test_an_xlsx_file_is_read(revoked: Any, system: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["document_type", "document_number", "name"])
    sheet.append(["resident_id", TEACHER_NUMBER, "李老师"])
    out = io.BytesIO()
    book.save(out)
    run = _run(system, out.getvalue(), "list.xlsx")
    assert run.status == "finished", run.error_message
    assert [r["verdict"] for r in _result(run)] == ["restricted"]


def test_the_queries_per_batch_are_fixed(
    revoked: Any, school: Any, system: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bulk_check, "BATCH_SIZE", len(_rows()))

    def queries(batches: int) -> int:
        data = _csv(_rows() * batches)
        run = bulk_check.bulk_check_start(
            caller=system,
            scenario=SCENARIO,
            reference="PL-Q",
            upload=_Upload(data, "q.csv"),
            enqueue=False,
        )
        with CaptureQueriesContext(connection) as captured:
            bulk_check.bulk_check_process(run_id=run.pk)
        return len(captured)

    one, two, four = queries(1), queries(2), queries(4)
    per_batch = two - one
    assert four - two == 2 * per_batch
    assert per_batch <= 25, per_batch  # reads, id reservation, writes, savepoints


def test_the_fast_resident_id_path_answers_as_the_single_checks_validation() -> None:
    """``parse_row`` decides plain valid resident IDs itself; every other value goes through
    ``screening.identifier_from``. Both ways give the same identifier (or refusal)."""
    day = today()
    valid = [resident_id(n) for n in range(1, 400)]
    odd = [
        resident_id(5)[:-1] + "x",  # lower-case check character: normalised by the slow way
        " " + resident_id(6),
        resident_id(7)[:6] + "20270101" + resident_id(7)[14:],  # born after the day
        resident_id(8)[:6] + "18790101" + resident_id(8)[14:],  # before 1880
        "99" + resident_id(9)[2:],  # no such province
        resident_id(10)[:6] + "20260230" + resident_id(10)[14:],  # no such day
        "４" + resident_id(11)[1:],  # a full-width digit
        resident_id(12)[:15],
    ]
    spoiled = [_bad_check_digit(number) for number in valid[:50]]
    columns = bulk_check.resolve_columns(["document_type", "document_number", "name"])
    for number in valid + odd + spoiled:
        fast = bulk_check.parse_row(2, ["居民身份证", number, " 李  老师 "], columns, day)
        try:
            expected = screening.identifier_from(
                document_type="resident_id", document_number=number, name=" 李  老师 "
            )
        except screening.ScreeningError as exc:
            assert fast.identifier is None and fast.error == str(exc), number
        else:
            assert fast.identifier == expected, number
            assert fast.shown == expected.document_number[:6] + "********" + number.strip()[-4:]
