"""``flush`` that may empty the append-only audit tables too (SQLite needs telling).

Emptying the whole database is the one deletion the audit tables allow: on PostgreSQL flush
is a ``TRUNCATE``, which the row triggers do not see; on SQLite it is ``DELETE FROM``, which
they refuse unless the guard is suspended for this thread. Test teardown uses flush.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from educredit.audit.protection import protection_suspended


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with protection_suspended():
            super().handle(**options)
