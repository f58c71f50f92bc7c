"""Reads that must all see one state of the database, without taking any lock.

PostgreSQL's default (read committed) gives every statement its own snapshot, so a write that
commits between two statements of a reader is seen by the second but not by the first. Inside
``consistent_read()`` the transaction is repeatable read and read-only: its first statement
fixes one snapshot for every statement after it, and nobody waits for the reader. SQLite
needs nothing: its transactions (IMMEDIATE here) already exclude writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def consistent_read() -> Iterator[None]:
    """A read-only transaction in which every statement sees the same snapshot.

    Nested in a transaction that has already begun (a test's, or a caller's), the isolation
    level can no longer change: the block then simply runs in that transaction.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
