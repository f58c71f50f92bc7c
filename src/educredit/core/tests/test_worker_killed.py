"""Fault tests: a worker killed with SIGKILL in the middle of a job, then a new worker.

Each job completes with every row exactly once and the audit log verifying (issue 14). Real
``educredit db_worker`` processes on PostgreSQL; the job is paused in the middle by holding
the audit chain head (``testing.workers``), the worker killed there, the lock let go and a
new worker started with a short lease.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from educredit.audit.models import AuditEntry
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
        first = start_worker()
        # It has updated the windows and waits to append its audit entry: kill it there.
        workers.wait_until(workers.someone_waits_on_a_lock, timeout=60, what="the recompute")
        first.kill()
    assert _task(task.id).status == TaskResultStatus.RUNNING  # what a dead worker leaves

    second = start_worker()
    workers.wait_until(
        lambda: _task(task.id).status == TaskResultStatus.SUCCESSFUL,
        timeout=120,
        what=f"the recompute to finish after the restart\n{second.output()}",
    )
    done = _task(task.id)
    assert len(done.worker_ids) == 2  # taken over, not started afresh
    assert {
        r.pk: (r.public_from, r.public_until) for r in CreditRecord.objects.filter(pk__in=windows)
    } == windows
    assert AuditEntry.objects.filter(action="credit_record.window_recompute").count() == 1
    assert not TaskLease.objects.exists()
    result = verify_audit_log()
    assert result.ok, result.problems
