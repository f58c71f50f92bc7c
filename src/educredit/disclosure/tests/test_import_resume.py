"""A 双公示 import whose worker dies goes on from its last committed chunk; a file imported
again reports the rows already in as 已导入过, not as failures.

The crash is simulated in-process: the write of one chunk raises an exception no handler
catches (as a SIGKILL stops a worker: nothing runs after it), which leaves the run RUNNING with
the chunks before it committed. The same task then runs again as its second attempt
(``core.jobs.attempt`` patched to 2, the seam a worker that takes a task over sets).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.accounts.services import organisation_update
from educredit.audit.verification import verify_audit_log
from educredit.catalog.tests.factories import shipped_catalog
from educredit.core import jobs
from educredit.disclosure import imports
from educredit.disclosure.models import Decision, DecisionImportError, DecisionImportRun
from educredit.disclosure.tests.rows import BUREAU_USCC
from educredit.disclosure.tests.test_import import (
    CODES,
    FAULTS,
    csv_bytes,
    make_schools,
    penalty_rows,
    upload,
)
from educredit.records import services as records
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_reviewer
from educredit.subjects.choices import ImportStatus
from educredit.testing.factories import TEST_PASSWORD
from educredit.testing.workers import WorkerKilled

pytestmark = pytest.mark.django_db

ROWS = 200
VALID = ROWS - len(FAULTS)
CHUNK = 20


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog(county: Any) -> Any:
    # The county bureau is the rows' issuing body; its code set through the audited service,
    # so that audit verify holds for the whole database.
    organisation_update(
        actor="system:test",
        organisation=county,
        name=county.name,
        region_code=county.region_code,
        uscc=BUREAU_USCC,
    )
    return shipped_catalog()


@pytest.fixture
def schools(county: Any) -> list[Any]:
    return make_schools(county)


def _queued(clerk: Any, content: bytes) -> DecisionImportRun:
    return imports.decision_import_start(
        actor=clerk,
        kind="penalty",
        upload=SimpleUploadedFile("处罚决定.csv", content),
        enqueue=False,
    )


def _die_in_chunk(monkeypatch: Any, number: int) -> None:
    """The write of the ``number``-th chunk (from 1) kills the worker."""
    real = imports._apply_rows
    calls = Counter[str]()

    def apply_rows(*args: Any, **kwargs: Any) -> None:
        calls["chunk"] += 1
        if calls["chunk"] == number:
            raise WorkerKilled
        real(*args, **kwargs)

    monkeypatch.setattr(imports, "_apply_rows", apply_rows)


def _second_attempt(monkeypatch: Any) -> None:
    monkeypatch.setattr(jobs, "attempt", lambda: 2)
    monkeypatch.setattr(jobs, "resuming", lambda: True)


@pytest.mark.parametrize("path", ["per-row", "bulk", "bulk-with-workers"])
def test_a_run_whose_worker_died_goes_on_from_its_last_committed_chunk(
    catalog: Any, schools: list[Any], county_clerk: Any, monkeypatch: Any, settings: Any, path: str
) -> None:
    if path == "per-row":
        monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
        monkeypatch.setattr(imports, "BULK_THRESHOLD", ROWS)
    else:
        monkeypatch.setattr(imports, "BULK_CHUNK_ROWS", CHUNK)
        monkeypatch.setattr(imports, "BULK_THRESHOLD", 10)
    settings.EDUCREDIT_IMPORT_WORKERS = 2 if path == "bulk-with-workers" else 1
    run = _queued(county_clerk, csv_bytes(CODES, penalty_rows(schools, ROWS), "utf-8"))

    _die_in_chunk(monkeypatch, 4)
    with pytest.raises(WorkerKilled):
        imports.decision_import_process(run_id=run.pk)
    run.refresh_from_db()
    # Three chunks committed, with their rows, rejected rows and counts; the fourth did not.
    assert run.status == ImportStatus.RUNNING
    assert run.processed_rows == 3 * CHUNK
    assert CreditRecord.objects.count() == run.ok_rows
    assert run.ok_rows + run.failed_rows == 3 * CHUNK
    assert set(DecisionImportError.objects.values_list("row_number", flat=True)) == {
        i + 2 for i in FAULTS if i < 3 * CHUNK
    }
    # A run left RUNNING is not taken by a first attempt (it may be alive elsewhere).
    monkeypatch.undo()
    assert imports.decision_import_process(run_id=run.pk) is None

    _second_attempt(monkeypatch)
    if path == "per-row":
        monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
        monkeypatch.setattr(imports, "BULK_THRESHOLD", ROWS)
    else:
        monkeypatch.setattr(imports, "BULK_CHUNK_ROWS", CHUNK)
        monkeypatch.setattr(imports, "BULK_THRESHOLD", 10)
    resumed = imports.decision_import_process(run_id=run.pk)
    assert resumed is not None
    assert resumed.status == ImportStatus.FINISHED, resumed.error_message
    assert (resumed.attempts, resumed.resumed_after) == (2, 3 * CHUNK)
    assert (resumed.processed_rows, resumed.ok_rows, resumed.failed_rows) == (ROWS, VALID, 10)
    assert resumed.existing_rows == 0

    # Every valid row exactly once, each with its decision; each bad row reported once.
    numbers = list(CreditRecord.objects.values_list("decision_number", flat=True))
    assert len(numbers) == len(set(numbers)) == VALID
    assert Decision.objects.count() == VALID
    errors = Counter(
        DecisionImportError.objects.filter(run=run).values_list("row_number", "code", "reason")
    )
    assert sorted(number for number, _, _ in errors) == sorted(i + 2 for i in FAULTS)
    assert set(errors.values()) == {1}
    # The duplicate of row 3 (before the crash) found after it is still named as such.
    duplicate = DecisionImportError.objects.get(run=run, row_number=172 + 2)
    assert "第 3 行" in duplicate.reason
    assert resumed.file.name == ""
    report = verify_audit_log()
    assert report.ok, report.row_problems


def test_the_clerk_reads_that_the_run_was_interrupted_and_resumed(
    catalog: Any, schools: list[Any], county_clerk: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
    run = _queued(county_clerk, csv_bytes(CODES, penalty_rows(schools, 50), "utf-8"))
    _die_in_chunk(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        imports.decision_import_process(run_id=run.pk)
    monkeypatch.undo()
    _second_attempt(monkeypatch)
    imports.decision_import_process(run_id=run.pk)

    client = Client()
    assert client.login(username=county_clerk.username, password=TEST_PASSWORD)
    url = reverse("disclosure:import_detail", kwargs={"decision_import_id": run.public_id})
    page = client.get(url).content.decode()
    assert "导入曾在处理完 20 行后中断，已从中断处继续" in page
    assert client.get(url, {"format": "json"}).json()["resumed"].startswith("导入曾在处理完 20")
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "interrupted after 20 rows" in english


def test_a_chunk_whose_lease_was_taken_over_rolls_back(
    catalog: Any, schools: list[Any], county_clerk: Any, monkeypatch: Any
) -> None:
    # A worker that was only slow: its lease went to another attempt, so its next chunk's
    # renew() refuses and the chunk writes nothing; the run is left to the new attempt.
    monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
    run = _queued(county_clerk, csv_bytes(CODES, penalty_rows(schools, 60), "utf-8"))
    renewals = Counter[str]()

    def renew() -> None:
        renewals["chunk"] += 1
        if renewals["chunk"] == 2:
            raise jobs.LeaseLost("taken over")

    monkeypatch.setattr(jobs, "renew", renew)
    with pytest.raises(jobs.LeaseLost):
        imports.decision_import_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING
    assert run.processed_rows == CHUNK
    assert CreditRecord.objects.count() == run.ok_rows == CHUNK - 1  # row index 7 is bad
    assert run.file.name != ""  # the next attempt reads it


@pytest.mark.parametrize("bulk", [False, True])
def test_a_file_imported_again_reports_the_rows_already_in_as_already_imported(
    catalog: Any,
    schools: list[Any],
    county_clerk: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
    bulk: bool,
) -> None:
    monkeypatch.setattr(imports, "BULK_THRESHOLD", 10 if bulk else ROWS)
    rows = penalty_rows(schools, 60)
    first = upload(
        county_clerk, csv_bytes(CODES, rows, "utf-8"), "a.csv", django_capture_on_commit_callbacks
    )
    assert (first.ok_rows, first.failed_rows) == (56, 4)
    # One of them is effective by now: still the same decision.
    reviewer = make_reviewer(organisation=county_clerk.organisation)
    effective = CreditRecord.objects.get(decision_number="郑中教罚〔2026〕1号")
    records.credit_record_approve(actor=reviewer, record=effective)
    # And the file now says another fine for one awaiting review: an error that says what
    # to do, not "already imported".
    rows[2] = dict(rows[2], CF_NR_FK="9.5")
    before = CreditRecord.objects.count()

    again = upload(
        county_clerk, csv_bytes(CODES, rows, "utf-8"), "a.csv", django_capture_on_commit_callbacks
    )
    assert again.status == ImportStatus.FINISHED, again.error_message
    assert (again.ok_rows, again.updated_rows, again.existing_rows, again.failed_rows) == (
        0,
        0,
        55,
        5,
    )
    assert CreditRecord.objects.count() == before
    reasons = {e.row_number: e.reason for e in again.row_errors.all()}
    assert "等待审核" in reasons[2 + 2] and "退回" in reasons[2 + 2]
    assert set(reasons) == {2 + 2} | {i + 2 for i in FAULTS if i < 60}

    # The error report's summary counts them apart from the failures.
    handle = io.BytesIO()
    imports.write_error_report(again, handle)
    handle.seek(0)
    book = load_workbook(handle, read_only=True)
    summary: dict[Any, Any] = dict(book.worksheets[1].iter_rows(values_only=True))  # type: ignore[arg-type]
    assert (summary["已导入过"], summary["失败"]) == (55, 5)
    report = verify_audit_log()
    assert report.ok, report.row_problems


def test_the_progress_page_shows_rows_already_imported(
    catalog: Any,
    schools: list[Any],
    county_clerk: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    content = csv_bytes(CODES, penalty_rows(schools, 5), "utf-8")
    upload(county_clerk, content, "a.csv", django_capture_on_commit_callbacks)
    run = upload(county_clerk, content, "a.csv", django_capture_on_commit_callbacks)
    client = Client()
    assert client.login(username=county_clerk.username, password=TEST_PASSWORD)
    url = reverse("disclosure:import_detail", kwargs={"decision_import_id": run.public_id})
    progress = client.get(url, {"format": "json"}).json()
    assert (progress["existing"], progress["failed"], progress["ok"]) == (5, 0, 0)
    assert progress["resumed"] == ""
    assert "已导入过" in client.get(url).content.decode()


def test_a_run_given_up_fails_with_the_reason_its_clerk_reads(
    catalog: Any, schools: list[Any], county_clerk: Any, monkeypatch: Any
) -> None:
    from educredit.disclosure.tasks import decision_import_abandoned

    monkeypatch.setattr(imports, "CHUNK_ROWS", CHUNK)
    run = _queued(county_clerk, csv_bytes(CODES, penalty_rows(schools, 50), "utf-8"))
    _die_in_chunk(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        imports.decision_import_process(run_id=run.pk)
    owner = decision_import_abandoned(run.pk, reason=jobs.GIVEN_UP)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.error_message.startswith("处理进程多次意外中止")
    assert not run.file  # rows may hold identity numbers in clear
    assert run.processed_rows == CHUNK  # what committed stays, and says so
    assert CreditRecord.objects.count() == run.ok_rows
    assert owner is not None and owner.organisation_path == county_clerk.organisation.path
    assert str(run.public_id) in owner.link
    client = Client()
    assert client.login(username=county_clerk.username, password=TEST_PASSWORD)
    assert "处理进程多次意外中止" in client.get(owner.link).content.decode()
    # A run that finished meanwhile is left as it is.
    assert decision_import_abandoned(run.pk, reason="x") is None
