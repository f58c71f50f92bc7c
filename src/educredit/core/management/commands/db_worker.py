"""``educredit db_worker``: the background-task worker, with leases (ADR 0041).

The database backend's own worker, run so that every task holds a lease while it runs
(``core.jobs.leased``), a watchdog thread hands back the tasks of workers that died
(``core.jobs.tasks_recover``: at start-up, then every half lease), and a task whose lease was
taken over by another attempt leaves the result to that attempt instead of overwriting it.
Same options as the backend's command; ``--reload`` is not offered (a reloaded worker would
abandon its task: restart the process instead).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections, connection
from django_tasks_db.management.commands import db_worker as backend_worker
from django_tasks_db.models import DBTaskResult

from educredit.core import jobs

logger = logging.getLogger("educredit.jobs")
RETRY_SECONDS = 2.0


class LeasedWorker(backend_worker.Worker):
    """Runs each task under its lease; results of a fenced-off attempt are not written; a
    database that goes away makes it wait and try again, never exit."""

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # stopped (a signal, --batch, --max-tasks)
            except DatabaseError:
                # The backend's loop re-raises a failed claim: a restart of PostgreSQL would
                # end the worker and leave every job queued until someone restarted it.
                logger.warning("database unavailable; the worker tries again", exc_info=True)
                connection.close()
                time.sleep(RETRY_SECONDS)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        lease = jobs.leased(
            task_id=str(db_task_result.pk),
            task_path=db_task_result.task_path,
            number=len(db_task_result.worker_ids),
        )
        with lease as current:
            for name in ("set_successful", "set_failed"):
                setattr(db_task_result, name, _unless_lost(getattr(db_task_result, name), current))
            super().run_task(db_task_result)


def _unless_lost(write: Any, current: Any) -> Any:
    def guarded(*args: Any) -> None:
        if current.lost.is_set():
            # Another attempt owns the task now: its outcome is the one that counts.
            logger.warning("task %s: lease lost, result left to the next attempt", current.task_id)
            return
        write(*args)

    return guarded


def _recover() -> None:
    try:
        counts = jobs.tasks_recover()
    except DatabaseError:
        logger.warning("task recovery failed; retrying", exc_info=True)
        return
    if counts.requeued or counts.abandoned:
        logger.warning("recovered %d task(s), gave up %d", counts.requeued, counts.abandoned)


def _watchdog(stop: threading.Event) -> None:
    """Recover lapsed tasks every half lease until the worker stops (own connection)."""
    try:
        while not stop.wait(jobs.lease_seconds() / 2):
            _recover()
            close_old_connections()
    finally:
        connection.close()


class Command(backend_worker.Command):
    help = (
        "后台任务工作进程（带租约：进程中止的任务由其他进程接续）/ "
        "Run the background-task worker (leased: a dead worker's tasks are taken over)"
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # Named host:pid unless told otherwise, so a task's claims say where it ran.
        parser.set_defaults(worker_id=None)

    def handle(self, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        if options.get("reload"):
            logger.info("--reload is not supported by the leased worker; running without it")
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=jobs.worker_name() if options["worker_id"] is None else options["worker_id"],
            excluded_queue_names=excluded,
        )
        _recover()  # the tasks a worker that died before this one left behind
        stop = threading.Event()
        if not options["batch"]:
            threading.Thread(
                target=_watchdog, args=(stop,), name="task-recovery", daemon=True
            ).start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
