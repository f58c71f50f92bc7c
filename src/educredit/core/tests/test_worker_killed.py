"""Fault tests: a worker killed with SIGKILL in the middle of a job, then a new worker.

Each job completes with every row exactly once and the audit log verifying (issue 14). Real
``educredit db_worker`` processes on PostgreSQL; the job is paused in the middle of a
transaction by holding a row it writes next (``testing.workers.rows_held``: the run row, or a
record), the worker killed there, the lock let go and a new worker started with a short lease.

All along, the audit chain head is held as a sequencer holds it while it integrates a batch
(ADR 0044): a job's chunks queue their entries and never wait for it, so the first worker gets
into the middle of the job and the second one finishes it while the head is still held. The
entries are sequenced afterwards and the log verifies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from educredit.audit.models import AuditEntry
from educredit.audit.sequencer import sequence_pending
from educredit.audit.verification import verify_audit_log
from educredit.core.models import TaskLease
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.tasks import windows_daily_task
from educredit.records.tests.factories import make_record
from educredit.testing import workers

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database other processes can reach"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def start_worker(tmp_path: Any, settings: Any) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    started: list[workers.Worker] = []

    def start(**env: str) -> workers.Worker:
        worker = workers.Worker(var_dir=tmp_path, env=env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def _task(task_id: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.get(pk=task_id)


def _a_job_waits() -> bool:
    return workers.someone_waits_on_a_lock(role="worker")


def _sequenced_and_verified() -> None:
    sequence_pending()
    result = verify_audit_log()
    assert result.ok, result.problems


# A job that waits for the chain head would never get past it here.
HEAD_HINT = "(does the job wait for the audit chain head a sequencer holds?)"


def test_a_window_recompute_killed_mid_transaction_is_run_again_by_the_next_worker(
    county_clerk: Any, start_worker: Any
) -> None:
    records = [
        make_record(
            actor=county_clerk,
            status=CreditRecordStatus.EFFECTIVE,
            decision_date=dt.date(2026, 5, 1) + dt.timedelta(days=i),
        )
        for i in range(6)
    ]
    windows = {r.pk: (r.public_from, r.public_until) for r in records}
    # Windows lost (as after a rule change): the nightly recompute must write them back.
    CreditRecord.objects.filter(pk__in=windows).update(public_from=None, public_until=None)
    task = windows_daily_task.enqueue()

    with workers.chain_head_held():
        with workers.rows_held(CreditRecord.objects.filter(pk=records[-1].pk)):
            first = start_worker()
            # It has begun updating the windows and waits for the last record: kill it there.
            workers.wait_until(_a_job_waits, timeout=60, what=f"the recompute {HEAD_HINT}")
            first.kill()
        assert _task(task.id).status == TaskResultStatus.RUNNING  # what a dead worker leaves

        second = start_worker()
        workers.wait_until(
            lambda: _task(task.id).status == TaskResultStatus.SUCCESSFUL,
            timeout=120,
            what=f"the recompute to finish after the restart {HEAD_HINT}\n{second.output()}",
        )
    done = _task(task.id)
    assert len(done.worker_ids) == 2  # taken over, not started afresh
    assert {
        r.pk: (r.public_from, r.public_until) for r in CreditRecord.objects.filter(pk__in=windows)
    } == windows
    assert AuditEntry.objects.filter(action="credit_record.window_recompute").count() == 1
    # The worker saves the result, then releases the lease: the release follows shortly.
    workers.wait_until(
        lambda: not TaskLease.objects.exists(), timeout=30, what="the finished task's lease"
    )
    _sequenced_and_verified()


def _kill_in_the_middle(
    start_worker: Any, run: QuerySet[Any], progress: Any, total: int, **env: str
) -> list[int]:
    """Start a worker, let it commit at least one chunk, pause the next one at its update of
    the ``run`` row and SIGKILL the worker there; the processes it had forked."""
    first: workers.Worker = start_worker(**env)
    workers.wait_until(
        lambda: progress() > 0, timeout=120, what=f"a chunk {HEAD_HINT}\n{first.output()}"
    )
    with workers.rows_held(run):
        workers.wait_until(_a_job_waits, timeout=60, what="the next chunk")
        assert 0 < progress() < total, "the job should be in the middle"
        children = first.children()
        first.kill()
    return children


def test_a_disclosure_import_killed_mid_file_resumes_with_every_valid_row_once(
    county: Any, county_clerk: Any, start_worker: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from educredit.accounts.services import organisation_update
    from educredit.catalog.tests.factories import shipped_catalog
    from educredit.disclosure import imports
    from educredit.disclosure import national as n
    from educredit.disclosure.models import DecisionImportError, DecisionImportRun
    from educredit.disclosure.tests.rows import BUREAU_USCC
    from educredit.disclosure.tests.test_import import csv_bytes, good_row, make_schools
    from educredit.subjects.choices import ImportStatus
    from educredit.testing.factories import TEST_ACTOR

    # The county is the rows' issuing body (through its service: the audit log must verify).
    organisation_update(
        actor=TEST_ACTOR,
        organisation=county,
        name=county.name,
        uscc=BUREAU_USCC,
        region_code=county.region_code,
    )
    shipped_catalog()
    schools = make_schools(county)
    total = 3 * imports.BULK_CHUNK_ROWS  # three chunks: killed with one or two committed
    bad = {17, imports.BULK_CHUNK_ROWS + 5, total - 3}  # one rejected row in each chunk
    rows = [good_row(i, schools) for i in range(total)]
    for i in bad:
        rows[i]["CF_JDRQ"] = "2026-13-45"
    content = csv_bytes([f.code for f in n.PENALTY_FIELDS], rows, "utf-8")
    run = imports.decision_import_start(
        actor=county_clerk, kind="penalty", upload=SimpleUploadedFile("处罚.csv", content)
    )

    def processed() -> int:
        return DecisionImportRun.objects.get(pk=run.pk).processed_rows

    with workers.chain_head_held():
        children = _kill_in_the_middle(
            start_worker,
            DecisionImportRun.objects.filter(pk=run.pk),
            processed,
            total,
            EDUCREDIT_IMPORT_WORKERS="2",
        )
        assert children, "the import validates with forked processes"
        workers.wait_until(
            lambda: not any(workers.alive(pid) for pid in children),
            timeout=30,
            what="the dead worker's forked processes to die with it",
        )
        assert DecisionImportRun.objects.get(pk=run.pk).status == ImportStatus.RUNNING

        second = start_worker(EDUCREDIT_IMPORT_WORKERS="2")
        workers.wait_until(
            lambda: DecisionImportRun.objects.get(pk=run.pk).status != ImportStatus.RUNNING,
            timeout=300,
            what=f"the import to finish {HEAD_HINT}\n{second.output()}",
        )
    run.refresh_from_db()
    assert run.status == ImportStatus.FINISHED, run.error_message
    assert (run.processed_rows, run.ok_rows, run.failed_rows) == (total, total - len(bad), len(bad))
    assert run.attempts == 2 and run.resumed_after
    numbers = list(
        CreditRecord.objects.filter(decision_number__startswith="郑中教罚").values_list(
            "decision_number", flat=True
        )
    )
    assert len(numbers) == len(set(numbers)) == total - len(bad)
    assert sorted(
        set(DecisionImportError.objects.filter(run=run).values_list("row_number", flat=True))
    ) == sorted(i + 2 for i in bad)  # file rows: the header is row 1
    _sequenced_and_verified()


def test_a_bulk_check_killed_between_batches_resumes_and_answers_every_row_once(
    county: Any, start_worker: Any
) -> None:
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from educredit.accounts.choices import UserRole
    from educredit.sanctions import bulk_check
    from educredit.sanctions.models import BulkCheckAnswer, BulkCheckRun
    from educredit.sanctions.tests.factories import shipped_measure_list
    from educredit.subjects.choices import ImportStatus
    from educredit.subjects.tests.factories import uscc
    from educredit.testing.factories import make_user

    shipped_measure_list()  # the scenarios
    officer = make_user(organisation=county, username="zy.checker", roles=[UserRole.CLERK])
    total = 3 * bulk_check.BATCH_SIZE
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "证件类型", "证件号码", "姓名/名称"])
    for i in range(total):
        writer.writerow([uscc(100_000 + i), "", "", ""])
    run = bulk_check.bulk_check_start(
        caller=officer,
        scenario="teacher_qualification",
        reference="批量-2026-12",
        upload=SimpleUploadedFile("名单.csv", out.getvalue().encode("utf-8")),
    )

    def processed() -> int:
        return BulkCheckRun.objects.get(pk=run.pk).processed_rows

    with workers.chain_head_held():
        _kill_in_the_middle(start_worker, BulkCheckRun.objects.filter(pk=run.pk), processed, total)
        second = start_worker()
        workers.wait_until(
            lambda: BulkCheckRun.objects.get(pk=run.pk).status != ImportStatus.RUNNING,
            timeout=300,
            what=f"the bulk check to finish {HEAD_HINT}\n{second.output()}",
        )
    run.refresh_from_db()
    assert run.status == ImportStatus.FINISHED, run.error_message
    assert run.processed_rows == run.clear_count == total
    assert BulkCheckAnswer.objects.filter(run=run).count() == total  # each row logged once
    assert len(run.audit_entries) == len(set(run.audit_entries)) == 3
    with run.result.open("rb") as handle:
        lines = list(csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig")))
    numbers = [line[0] for line in lines[1:]]
    assert numbers == [str(i + 2) for i in range(total)]  # every row once, in order
    _sequenced_and_verified()
