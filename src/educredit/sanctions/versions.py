"""The screening data version (ADR 0042): which state of the restrictions a check saw.

One counter (``ScreeningDataVersion``, a singleton row) that every transaction changing what a
check reads bumps in that transaction: the restriction rows, written only by
``sanctions.restrictions``, which also appends their history (``RestrictionChange``) under the
version it bumped to. Nothing else a verdict or its measures depend on changes in place: a
published measure is immutable (only drafts are edited), and a basis's public id never changes.

Why a version read in a check's snapshot names exactly one restriction state:

- Writers serialise on the counter's row lock (``screening_data_lock``), taken at the start
  of the writing transaction, before it reads the rows it will change. Under PostgreSQL's
  READ COMMITTED the second writer waits for the first one's commit, then reads the committed
  counter and bumps past it, so versions are committed in their order: a snapshot that shows
  the transaction of version V shows every transaction of a lower version.
- A transaction's counter update and its restriction writes become visible together (one
  commit), so a snapshot that shows version V shows all of V's rows and none of V + 1's.
- A check only reads the counter, in the same snapshot as the restrictions: the same
  statement (``screening_data_version_sql`` as a scalar subquery) or the same repeatable-read
  transaction (``core.snapshot.consistent_read`` then ``screening_data_version``). It never
  locks anything a writer holds.
- SQLite: a write transaction (IMMEDIATE) excludes other writers, and a reader's statement or
  transaction sees one committed state, so the same holds.

A transaction that writes several batches (a recomputation) bumps once per batch: the
versions in between are never visible to anyone, and the history of the last one includes
them all.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from educredit.sanctions.models import ScreeningDataVersion

SINGLETON = 1


def screening_data_version() -> int:
    """The screening data version the caller's snapshot sees (0 before any change).

    A plain read: call it inside the check's snapshot (``consistent_read``), never to lock.
    """
    found = ScreeningDataVersion.objects.filter(pk=SINGLETON).values_list("version", flat=True)
    return int(found[0]) if found else 0


def screening_data_version_sql() -> str:
    """The version as a scalar subquery, for a check that reads everything in ONE statement
    (one statement sees one snapshot on every engine)."""
    table = connection.ops.quote_name(ScreeningDataVersion._meta.db_table)
    column = connection.ops.quote_name(ScreeningDataVersion._meta.get_field("version").column)
    return f"COALESCE((SELECT {column} FROM {table} WHERE id = {SINGLETON}), 0)"  # noqa: S608 (quoted names)


def screening_data_lock() -> int:
    """Take the counter's row lock for the rest of the caller's transaction and return the
    current version. Every writer of screening data calls it first (the caller holds the
    transaction); writers wait for each other here, checks never do."""
    locked = ScreeningDataVersion.objects.select_for_update().filter(pk=SINGLETON)
    found = locked.values_list("version", flat=True)
    if not found:
        # The first write ever (or after a test flushed the table): create the row, then lock
        # it; a concurrent creator's row wins and is locked instead.
        ScreeningDataVersion.objects.bulk_create(
            [ScreeningDataVersion(pk=SINGLETON)], ignore_conflicts=True
        )
        found = locked.values_list("version", flat=True)
    return int(found[0])


def screening_data_bump() -> int:
    """The next version, for a transaction that changes screening data: bumps the counter
    (locking it, if ``screening_data_lock`` has not) and returns the new value, with which the
    caller labels the history it writes."""
    screening_data_lock()
    ScreeningDataVersion.objects.filter(pk=SINGLETON).update(version=F("version") + 1)
    return screening_data_version()


def screening_history_from() -> int:
    """The first version whose restriction state the history holds in full (0: all of them)."""
    found = ScreeningDataVersion.objects.filter(pk=SINGLETON).values_list("history_from", flat=True)
    return int(found[0]) if found else 0


__all__ = [
    "screening_data_bump",
    "screening_data_lock",
    "screening_data_version",
    "screening_data_version_sql",
    "screening_history_from",
]
