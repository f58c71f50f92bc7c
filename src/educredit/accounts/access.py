"""The version of what API requests are checked against, and each process's memory of it.

API clients (key hash, scopes, rate limit, whether revoked) and business scenarios change a few
times a year and are read by every API call. Each web process keeps them in memory
(``VersionedMemo``) and reads, per request, only ``ApiAccessVersion``'s token: one indexed
read of one row. Every change to such a row gives the token a new value in the same
transaction (the ``post_save`` / ``post_delete`` receivers connected in the apps' ``ready``),
so the first request that starts after the change commits reads the new token, drops the
memory and reads the rows again: a revoked key is refused at once (ADR 0043).

A change made behind Django's back (``QuerySet.update``, SQL by hand) bumps nothing: call
``access_changed()`` in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.db import connection

from educredit.accounts.models import ApiAccessVersion

V = TypeVar("V")

# Entries one process keeps per memo at most (a cap, not a working size: clients and
# scenarios are a few hundred); past it the memo starts afresh.
MEMO_LIMIT = 10_000


def _table() -> str:
    return connection.ops.quote_name(ApiAccessVersion._meta.db_table)


def access_version() -> int:
    """The current token (0 before the first change): one indexed read of one row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {_table()} WHERE id = 1")  # noqa: S608 (quoted name)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def access_changed() -> None:
    """Give the version a new token, in the caller's transaction (one upsert, both engines)."""
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, token) VALUES (1, %s) "  # noqa: S608 (quoted name)
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token",
            [secrets.randbits(62) + 1],
        )


def on_access_row_changed(sender: Any, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` receiver for the models API requests are checked
    against (``ApiClient``, ``sanctions.Scenario``)."""
    if kwargs.get("raw"):
        return  # loaddata: the rows arrive as they were; a fixture load is no change of ours
    access_changed()


class VersionedMemo(Generic[V]):
    """A per-process memory of rows valid for one access version: asked with the version the
    request read, it forgets everything when that version is not the one it holds."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._items: dict[Hashable, V] = {}

    def get(self, version: int, key: Hashable, load: Callable[[], V | None]) -> V | None:
        """The value for ``key`` under ``version``, from ``load()`` when not held (a None
        from ``load`` is not kept: a key that does not exist is asked for again)."""
        if version != self._version or len(self._items) >= MEMO_LIMIT:
            # ``load`` reads after ``version`` was read, so what it returns is at least as new
            # as ``version``: a change committed in between moves the next request's version.
            self._items = {}
            self._version = version
        try:
            return self._items[key]
        except KeyError:
            pass
        value = load()
        if value is not None:
            self._items[key] = value
        return value

    def peek(self, key: Hashable) -> tuple[int, V] | None:
        """(version, value) held for ``key``, without asking whether it is still current."""
        if self._version is None or key not in self._items:
            return None
        return self._version, self._items[key]

    def clear(self) -> None:
        """Forget everything (tests, or after a change made behind Django's back)."""
        self._items = {}
        self._version = None
