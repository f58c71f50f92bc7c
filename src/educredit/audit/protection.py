"""Append-only protection of the audit tables in the database itself.

Triggers refuse every UPDATE and DELETE on the entry, bulk-member, tree-head, sequenced-leaf
and tree-node tables (migrations ``0004_append_only_triggers``, ``0005_sequenced_log``); the
chain-head row and the sequencer's queue stay writable. On SQLite the
triggers call ``educredit_audit_guard()``, a function every Django connection registers: it
answers 1 (refuse) except while ``flush`` empties the whole database, which on PostgreSQL is a
``TRUNCATE`` that row triggers do not see. A connection that lacks the function (the
``sqlite3`` shell) fails on it, so it is refused too. Someone with rights to drop triggers can
still edit the tables; the hash chain, the entry MACs and the signed tree heads are what make
such edits visible (``educredit audit verify``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

PROTECTED_TABLES = (
    "audit_auditentry",
    "audit_auditbulkmember",
    "audit_treehead",
    "audit_sequencedleaf",
    "audit_auditnode",
)
SQLITE_GUARD_FUNCTION = "educredit_audit_guard"

_state = threading.local()


def trigger_names(vendor: str) -> list[str]:
    """The names of the protection triggers on ``vendor`` (``sqlite`` or ``postgresql``)."""
    if vendor == "postgresql":
        return [f"{table}_append_only" for table in PROTECTED_TABLES]
    return [f"{table}_no_{op}" for table in PROTECTED_TABLES for op in ("update", "delete")]


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Protection triggers that should exist on ``connection`` but do not."""
    expected = trigger_names(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
                [expected],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            return []
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


def _guard() -> int:
    return 0 if getattr(_state, "suspended", False) else 1


def register_sqlite_guard(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: give SQLite connections the guard function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_GUARD_FUNCTION, 0, _guard)


@contextlib.contextmanager
def protection_suspended() -> Iterator[None]:
    """Let this thread delete audit rows on SQLite: only for ``flush`` of the whole database."""
    previous = getattr(_state, "suspended", False)
    _state.suspended = True
    try:
        yield
    finally:
        _state.suspended = previous
