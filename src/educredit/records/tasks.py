"""Background work of the records app: the daily disclosure-window job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from educredit.core import clock
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.windows import windows_recompute_all

DAILY_ACTOR = "system:daily"


def windows_expire_due(*, actor: Any = DAILY_ACTOR, as_of: dt.date | None = None) -> int:
    """Move effective records whose window has ended to 已届满, each through its service.

    Idempotent: a record already expired is not effective any more and is not found again.
    Each record moves in its own transaction (``credit_record_expire``), audited and logged.
    """
    from educredit.records.services import credit_record_expire

    as_of = as_of or clock.today()
    due = CreditRecord.objects.filter(
        status=CreditRecordStatus.EFFECTIVE, public_until__isnull=False, public_until__lte=as_of
    ).order_by("pk")
    moved = 0
    for record in due.iterator(chunk_size=500):
        credit_record_expire(actor=actor, record=record)
        moved += 1
    return moved


def windows_daily(*, as_of: dt.date | None = None) -> dict[str, int]:
    """The daily job: recompute every window (lists change), then expire the ended ones."""
    as_of = as_of or clock.today()
    counts = windows_recompute_all(actor=DAILY_ACTOR, as_of=as_of)
    expired = windows_expire_due(actor=DAILY_ACTOR, as_of=as_of)
    return {"examined": counts.examined, "changed": counts.changed, "expired": expired}


@task()
def windows_daily_task() -> dict[str, int]:
    """Run ``windows_daily`` for today (enqueue once a day; safe to run twice)."""
    return windows_daily()
