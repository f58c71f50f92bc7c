"""Background work of subjects' rights: the hourly scan of the query log for anomalies."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from educredit.core import clock
from educredit.rights.alerts import query_alerts_scan

# Each scan looks back over the last two whole hours and the current one: a scan that was
# late or missed is covered by the next, and a repeated window raises nothing twice.
LOOK_BACK = dt.timedelta(hours=2)


def query_alerts_recent(*, now: dt.datetime | None = None) -> int:
    """Scan the recent query log (from two whole hours back until now); new alerts made."""
    now = now or clock.now()
    since = (now - LOOK_BACK).astimezone(clock.BEIJING).replace(minute=0, second=0, microsecond=0)
    return query_alerts_scan(since=since, until=now + dt.timedelta(seconds=1))


@task()
def query_alerts_task() -> int:
    """Run ``query_alerts_recent`` (enqueue hourly; safe to run twice)."""
    return query_alerts_recent()
