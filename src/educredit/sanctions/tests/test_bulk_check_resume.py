"""A bulk check whose worker dies goes on after its last committed batch (ADR 0024).

The crash is simulated in-process: one batch raises an exception no handler catches (as a
SIGKILL stops a worker), leaving the run RUNNING with the batches before it committed — their
checks, counts and result lines. The same task then runs as its second attempt
(``core.jobs.attempt`` patched to 2, the seam a worker that takes a task over sets).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from educredit.audit.verification import verify_audit_log
from educredit.core import jobs
from educredit.sanctions import bulk_check
from educredit.sanctions.models import BulkCheckAnswer, BulkCheckResultPart, BulkCheckRun
from educredit.sanctions.tests.test_bulk_check import (
    BULK,
    _csv,
    _result,
    _rows,
    _run,
    _Upload,
)
from educredit.testing.workers import WorkerKilled

pytestmark = pytest.mark.django_db

BATCH = 4
ROWS = _rows() * 4  # 24 rows, 8 of them not identifiers
VALID = 16


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def system(other_county: Any) -> Any:
    from educredit.testing.factories import make_api_client

    api_client, key = make_api_client(
        organisation=other_county, name="教师资格认定系统", scopes=["sanctions:check"]
    )
    api_client.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}  # type: ignore[attr-defined]
    return api_client


@pytest.fixture
def revoked(shipped: Any, county_clerk: Any, county: Any, teacher: Any) -> Any:
    from educredit.records.tests.factories import make_reviewer
    from educredit.sanctions.tests.test_restrictions import revocation

    return revocation(county_clerk, make_reviewer(organisation=county), teacher)


def _queued(caller: Any) -> BulkCheckRun:
    import datetime

    return bulk_check.bulk_check_start(
        caller=caller,
        scenario="teacher_qualification",
        reference="PL-2026-02",
        as_of=datetime.date(2026, 6, 1),
        upload=_Upload(_csv(ROWS), "名单.csv"),
        enqueue=False,
    )


def _die_in_batch(monkeypatch: Any, number: int) -> None:
    real = bulk_check._write_batch
    calls = Counter[str]()

    def write_batch(*args: Any, **kwargs: Any) -> Any:
        calls["batch"] += 1
        if calls["batch"] == number:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk_check, "_write_batch", write_batch)


def _answers(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """A result file's lines without what differs by run (the data version)."""
    return [tuple(v for k, v in row.items() if k != "data_version") for row in rows]


def test_a_bulk_check_whose_worker_died_goes_on_after_its_last_committed_batch(
    revoked: Any, school: Any, system: Any, monkeypatch: Any, client: Any
) -> None:
    monkeypatch.setattr(bulk_check, "BATCH_SIZE", BATCH)
    run = _queued(system)
    _die_in_batch(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        bulk_check.bulk_check_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "running"
    assert run.processed_rows == 2 * BATCH
    assert BulkCheckResultPart.objects.filter(run=run).count() == 2
    before = set(BulkCheckAnswer.objects.filter(run=run).values_list("pk", flat=True))
    assert len(before) == run.processed_rows
    monkeypatch.undo()
    # Not taken by a first attempt (its worker may be alive elsewhere).
    assert bulk_check.bulk_check_process(run_id=run.pk) is None

    monkeypatch.setattr(bulk_check, "BATCH_SIZE", BATCH)
    monkeypatch.setattr(jobs, "attempt", lambda: 2)
    monkeypatch.setattr(jobs, "resuming", lambda: True)
    done = bulk_check.bulk_check_process(run_id=run.pk)
    assert done is not None
    assert (done.status, done.error_message) == ("finished", "")
    assert (done.attempts, done.resumed_after) == (2, 2 * BATCH)
    assert (done.total_rows, done.processed_rows, done.error_count) == (24, 24, 8)

    # Every row answered once, in order; every row logged once.
    result = _result(done)
    assert [int(r["row"]) for r in result] == list(range(2, 26))
    answers = BulkCheckAnswer.objects.filter(run=done)
    assert answers.filter(data_version__isnull=False).count() == VALID
    assert sorted(answers.values_list("row", flat=True)) == list(range(2, 26))
    assert before <= set(answers.values_list("pk", flat=True))
    assert not BulkCheckResultPart.objects.filter(run=done).exists()
    assert not done.file
    # The same answers as a run that was never interrupted.
    monkeypatch.undo()
    plain = _run(system, _csv(ROWS))
    assert _answers(result) == _answers(_result(plain))
    report = verify_audit_log()
    assert report.ok, report.row_problems

    status = client.get(f"{BULK}/{done.public_id}", **system.headers).json()
    assert (status["attempts"], status["resumed_after"]) == (2, 2 * BATCH)
    assert status["processed_rows"] == 24


def test_a_batch_whose_lease_was_taken_over_rolls_back(
    revoked: Any, school: Any, system: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(bulk_check, "BATCH_SIZE", BATCH)
    run = _queued(system)
    renewals = Counter[str]()

    def renew() -> None:
        renewals["batch"] += 1
        if renewals["batch"] == 2:
            raise jobs.LeaseLost("taken over")

    monkeypatch.setattr(jobs, "renew", renew)
    with pytest.raises(jobs.LeaseLost):
        bulk_check.bulk_check_process(run_id=run.pk)
    run.refresh_from_db()
    # The first batch stays; the second wrote neither log rows nor counts nor lines.
    assert (run.status, run.processed_rows) == ("running", BATCH)
    assert BulkCheckResultPart.objects.filter(run=run).count() == 1
    assert BulkCheckAnswer.objects.filter(run=run).count() == BATCH
    assert run.file  # the next attempt reads it


def test_a_bulk_check_given_up_fails_with_the_reason(
    revoked: Any, school: Any, system: Any, monkeypatch: Any
) -> None:
    from educredit.sanctions.tasks import bulk_check_abandoned

    monkeypatch.setattr(bulk_check, "BATCH_SIZE", BATCH)
    run = _queued(system)
    _die_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        bulk_check.bulk_check_process(run_id=run.pk)
    owner = bulk_check_abandoned(run.pk, reason=jobs.GIVEN_UP)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error_message.startswith("处理进程多次意外中止")
    assert not run.file
    assert not BulkCheckResultPart.objects.filter(run=run).exists()
    assert owner is not None and owner.organisation_path == system.organisation.path
    assert str(run.public_id) in owner.link
