"""Periodic jobs, declared in code, and the scheduler tick that enqueues each slot once.

A job is a name, a django-tasks task (named by dotted path, so ``core`` imports no domain app
when this module loads) and a cadence: daily at a Beijing wall-clock time, or every N seconds.
Its **slot** is the scheduled instant it runs for: ``2026-11-27 02:00+08:00`` for a daily job,
``now`` floored to the interval for an interval job.

``scheduler_tick`` enqueues a job's current slot only if it can insert the ``ScheduledRun``
row ``(job, slot)``, which is unique: however many schedulers run (one per machine over
PostgreSQL), each slot is enqueued once, and a restarted scheduler does not enqueue it again.
A daily job's current slot is its latest one not after ``now``, so a scheduler that was down
at 02:00 enqueues that morning's slot once when it comes back — only the latest missed slot,
never one per missed day. ``educredit scheduler`` runs the tick in a loop (ADR 0019).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist

from educredit.core import clock
from educredit.core.models import ScheduledRun

logger = logging.getLogger("educredit.scheduler")

# Rows of interval jobs only guard the current slot; older ones are history nobody reads.
INTERVAL_RUNS_KEPT = dt.timedelta(days=2)


@dataclass(frozen=True)
class Daily:
    """Once a day at ``at``, Beijing wall-clock time (Asia/Shanghai)."""

    at: dt.time

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The last scheduled instant not after ``now`` (today's, or yesterday's if too early)."""
        local = now.astimezone(clock.BEIJING)
        slot = dt.datetime.combine(local.date(), self.at, tzinfo=clock.BEIJING)
        if slot > local:
            slot = dt.datetime.combine(
                local.date() - dt.timedelta(days=1), self.at, tzinfo=clock.BEIJING
            )
        return slot

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        """The first scheduled instant after ``now``."""
        latest = self.latest_slot(now)
        return dt.datetime.combine(
            latest.date() + dt.timedelta(days=1), self.at, tzinfo=clock.BEIJING
        )

    def describe(self) -> str:
        return f"每天 {self.at:%H:%M}（北京时间）/ daily at {self.at:%H:%M} Asia/Shanghai"


@dataclass(frozen=True)
class Every:
    """Every ``seconds`` seconds, on instants that are multiples of it since the epoch."""

    seconds: int

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("interval must be positive")

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """``now`` floored to the interval (15 s: 02:00:00, 02:00:15, …)."""
        floored = math.floor(now.timestamp() / self.seconds) * self.seconds
        return dt.datetime.fromtimestamp(floored, tz=clock.BEIJING)

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        return self.latest_slot(now) + dt.timedelta(seconds=self.seconds)

    def describe(self) -> str:
        return f"每 {self.seconds} 秒 / every {self.seconds} s"


@dataclass(frozen=True)
class PeriodicJob:
    """One periodic job: a stable name (the key of its runs), a task and when it runs."""

    name: str
    task_path: str
    cadence: Daily | Every

    def task(self) -> Task[[], object]:
        """The django-tasks task object (imported now, not when this module loads)."""
        found = import_string(self.task_path)
        if not isinstance(found, Task):
            raise TypeError(f"{self.task_path} is not a django-tasks task")
        return found


# The table of every periodic job. Names are stored in ``ScheduledRun``: never rename one, or
# its current slot runs once more under the new name.
JOBS: tuple[PeriodicJob, ...] = (
    # Windows end at midnight; recompute and expire early, before anyone reads the portal.
    PeriodicJob("windows_daily", "educredit.records.tasks.windows_daily_task", Daily(dt.time(1))),
    # The platform publishes overnight; pull after the windows job, outside office hours.
    # After the windows (an until-repair measure ends with the record's window).
    PeriodicJob(
        "restrictions_daily",
        "educredit.sanctions.tasks.restrictions_daily_task",
        Daily(dt.time(1, 30)),
    ),
    # After the recomputation: subscribed systems hear of the terms that start or lapse today.
    PeriodicJob(
        "sanctions_day_events",
        "educredit.sanctions.tasks.day_events_daily_task",
        Daily(dt.time(1, 45)),
    ),
    PeriodicJob("inbound_pull", "educredit.exchange.tasks.inbound_pull_task", Daily(dt.time(2))),
    # Commitments' checks: the day's sampling draws and tasks, then the 网络核验 of those due
    # (after the windows, before office hours).
    PeriodicJob(
        "commitment_check_plan",
        "educredit.commitments.tasks.check_plan_daily_task",
        Daily(dt.time(2, 15)),
    ),
    PeriodicJob(
        "commitment_online_checks",
        "educredit.commitments.tasks.online_checks_daily_task",
        Daily(dt.time(2, 30)),
    ),
    # A reviewer's approval reaches the platform within seconds; the pass finds nothing due
    # with one indexed query and is safe to overlap (SKIP LOCKED claims).
    PeriodicJob("outbox_send", "educredit.exchange.tasks.outbox_send_task", Every(15)),
    # Subscribed business systems hear of a new restriction within a minute (ADR 0023).
    PeriodicJob("sanctions_webhooks", "educredit.sanctions.tasks.webhook_deliver_task", Every(30)),
    # The sequencer service (``educredit audit sequence --loop``) integrates entries within
    # the merge delay; this pass only makes sure a log without that service still advances.
    PeriodicJob("audit_sequence", "educredit.audit.tasks.audit_sequence_task", Every(30)),
    # Anomalous queries (volume, outside jurisdiction, outside hours) within the hour (ADR 0029).
    PeriodicJob("query_alerts", "educredit.rights.tasks.query_alerts_task", Every(3600)),
    PeriodicJob(
        "scheduler_prune", "educredit.core.schedule.scheduled_runs_prune_task", Daily(dt.time(3))
    ),
)


def job_named(name: str, jobs: Sequence[PeriodicJob] = JOBS) -> PeriodicJob:
    """The declared job called ``name`` (KeyError if there is none)."""
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)


def current_slots(
    now: dt.datetime, jobs: Sequence[PeriodicJob] = JOBS
) -> list[tuple[PeriodicJob, dt.datetime]]:
    """Every job with its current slot at ``now`` (pure: no database)."""
    if now.tzinfo is None:
        raise ValueError("current_slots needs an aware datetime")
    return [(job, job.cadence.latest_slot(now)) for job in jobs]


def jobs_due(
    now: dt.datetime, jobs: Sequence[PeriodicJob] = JOBS
) -> list[tuple[PeriodicJob, dt.datetime]]:
    """The jobs whose current slot has not been enqueued yet, with that slot (one query)."""
    slots = current_slots(now, jobs)
    if not slots:
        return []
    wanted = Q()
    for job, slot in slots:
        wanted |= Q(job=job.name, slot=slot)
    done = set(ScheduledRun.objects.filter(wanted).values_list("job", "slot"))
    return [(job, slot) for job, slot in slots if (job.name, slot) not in done]


def _scheduler_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def scheduled_run_claim(*, job: PeriodicJob, slot: dt.datetime) -> str | None:
    """Enqueue ``job`` for ``slot`` if no scheduler has; the task result id, or None if taken.

    The claim row and, with the database task backend, the task row commit in one transaction:
    both exist or neither, so a crash in between neither loses the slot nor enqueues it twice.
    A second scheduler inserting the same slot waits on the unique index until the first
    commits, then gets an IntegrityError and leaves it.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(
                    job=job.name, slot=slot, enqueued_by=_scheduler_id()
                )
        except IntegrityError:
            return None
        result = job.task().enqueue()
        run.task_result_id = str(result.id)
        run.save(update_fields=["task_result_id"])
    logger.info("enqueued %s for %s as task %s", job.name, slot.isoformat(), result.id)
    return run.task_result_id


@dataclass(frozen=True)
class Enqueued:
    """One slot this scheduler enqueued."""

    job: str
    slot: dt.datetime
    task_result_id: str


def scheduler_tick(
    *, now: dt.datetime | None = None, jobs: Sequence[PeriodicJob] = JOBS
) -> list[Enqueued]:
    """Enqueue every due slot this scheduler wins; what it enqueued (others' slots are not)."""
    now = now or clock.now()
    enqueued = []
    for job, slot in jobs_due(now, jobs):
        if isinstance(job.cadence, Every) and _previous_still_waiting(job):
            # The worker is down or behind: one waiting pass is enough, don't pile up more.
            continue
        result_id = scheduled_run_claim(job=job, slot=slot)
        if result_id is not None:
            enqueued.append(Enqueued(job.name, slot, result_id))
    return enqueued


def _previous_still_waiting(job: PeriodicJob) -> bool:
    """Whether the task of ``job``'s latest run has not been picked up by a worker yet."""
    last = (
        ScheduledRun.objects.filter(job=job.name)
        .exclude(task_result_id="")
        .order_by("-slot")
        .values_list("task_result_id", flat=True)
        .first()
    )
    if not last:
        return False
    try:
        return job.task().get_result(last).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, NotImplementedError):
        return False  # pruned, or a backend that keeps no results (the immediate one)


def scheduled_runs_prune(
    *, now: dt.datetime | None = None, jobs: Sequence[PeriodicJob] = JOBS
) -> int:
    """Delete interval jobs' runs older than two days and their finished task results.

    An interval job makes a run row and a task row every few seconds (5 760 a day at 15 s);
    only the latest rows are needed to keep it exactly-once. Daily jobs' rows are kept (one a
    day: the history of when each ran). Two days of failures stay to diagnose.
    """
    now = now or clock.now()
    deleted = 0
    for job in jobs:
        if not isinstance(job.cadence, Every):
            continue
        old = ScheduledRun.objects.filter(job=job.name, slot__lt=now - INTERVAL_RUNS_KEPT)
        result_ids = [pk for pk in old.values_list("task_result_id", flat=True) if pk]
        deleted += old.delete()[0]
        _task_results_prune(job, result_ids)
    return deleted


def _task_results_prune(job: PeriodicJob, result_ids: list[str]) -> None:
    """Delete the finished results among ``result_ids`` if the database backend holds them."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    # Another backend's ids are not rows here (the immediate backend's are not even UUIDs).
    if not isinstance(job.task().get_backend(), DatabaseBackend):
        return
    for start in range(0, len(result_ids), 1000):
        DBTaskResult.objects.filter(
            id__in=result_ids[start : start + 1000],
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        ).delete()


@task()
def scheduled_runs_prune_task() -> dict[str, int]:
    """Prune old interval-job runs (daily; safe to run twice)."""
    return {"deleted": scheduled_runs_prune()}
