"""Real task workers for fault tests: start ``educredit db_worker``, kill it, start another.

PostgreSQL only (the child processes reach the test's database over TCP). The worker runs
with a short lease so a new one takes a dead one's task over within seconds. A test pauses a
job at a known point by holding the audit chain head's lock (``chain_head_held``): every
chunk of an import, every batch of a bulk check and the end of a window recompute append to
the chain, so the job waits there — in the middle, with its earlier chunks committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from educredit.audit.models import AuditChainHead
from educredit.testing.database import child_database_url

LEASE_SECONDS = 2


class WorkerKilled(BaseException):
    """In-process stand-in for SIGKILL: no ``except Exception`` of the job sees it, nothing is
    cleaned up (the resume tests raise it in the middle of a chunk)."""


class Worker:
    """One ``educredit db_worker`` process on the test's database."""

    def __init__(self, *, var_dir: Path, env: dict[str, str] | None = None) -> None:
        self.log = var_dir / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": child_database_url(),
            "EDUCREDIT_VAR_DIR": str(var_dir),
            "EDUCREDIT_KEY_FILE": str(settings.KEY_FILE),
            "EDUCREDIT_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            **(env or {}),
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "educredit.cli", "db_worker", "--interval", "0.2"],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def children(self) -> list[int]:
        """The processes this worker forked (its import pool), by /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …: comm may hold spaces, so split after its ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL: no clean-up, no chance to mark anything (the crash under test)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll until ``condition()`` is truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


@contextmanager
def chain_head_held() -> Iterator[None]:
    """Hold the audit chain head's row lock (as an appender does) until the block ends."""
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        yield
