"""Day events: the outward notice ON the day a restriction's term starts or lapses.

A change event (``created`` / ``changed`` / ``ended`` / ``withdrawn``) goes out when a
restriction row is written, carrying ``starts_on`` / ``ends_on``; a term that was announced
weeks ahead then starts, or runs out, on a day nobody writes anything. ``day_events_run``
appends, for one Beijing day D:

- ``in_force`` (开始执行) for each restriction with ``starts_on == D``;
- ``lapsed`` (期满解除) for each restriction with ``ends_on == D`` (``ends_on`` is exclusive:
  D is the first day the subject is clear), whatever ended it (``ended_by`` is copied);

but only for a restriction whose latest change event is from before D: one announced on D
itself (a record approved today, a repair that ends the term today) already told the business
system what holds today. Each (restriction, kind, day) is appended once — the events'
conditional unique constraint makes a second run, or an attempt resumed after a crash, append
nothing more; chunks commit on their own, so a crash keeps what was committed. The feed and
the webhooks deliver them like any other event (``initiations.events_after``).

Screening itself needs no job: ``verdict_for(as_of=)`` reads ``starts_on <= day < ends_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from educredit.core import clock
from educredit.sanctions.initiations import _event
from educredit.sanctions.models import (
    InitiationDayRun,
    InitiationEvent,
    InitiationEventKind,
    Restriction,
)

CHUNK = 1000
# How many missed days the nightly task catches up after a stopped scheduler (the scheduler
# enqueues only the latest missed slot, so the task itself walks back to the last finished day).
CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class DayEvents:
    """What one day holds after a run (totals of the day, not of this run alone)."""

    day: dt.date
    in_force: int
    lapsed: int
    appended: int


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.BEIJING)


def _candidates(day: dt.date) -> list[int]:
    """Ids of the restrictions starting or lapsing on ``day`` last announced before it."""
    start = _day_start(day)
    announced = InitiationEvent.objects.filter(restriction_id=OuterRef("pk"), day__isnull=True)
    return list(
        Restriction.objects.filter(Q(starts_on=day) | Q(ends_on=day))
        .filter(Exists(announced.filter(created_at__lt=start)))
        .exclude(Exists(announced.filter(created_at__gte=start)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _kinds(row: Restriction, day: dt.date) -> list[str]:
    kinds: list[str] = []
    if row.starts_on == day and (row.ends_on is None or row.ends_on > day):
        kinds.append(InitiationEventKind.IN_FORCE)
    if row.ends_on == day:
        kinds.append(InitiationEventKind.LAPSED)
    return kinds


@transaction.atomic
def _append_chunk(ids: list[int], day: dt.date) -> int:
    """Append the chunk's missing day events in one transaction; how many were new."""
    done = set(
        InitiationEvent.objects.filter(restriction_id__in=ids, day=day).values_list(
            "restriction_id", "kind"
        )
    )
    at = timezone.now()
    events = [
        _event(row, kind, at, day)
        for row in Restriction.objects.filter(pk__in=ids).order_by("pk")
        for kind in _kinds(row, day)
        if (row.pk, kind) not in done
    ]
    # A concurrent run's rows lose to the constraint instead of failing the chunk.
    InitiationEvent.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)


def day_events_run(*, day: dt.date | None = None) -> DayEvents:
    """Append the ``in_force`` / ``lapsed`` events of ``day`` (today in Beijing by default)."""
    on = day or clock.today()
    run, _created = InitiationDayRun.objects.get_or_create(
        day=on, defaults={"started_at": timezone.now()}
    )
    InitiationDayRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    ids = _candidates(on)
    appended = 0
    for start in range(0, len(ids), CHUNK):
        appended += _append_chunk(ids[start : start + CHUNK], on)
    of_day = InitiationEvent.objects.filter(day=on)
    result = DayEvents(
        day=on,
        in_force=of_day.filter(kind=InitiationEventKind.IN_FORCE).count(),
        lapsed=of_day.filter(kind=InitiationEventKind.LAPSED).count(),
        appended=appended,
    )
    InitiationDayRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        runs=run.runs + 1,
        in_force=result.in_force,
        lapsed=result.lapsed,
    )
    return result


def days_due(today: dt.date) -> list[dt.date]:
    """Today, after the days since the last finished run (at most ``CATCH_UP_DAYS`` back)."""
    last = InitiationDayRun.objects.filter(finished_at__isnull=False).aggregate(last=Max("day"))[
        "last"
    ]
    first = today
    if last is not None and last < today:
        first = max(last + dt.timedelta(days=1), today - dt.timedelta(days=CATCH_UP_DAYS - 1))
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]
