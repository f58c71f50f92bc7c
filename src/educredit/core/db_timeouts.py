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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django_tasks.signals import task_finished, task_started

logger = logging.getLogger("educredit.db_timeouts")

WEB = "web"
JOB = "job"

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


def _apply(conn: BaseDatabaseWrapper, kind: str | None) -> bool:
    """Give the open connection ``kind``'s time-outs (None: the server's defaults); True when
    it changed."""
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
            else:
                lock, statement = timeouts_ms(kind)
                cursor.execute(
                    "SELECT set_config('lock_timeout', %s, false), "
                    "set_config('statement_timeout', %s, false)",
                    [f"{lock}ms", f"{statement}ms"],
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
    setattr(connection, _APPLIED, None)
    if (kind := _kind.get()) is not None:
        _apply(connection, kind)


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
