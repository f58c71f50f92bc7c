"""Real task workers for fault tests: start ``educredit db_worker``, kill it, start another.

PostgreSQL only (the child processes reach the test's database over TCP). The worker runs
with a short lease so a new one takes a dead one's task over within seconds.

A test pauses a job at a known point by holding, from a session of its own, a row the job's
next transaction writes (``rows_held``): the run row that every chunk of an import and every
batch of a bulk check updates inside its transaction, or a record a window recompute
updates. The job then waits there — in the middle of a transaction, its earlier chunks
committed — until the test kills the worker.

``chain_head_held`` holds the audit chain head's row lock the way a sequencer does while it
integrates a batch (ADR 0044). Writers queue their entries and never take that lock, so a
test holds it around work that must go on regardless: a job's chunks, a takeover, a check.
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
from django.db import connection, connections
from django.db.models import QuerySet

from educredit.audit.models import AuditChainHead
from educredit.core import db_timeouts
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
        """The processes this worker forked (its import pool)."""
        return children_of(self.pid)

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


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (a worker's pool, a server's workers), by
    /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces, so split after its ')'.
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z":
            found.append(int(entry.name))
    return found


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


def someone_waits_on_a_lock(*, role: str | None = None) -> bool:
    """Whether another session of this database waits on a lock (of ``role``'s processes
    only, by their ``application_name`` — "worker", "web", "sequencer": ``core.db_timeouts``)."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    params: list[str] = []
    if role is not None:
        sql += " AND application_name = %s"
        params.append(db_timeouts.role_name(role))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bool(row and row[0])


@contextmanager
def rows_held(rows: QuerySet[Any]) -> Iterator[None]:
    """Hold the row locks of ``rows`` (``SELECT … FOR UPDATE``) from another session until the
    block ends: a job that writes one of them waits there."""
    holder = connections.create_connection(rows.db)
    try:
        holder.set_autocommit(False)
        compiler = rows.select_for_update().values("pk").query.get_compiler(connection=holder)
        sql, params = compiler.as_sql()
        with holder.cursor() as cursor:
            cursor.execute(sql, params)
            if not cursor.fetchall():
                raise AssertionError("no row to hold: the job would not wait")
        yield
    finally:
        try:
            holder.rollback()
        finally:
            holder.close()


@contextmanager
def chain_head_held() -> Iterator[None]:
    """Hold the audit chain head's row lock from another session, as a sequencer does while
    it integrates a batch, until the block ends."""
    AuditChainHead.objects.get_or_create(pk=1)
    with rows_held(AuditChainHead.objects.filter(pk=1)):
        yield
