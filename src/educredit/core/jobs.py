"""Leases on background tasks: a task whose worker died is resumed or fails visibly (ADR 0041).

Django's database task backend marks a task RUNNING when a worker claims it and nothing else:
a worker killed in the middle leaves it RUNNING for ever. So every task a worker runs holds a
**lease** (``core.TaskLease``), renewed by a heartbeat thread of that worker and by ``renew()``
in each chunk the task commits. A worker that dies stops renewing; ``tasks_recover`` (run by
every worker at start-up and every half lease) finds RUNNING tasks whose lease lapsed and
hands them back to the queue, where any worker claims them again — up to
``EDUCREDIT_JOB_MAX_ATTEMPTS`` attempts; then it marks the task failed and calls the handler
its app registered with ``on_abandoned``, which fails the run the user sees with the reason.

The attempt number (the worker ids the task has had) is the fencing token: ``renew()`` writes
only while the lease still carries this attempt, so a worker that was only slow, not dead,
finds its lease taken by the next attempt and stops with ``LeaseLost`` (its chunk rolls back)
instead of writing beside it. Jobs resume from their last committed chunk: each chunk's rows
and the run's progress commit together, and a resumed attempt (``resuming()``) skips the rows
already counted.

Outside a database worker (tests' immediate backend, a command run by hand) there is no
lease: ``attempt()`` is 1 and ``renew()`` does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from educredit.core.models import TaskLease

logger = logging.getLogger("educredit.jobs")

__all__ = [
    "LeaseLost",
    "Owner",
    "RecoverCounts",
    "attempt",
    "leased",
    "on_abandoned",
    "renew",
    "resuming",
    "run_claim",
    "tasks_recover",
    "worker_name",
]

# The exception class recorded on a task given up because its workers kept dying.
WORKER_LOST = "educredit.core.jobs.WorkerLost"
# Stored in Chinese, shown in the reader's language (``core.i18n.shown``).
GIVEN_UP = gettext_noop("处理进程多次意外中止，任务已停止；已完成的部分保持有效")


class LeaseLost(Exception):  # noqa: N818 - a signal to stop, not an error to report
    """This attempt's lease was taken over by another attempt: stop without writing."""


@dataclass(frozen=True)
class Owner:
    """Whose job a given-up task was: the organisation's path and the page that shows it."""

    organisation_path: str = ""
    link: str = ""


Handler = Callable[..., "Owner | None"]
_HANDLERS: dict[str, Handler] = {}


def on_abandoned(task: Any) -> Callable[[Handler], Handler]:
    """Register what to do when ``task`` is given up: ``handler(*args, reason=…, **kwargs)``
    gets the task's own arguments, fails the run it owns, and may return its ``Owner``."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[task.module_path] = handler
        return handler

    return register


# --- the current attempt (one per worker thread) -----------------------------------------


@dataclass
class _Attempt:
    task_id: str
    number: int
    lost: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


_local = threading.local()


def _current() -> _Attempt | None:
    return getattr(_local, "attempt", None)


def attempt() -> int:
    """1 on a task's first run (and outside a worker); 2, 3… once taken over."""
    current = _current()
    return current.number if current is not None else 1


def resuming() -> bool:
    """Whether this run takes over a task another worker left unfinished."""
    return attempt() > 1


def lease_seconds() -> int:
    return max(2, settings.EDUCREDIT_JOB_LEASE_SECONDS)


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=lease_seconds())


def _extend(current: _Attempt) -> bool:
    """Extend the lease if it is still this attempt's; False once another has it."""
    return bool(
        TaskLease.objects.filter(
            task_id=current.task_id, attempt=current.number, abandoned_at__isnull=True
        ).update(expires_at=_expiry())
    )


def renew() -> None:
    """Inside a chunk's transaction: extend the lease, or raise ``LeaseLost`` so the chunk
    rolls back because another attempt owns the task now. Nothing outside a worker."""
    current = _current()
    if current is None:
        return
    if current.lost.is_set() or not _extend(current):
        current.lost.set()
        raise LeaseLost(f"task {current.task_id}: attempt {current.number} lost its lease")


def run_claim(runs: QuerySet[Any], *, pending: str, running: str) -> bool:
    """Claim the run row a job works on (``runs``: the one row, by pk): a ``pending`` run on
    any attempt; the ``running`` one only when this task takes over from a worker that died,
    counting the attempt and where it had got to (``attempts``, ``resumed_after``). A second
    enqueue of the same run is a new task on its first attempt: it finds the run taken."""
    if runs.filter(status=pending).update(status=running, started_at=timezone.now()):
        return True
    return resuming() and bool(
        runs.filter(status=running).update(
            attempts=F("attempts") + 1, resumed_after=F("processed_rows")
        )
    )


def worker_name() -> str:
    """host:pid, the name a worker's leases and claims carry."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


class leased:  # noqa: N801 - used as a context manager, named like one
    """Hold the lease of a task for as long as this worker runs it (the worker's run_task)."""

    def __init__(self, *, task_id: str, task_path: str, number: int) -> None:
        self.attempt = _Attempt(task_id=str(task_id), number=max(1, number))
        self.task_path = task_path
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Attempt:
        TaskLease.objects.update_or_create(
            task_id=self.attempt.task_id,
            defaults={
                "task_path": self.task_path[:200],
                "attempt": self.attempt.number,
                "worker": worker_name(),
                "started_at": timezone.now(),
                "expires_at": _expiry(),
                "abandoned_at": None,
                "reason": "",
            },
        )
        _local.attempt = self.attempt
        self.thread = threading.Thread(
            target=_heartbeat, args=(self.attempt,), name="lease-heartbeat", daemon=True
        )
        self.thread.start()
        return self.attempt

    def __exit__(self, *exc: object) -> None:
        self.attempt.stop.set()
        if self.thread is not None:
            self.thread.join()
        _local.attempt = None
        if not self.attempt.lost.is_set():
            # Finished (or failed) here: the lease has nothing more to guard.
            TaskLease.objects.filter(
                task_id=self.attempt.task_id, attempt=self.attempt.number
            ).delete()


def _heartbeat(current: _Attempt) -> None:
    """Renew every third of the lease until the task ends (its own database connection)."""
    interval = lease_seconds() / 3
    try:
        while not current.stop.wait(interval):
            try:
                if not _extend(current):
                    current.lost.set()
                    return
            except DatabaseError:
                # The database is busy or away: try again next beat. If it stays away past
                # the lease, another worker takes over and the fence stops this one.
                logger.warning("lease of task %s not renewed", current.task_id, exc_info=True)
    finally:
        connection.close()


# --- recovery -----------------------------------------------------------------------------


@dataclass
class RecoverCounts:
    """What one recovery pass did."""

    requeued: int = 0
    abandoned: int = 0
    task_ids: list[str] = field(default_factory=list)


def tasks_recover(*, now: dt.datetime | None = None) -> RecoverCounts:
    """Hand back to the queue, or give up, every RUNNING task whose lease has lapsed.

    A task is stale when its lease expired, or when it has none and was claimed more than a
    lease ago (its worker died between the claim and taking the lease). Each task is handled
    in its own transaction under a row lock (skipped if another recoverer holds it), so any
    number of workers can run this at once.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    counts = RecoverCounts()
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("id", "started_at")
    )
    if not running:
        return counts
    leases = {
        str(lease.task_id): lease
        for lease in TaskLease.objects.filter(task_id__in=[pk for pk, _ in running])
    }
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    for task_id, started_at in running:
        lease = leases.get(str(task_id))
        if lease is not None and (lease.abandoned_at is not None or lease.expires_at >= now):
            continue
        if lease is None and started_at is not None and started_at >= cutoff:
            continue
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=task_id, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None:
                continue
            fresh = TaskLease.objects.select_for_update().filter(task_id=task_id).first()
            if fresh is not None and fresh.expires_at >= now and fresh.abandoned_at is None:
                continue  # renewed meanwhile: its worker lives
            _recover_one(task, fresh, now, counts)
    return counts


def _recover_one(
    task: Any, lease: TaskLease | None, now: dt.datetime, counts: RecoverCounts
) -> None:
    from django_tasks.base import TaskResultStatus

    attempts = len(task.worker_ids)
    counts.task_ids.append(str(task.pk))
    if attempts < settings.EDUCREDIT_JOB_MAX_ATTEMPTS:
        # Deleting the lease fences the lost attempt; the next claim takes a new one.
        TaskLease.objects.filter(task_id=task.pk).delete()
        task.status = TaskResultStatus.READY
        task.save(update_fields=["status"])
        counts.requeued += 1
        logger.warning("task %s (%s) requeued after attempt %d", task.pk, task.task_path, attempts)
        return
    reason = GIVEN_UP
    owner = _abandon_owner(task, reason)
    task.status = TaskResultStatus.FAILED
    task.finished_at = now
    task.exception_class_path = WORKER_LOST
    task.traceback = reason
    task.return_value = None
    task.save(
        update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"]
    )
    TaskLease.objects.update_or_create(
        task_id=task.pk,
        defaults={
            "task_path": task.task_path[:200],
            "attempt": attempts,
            "expires_at": lease.expires_at if lease is not None else now,
            "abandoned_at": now,
            "reason": reason,
            "organisation_path": owner.organisation_path,
            "link": owner.link[:300],
        },
    )
    counts.abandoned += 1
    logger.error("task %s (%s) given up after %d attempts", task.pk, task.task_path, attempts)


def _abandon_owner(task: Any, reason: str) -> Owner:
    """Let the task's app fail the run it owns; a handler that breaks still lets it fail."""
    try:
        import_string(task.task_path)  # imports the task's module, which registers its handler
    except ImportError:
        logger.exception("task %s: %s cannot be imported", task.pk, task.task_path)
    handler = _HANDLERS.get(task.task_path)
    if handler is None:
        return Owner()
    args = task.args_kwargs.get("args", [])
    kwargs = task.args_kwargs.get("kwargs", {})
    try:
        with transaction.atomic():
            return handler(*args, reason=reason, **kwargs) or Owner()
    except Exception:
        logger.exception("abandon handler of %s failed", task.task_path)
        return Owner()


def abandoned_visible_to(user: Any) -> QuerySet[TaskLease]:
    """Tasks given up, for the administrators of the organisation they belonged to (and
    above): province-wide ones only for the top of the tree."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return TaskLease.objects.none()
    rows = TaskLease.objects.filter(abandoned_at__isnull=False)
    if organisation.parent_id is None:
        return rows.filter(organisation_path__startswith=organisation.path) | rows.filter(
            organisation_path=""
        )
    return rows.filter(organisation_path__startswith=organisation.path)
