"""PostgreSQL lock and statement time-outs per kind of work (ADR 0039).

A web request waits at most ``EDUCREDIT_DB_LOCK_TIMEOUT_MS`` for a row lock and runs no
statement longer than ``EDUCREDIT_DB_STATEMENT_TIMEOUT_MS`` (5 s and 30 s unless set); a
background task gets ``EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS`` and
``EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS`` (60 s and 10 min). ``0`` means no limit. Commands
run by hand (``load``, ``migrate``, ``audit verify``, ``backup``) keep the server's defaults.
A time-out raises ``OperationalError``, which a request answers with 503 and ``Retry-After``
(``core.refusals``); a task fails and is retried or reported by its job mechanism.

The kind of work is a context variable: ``RequestTimeoutsMiddleware`` sets "web" around a
request; django_tasks' ``task_started`` / ``task_finished`` signals set "job" around a task
(in the worker, and in the immediate backend the tests use, where a task runs inside the
request that enqueued it). A connection opened during the work gets its kind's values when it
is created (``connection_created``), so a web process with persistent connections pays one
``set_config`` per connection, not per request. A connection already open with another kind
(a test's, a task run inside a request) is switched at the start and switched back at the end.
The settings are sent through the driver's own connection, not Django's cursor, so they never
count as the page's queries. Nothing happens on SQLite, which has neither setting.

**Who is who in ``pg_stat_activity``.** The same statement names the connection
(``application_name``) by the role of the work: ``educredit web`` for a request,
``educredit worker`` for a task and for ``educredit db_worker``'s own polling,
``educredit sequencer`` for ``educredit audit sequence`` (and for code run inside
``work(SEQUENCER)``, with the job's time-outs), ``educredit <command>`` for any other command
(``educredit migrate``…). An operator (or ``bench/screening_lock_wait.py``) tells a check
waiting on a lock from an import waiting on one by that name.

**A kept connection that died is dropped before a request uses it.** With persistent
connections (``educredit serve``), a PostgreSQL restart or fail-over kills every idle
connection without the process noticing: Django only checks a connection after an error on
it, so each process's first request after the restart would fail on the dead one (503).
At the start of every request, an idle PostgreSQL connection whose socket has something to
read is closed: an idle session is sent nothing but the server's "terminating connection"
notice and the end of the stream. A ``poll`` with no wait, no round trip to the server; the
request then opens a fresh connection (or answers 503 if the database is still down).
"""

from __future__ import annotations

import logging
import re
import select
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_started
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_tasks.signals import task_finished, task_started

logger = logging.getLogger("educredit.db_timeouts")

WEB = "web"
JOB = "job"
SEQUENCER = "sequencer"

# application_name by kind of work: what pg_stat_activity shows operators.
ROLES = {WEB: "web", JOB: "worker", SEQUENCER: "sequencer"}
APPLICATION_PREFIX = "educredit "
_NAME_MAX = 63  # PostgreSQL keeps NAMEDATALEN - 1 bytes of application_name

_kind: ContextVar[str | None] = ContextVar("educredit_db_work", default=None)
_APPLIED = "_educredit_work_kind"  # on the connection wrapper: the kind whose values it holds
_UNKNOWN = "?"  # setting them failed: set them again next time


def current_kind() -> str | None:
    """The kind of work this thread is doing: "web", "job" or None (a command)."""
    return _kind.get()


def timeouts_ms(kind: str) -> tuple[int, int]:
    """(lock_timeout, statement_timeout) in milliseconds for ``kind``."""
    if kind == WEB:
        return settings.EDUCREDIT_DB_LOCK_TIMEOUT_MS, settings.EDUCREDIT_DB_STATEMENT_TIMEOUT_MS
    return (
        settings.EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS,
        settings.EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS,
    )


# Commands whose process has a role of its own: the worker's polling and claiming (its tasks
# run as JOB work, "worker" too), the sequencer service beside ``educredit serve``.
COMMAND_ROLES = {("db_worker",): "worker", ("audit", "sequence"): "sequencer"}


def _command_name() -> str:
    """The role of the command this process runs ("worker", "sequencer", else the command's
    name: ``educredit migrate`` → "migrate"), or the program's name."""
    argv = sys.argv or [""]
    program = argv[0].replace("\\", "/").rsplit("/", 1)[-1]
    if program in ("educredit", "manage.py", "cli.py", "__main__.py") and len(argv) > 1:
        for words, role in COMMAND_ROLES.items():
            if tuple(argv[1 : 1 + len(words)]) == words:
                return role
        return argv[1]
    return program or "python"


def role_name(role: str) -> str:
    """``application_name`` of a role ("web", "worker", "sequencer", a command's name):
    "educredit <role>", in printable ASCII and short enough for PostgreSQL to keep whole."""
    return re.sub(r"[^\x20-\x7e]", "?", APPLICATION_PREFIX + role)[:_NAME_MAX]


def application_name(kind: str | None) -> str:
    """``application_name`` for ``kind`` of work ("educredit web", "educredit worker",
    "educredit sequencer"), or for this process's command outside any."""
    return role_name(ROLES.get(kind, kind) if kind is not None else _command_name())


def _apply(conn: BaseDatabaseWrapper, kind: str | None) -> bool:
    """Give the open connection ``kind``'s time-outs (None: the server's defaults) and name;
    True when it changed."""
    if conn.vendor != "postgresql" or conn.connection is None:
        return False
    if getattr(conn, _APPLIED, None) == kind:
        return False
    import psycopg

    try:
        with conn.connection.cursor() as cursor:
            if kind is None:
                cursor.execute("RESET lock_timeout")
                cursor.execute("RESET statement_timeout")
                cursor.execute(
                    "SELECT set_config('application_name', %s, false)", [application_name(None)]
                )
            else:
                lock, statement = timeouts_ms(kind)
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, false), "
                    "set_config('statement_timeout', %s, false), "
                    "set_config('application_name', %s, false)",
                    [f"{lock}ms", f"{statement}ms", application_name(kind)],
                )
    except psycopg.Error as exc:
        # A broken or aborted connection: its next use fails on its own account.
        logger.warning("could not set the %s time-outs: %s", kind or "default", exc)
        setattr(conn, _APPLIED, _UNKNOWN)
        return True
    setattr(conn, _APPLIED, kind)
    return True


def _switch(kind: str | None) -> tuple[Any, list[str]]:
    token = _kind.set(kind)
    changed = [conn.alias for conn in connections.all(initialized_only=True) if _apply(conn, kind)]
    return token, changed


def _switch_back(changed: list[str]) -> None:
    kind = _kind.get()
    for alias in changed:
        _apply(connections[alias], kind)


@contextmanager
def work(kind: str) -> Iterator[None]:
    """Run the block as ``kind`` of work (its time-outs on every connection it uses)."""
    token, changed = _switch(kind)
    try:
        yield
    finally:
        _kind.reset(token)
        _switch_back(changed)


@receiver(connection_created)
def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    kind = _kind.get()
    if kind is None:
        _name(connection)
    else:
        _apply(connection, kind)


def _name(conn: BaseDatabaseWrapper) -> None:
    """A new connection outside any kind of work: the server's time-outs, the command's name."""
    setattr(conn, _APPLIED, None)
    if conn.vendor != "postgresql" or conn.connection is None:
        return
    import psycopg

    try:
        with conn.connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('application_name', %s, false)", [application_name(None)]
            )
    except psycopg.Error as exc:
        logger.warning("could not name the connection: %s", exc)


# --- kept connections that died ---------------------------------------------------------------


def connection_dead(conn: BaseDatabaseWrapper) -> bool:
    """Whether an open, idle PostgreSQL connection is known dead without asking the server:
    the driver saw it break, or its socket is readable (an idle session is sent nothing but
    the server's termination notice and end of stream)."""
    raw = conn.connection
    if conn.vendor != "postgresql" or raw is None or conn.in_atomic_block:
        return False
    if raw.closed or raw.broken:
        return True
    try:
        fd = raw.fileno()
    except Exception:  # a driver that cannot say has no usable socket
        return True
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


@receiver(request_started)
def _drop_dead_connections(sender: Any, **kwargs: Any) -> None:
    """Before a request: close kept connections the server ended while they sat idle, so the
    request opens a fresh one instead of failing on the dead one."""
    for conn in connections.all(initialized_only=True):
        if connection_dead(conn):
            logger.info("dropping the %s connection the server closed", conn.alias)
            conn.close()


# Tasks: the signals come in pairs on the thread that runs the task (nested inside a request
# with the immediate backend), so a stack per thread restores what was there before.
_tasks = threading.local()


@receiver(task_started)
def _on_task_started(sender: Any, **kwargs: Any) -> None:
    previous = _kind.get()
    _token, changed = _switch(JOB)
    stack = getattr(_tasks, "stack", None)
    if stack is None:
        stack = _tasks.stack = []
    stack.append((previous, changed))


@receiver(task_finished)
def _on_task_finished(sender: Any, **kwargs: Any) -> None:
    stack = getattr(_tasks, "stack", None)
    if not stack:
        return
    previous, changed = stack.pop()
    _kind.set(previous)
    _switch_back(changed)


class RequestTimeoutsMiddleware:
    """Every request runs as web work: the short lock and statement time-outs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with work(WEB):
            return self.get_response(request)
