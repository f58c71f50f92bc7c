"""``educredit scheduler [--once | --list] [--tick SECONDS]``: enqueue the periodic jobs.

Every few seconds it enqueues the jobs declared in ``educredit.core.schedule.JOBS`` whose
current slot no scheduler has enqueued yet; the task worker (``educredit db_worker``) runs
them. Run one beside the workers on each machine, or several: a slot is enqueued once
however many tick (ADR 0019).

- ``--once``: one tick, then exit (tests; a cron line if you prefer cron to a process);
- ``--list``: the declared jobs, their cadence and next slot, and exit.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from educredit.core import clock
from educredit.core.models import ScheduledRun
from educredit.core.schedule import JOBS, Enqueued, scheduler_tick

logger = logging.getLogger("educredit.scheduler")


class Command(BaseCommand):
    help = (
        "定时任务调度：按代码中声明的时间表排入后台任务（每个时刻只排入一次）/ "
        "Scheduler: enqueue the periodic jobs declared in code, each slot once"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="只检查一次后退出 / tick once, then exit",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            help="列出定时任务及下次时刻 / list the jobs and their next slot",
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=5.0,
            help="检查间隔（秒），默认 5 / seconds between ticks (default 5)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for job in JOBS:
            job.task()  # a wrong path fails now, not at 02:00
        if options["list"]:
            self._list()
            return
        if options["once"]:
            self._report(scheduler_tick())
            return
        self._loop(max(options["tick"], 0.5))

    def _list(self) -> None:
        now = clock.now()
        for job in JOBS:
            last = ScheduledRun.objects.filter(job=job.name).order_by("-slot").first()
            last_text = last.slot.astimezone(clock.BEIJING).isoformat() if last else "—"
            self.stdout.write(f"{job.name}: {job.cadence.describe()}")
            self.stdout.write(f"  任务 / task: {job.task_path}")
            self.stdout.write(
                f"  上次 / last: {last_text}  下次 / next: {job.cadence.next_slot(now).isoformat()}"
            )

    def _report(self, enqueued: list[Enqueued]) -> None:
        for item in enqueued:
            self.stdout.write(
                f"已排入 / enqueued {item.job} {item.slot.isoformat()} → {item.task_result_id}"
            )

    def _loop(self, tick: float) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            f"调度进程已启动，{len(JOBS)} 个定时任务 / scheduler started, {len(JOBS)} jobs"
        )
        while not stop.is_set():
            # A long-lived process: drop connections the database or CONN_MAX_AGE closed.
            close_old_connections()
            try:
                self._report(scheduler_tick())
            except DatabaseError:
                # The database is away for a moment: the slot is still due at the next tick.
                logger.exception("scheduler tick failed; retrying")
            self.stdout.flush()
            stop.wait(tick)
        self.stdout.write("调度进程已停止 / scheduler stopped")
