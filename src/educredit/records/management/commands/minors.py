"""``educredit minors``: flag the records decided while their person was a minor.

For records entered before the flag existed (new records are flagged on entry); audited,
idempotent, and the restrictions they grounded are dropped in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from educredit.records.minors import credit_record_minor_flags_apply

ACTOR = "system:minors-command"


class Command(BaseCommand):
    help = "未成年时作出的记录 / Flag the records decided while their person was a minor."

    def handle(self, *args: Any, **options: Any) -> None:
        flagged = credit_record_minor_flags_apply(actor=ACTOR)
        self.stdout.write(f"已标记 {flagged} 条 / flagged {flagged}")
