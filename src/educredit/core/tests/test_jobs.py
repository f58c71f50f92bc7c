"""Leases on background tasks: lapsed ones are requeued, then given up with the reason."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from educredit.core import jobs
from educredit.core.models import TaskLease
from educredit.testing import factories

pytestmark = pytest.mark.django_db

TASK_PATH = "educredit.records.tasks.windows_daily_task"


def _running(*, workers: int, started: dt.datetime | None = None, path: str = TASK_PATH) -> Any:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [7], "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=timezone.now(),
        started_at=started or timezone.now(),
        worker_ids=[f"host:{n}" for n in range(workers)],
    )


def _lease(task: Any, *, expires_in: float, attempt: int = 1) -> TaskLease:
    return TaskLease.objects.create(
        task_id=task.pk,
        task_path=task.task_path,
        attempt=attempt,
        worker="host:1",
        expires_at=timezone.now() + dt.timedelta(seconds=expires_in),
    )


def test_a_task_whose_lease_lapsed_goes_back_to_the_queue_and_its_lease_is_revoked() -> None:
    lapsed, alive = _running(workers=1), _running(workers=1)
    _lease(lapsed, expires_in=-1)
    _lease(alive, expires_in=30)

    counts = jobs.tasks_recover()

    assert (counts.requeued, counts.abandoned) == (1, 0)
    lapsed.refresh_from_db()
    alive.refresh_from_db()
    assert lapsed.status == TaskResultStatus.READY
    assert alive.status == TaskResultStatus.RUNNING
    assert not TaskLease.objects.filter(task_id=lapsed.pk).exists()  # the fence
    assert DBTaskResult.objects.ready().filter(pk=lapsed.pk).exists()  # a worker claims it


def test_a_task_claimed_without_a_lease_is_recovered_only_after_a_lease_has_passed() -> None:
    old = _running(workers=1, started=timezone.now() - dt.timedelta(minutes=10))
    new = _running(workers=1)

    assert jobs.tasks_recover().task_ids == [str(old.pk)]
    new.refresh_from_db()
    assert new.status == TaskResultStatus.RUNNING


def test_past_the_attempt_limit_the_task_fails_and_its_owner_is_told(settings: Any) -> None:
    settings.EDUCREDIT_JOB_MAX_ATTEMPTS = 3
    seen: list[tuple[Any, ...]] = []
    province = factories.make_province()
    city = factories.make_organisation(parent=province, name="郑州市教育局", kind="city")
    organisation = factories.make_organisation(parent=city, name="金水区教育局", kind="county")

    @jobs.on_abandoned(_FakeTask("educredit.testing.fake_task"))
    def handler(run_id: int, *, reason: str) -> jobs.Owner:
        seen.append((run_id, reason))
        return jobs.Owner(organisation_path=organisation.path, link="/runs/7/")

    task = _running(workers=3, path="educredit.testing.fake_task")
    _lease(task, expires_in=-5, attempt=3)

    counts = jobs.tasks_recover()

    assert (counts.requeued, counts.abandoned) == (0, 1)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == jobs.WORKER_LOST
    assert seen == [(7, jobs.GIVEN_UP)]
    lease = TaskLease.objects.get(task_id=task.pk)
    assert lease.abandoned_at is not None and lease.link == "/runs/7/"
    # The administrators above the organisation see it; a sibling county's do not.
    admin_above = factories.make_user(organisation=city, username="city-admin", roles=["admin"])
    other = factories.make_organisation(parent=city, name="二七区教育局", kind="county")
    sibling = factories.make_user(organisation=other, username="other-admin", roles=["admin"])
    assert list(jobs.abandoned_visible_to(admin_above)) == [lease]
    assert not jobs.abandoned_visible_to(sibling).exists()
    # A given-up task is not recovered again.
    assert jobs.tasks_recover().task_ids == []


class _FakeTask:
    def __init__(self, path: str) -> None:
        self.module_path = path


def test_renew_does_nothing_outside_a_worker() -> None:
    assert jobs.attempt() == 1 and not jobs.resuming()
    jobs.renew()


@pytest.mark.django_db(transaction=True)
def test_an_attempt_whose_lease_was_taken_over_cannot_commit_another_chunk() -> None:
    task = _running(workers=1)
    with jobs.leased(task_id=str(task.pk), task_path=TASK_PATH, number=1) as attempt:
        assert jobs.attempt() == 1
        jobs.renew()  # ours: extended
        # The recovery (another worker) decided this attempt was dead and took the lease.
        TaskLease.objects.filter(task_id=task.pk).update(attempt=2)
        with pytest.raises(jobs.LeaseLost):
            jobs.renew()
        assert attempt.lost.is_set()
    # The lost attempt leaves the lease to the attempt that holds it.
    assert TaskLease.objects.get(task_id=task.pk).attempt == 2


@pytest.mark.django_db(transaction=True)
def test_a_resumed_attempt_knows_it_and_its_lease_ends_with_it(settings: Any) -> None:
    settings.EDUCREDIT_JOB_LEASE_SECONDS = 3  # heartbeats every second
    task = _running(workers=2)
    seen: dict[str, Any] = {}

    def run() -> None:
        try:
            with jobs.leased(task_id=str(task.pk), task_path=TASK_PATH, number=2):
                seen["resuming"] = jobs.resuming()
                first = TaskLease.objects.get(task_id=task.pk).expires_at
                threading.Event().wait(1.6)
                seen["renewed"] = TaskLease.objects.get(task_id=task.pk).expires_at > first
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert seen == {"resuming": True, "renewed": True}
    assert not TaskLease.objects.filter(task_id=task.pk).exists()
    assert jobs.attempt() == 1  # another thread's attempt is not this one's
