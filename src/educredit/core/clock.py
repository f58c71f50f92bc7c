"""The platform's notion of "now": Beijing time (Asia/Shanghai), whatever the server's zone.

Deadlines, birth dates and disclosure windows are calendar dates in China. Services that
answer "as of" a moment take an explicit ``as_of`` and fall back to these functions, so tests
pass dates instead of patching the clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

BEIJING = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The current moment as an aware datetime in Beijing time."""
    return timezone.now().astimezone(BEIJING)


def today() -> dt.date:
    """Today's date in Beijing (what a clerk in Zhengzhou calls today)."""
    return now().date()


def local_date(moment: dt.datetime) -> dt.date:
    """The Beijing calendar date of an aware datetime (a decision stamped 23:30 UTC is tomorrow)."""
    if timezone.is_naive(moment):
        raise ValueError("local_date needs an aware datetime")
    return moment.astimezone(BEIJING).date()
