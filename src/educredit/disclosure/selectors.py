"""Reads of 双公示 decisions: quality per organisation and month, late and soon-due items.

Definitions (domain rules §1.4–1.5), for the decisions whose decision date falls in the month:

- 及时率 = reported on or before the deadline / decisions whose timeliness is known. A decision
  not reported by its deadline is late (迟报) even before it is reported; one not reported yet
  whose deadline has not passed is *pending* and left out of the rate until it is settled.
- 合规率 = decisions passing every rule / all;  完整率 = decisions with every required field / all.

"Reported" is the platform's first confirmation (``first_reported_at``), on the Beijing
calendar. Everything answers "as of" a date (today by default).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate

from educredit.accounts.models import Organisation
from educredit.core import clock
from educredit.core.workdays import add_working_days
from educredit.disclosure.models import Decision

WARN_WORKING_DAYS = 2  # warn the owner when the deadline is this close


@dataclass(frozen=True)
class Quality:
    """The figures of one organisation (and its subtree) for one month."""

    organisation: Organisation
    month: dt.date  # the first day of the month
    count: int
    on_time: int
    late: int
    pending: int
    compliant: int
    complete: int

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        if whole == 0:
            return None
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def timeliness_rate(self) -> Decimal | None:
        """及时率 in percent (None when nothing is settled yet)."""
        return self._rate(self.on_time, self.on_time + self.late)

    @property
    def compliance_rate(self) -> Decimal | None:
        """合规率 in percent (None for a month without decisions)."""
        return self._rate(self.compliant, self.count)

    @property
    def completeness_rate(self) -> Decimal | None:
        """完整率 in percent (None for a month without decisions)."""
        return self._rate(self.complete, self.count)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month`` and the first day of the next one."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def decisions_of(organisation: Organisation, *, subtree: bool = True) -> QuerySet[Decision]:
    """Reported decisions of ``organisation`` (and, by default, every organisation below it).

    Decisions only prepared (entered, not yet effective: ``last_operation`` empty) are left out.
    """
    decisions = Decision.objects.exclude(last_operation="")
    if subtree:
        return decisions.filter(organisation__path__startswith=organisation.path)
    return decisions.filter(organisation=organisation)


def _with_reported_day(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    return decisions.annotate(reported_day=TruncDate("first_reported_at", tzinfo=clock.BEIJING))


def _late(today: dt.date) -> Q:
    return Q(reported_day__gt=F("deadline")) | Q(first_reported_at__isnull=True, deadline__lt=today)


def _counts(today: dt.date) -> dict[str, Count]:
    return {
        "count": Count("pk"),
        "on_time": Count("pk", filter=Q(reported_day__lte=F("deadline"))),
        "late": Count("pk", filter=_late(today)),
        "pending": Count("pk", filter=Q(first_reported_at__isnull=True, deadline__gte=today)),
        "compliant": Count("pk", filter=Q(compliant=True)),
        "complete": Count("pk", filter=Q(complete=True)),
    }


def quality(
    organisation: Organisation,
    month: dt.date,
    *,
    as_of: dt.date | None = None,
    subtree: bool = True,
) -> Quality:
    """及时率, 合规率 and 完整率 of ``organisation`` (and its subtree) for ``month``."""
    today = as_of or clock.today()
    first, following = month_bounds(month)
    figures = _with_reported_day(
        decisions_of(organisation, subtree=subtree).filter(
            decision_date__gte=first, decision_date__lt=following
        )
    ).aggregate(**_counts(today))
    return Quality(organisation=organisation, month=first, **figures)


def quality_by_child(
    organisation: Organisation, month: dt.date, *, as_of: dt.date | None = None
) -> list[Quality]:
    """The drill-down: the organisation's own decisions, then each direct child's subtree.

    One grouped query; the subtrees are summed in Python by materialised path.
    """
    today = as_of or clock.today()
    first, following = month_bounds(month)
    rows = (
        _with_reported_day(
            decisions_of(organisation).filter(decision_date__gte=first, decision_date__lt=following)
        )
        .values("organisation__path")
        .annotate(**_counts(today))
        .order_by()
    )
    children = list(Organisation.objects.filter(parent=organisation).order_by("path"))
    groups: list[tuple[Organisation, bool]] = [(organisation, False)] + [
        (child, True) for child in children
    ]
    totals = {org.pk: dict.fromkeys(_counts(today), 0) for org, _ in groups}
    for row in rows:
        path = row["organisation__path"]
        owner = organisation
        for child in children:
            if path.startswith(child.path):
                owner = child
                break
        for name in totals[owner.pk]:
            totals[owner.pk][name] += row[name]
    return [Quality(organisation=org, month=first, **totals[org.pk]) for org, _ in groups]


def late_decisions(
    organisation: Organisation, *, as_of: dt.date | None = None, subtree: bool = True
) -> QuerySet[Decision]:
    """迟报: reported after the deadline, or not reported and the deadline has passed."""
    today = as_of or clock.today()
    return (
        _with_reported_day(decisions_of(organisation, subtree=subtree))
        .filter(_late(today))
        .select_related("record", "organisation")
        .order_by("deadline", "pk")
    )


def due_soon(
    organisation: Organisation, *, as_of: dt.date | None = None, subtree: bool = True
) -> QuerySet[Decision]:
    """Not reported yet, due today or within the next two working days (to warn the owner)."""
    today = as_of or clock.today()
    horizon = add_working_days(today, WARN_WORKING_DAYS).date
    return (
        decisions_of(organisation, subtree=subtree)
        .filter(first_reported_at__isnull=True, deadline__gte=today, deadline__lte=horizon)
        .select_related("record", "organisation")
        .order_by("deadline", "pk")
    )


def organisations_to_warn(*, as_of: dt.date | None = None) -> Iterable[Organisation]:
    """Organisations owning at least one decision due within two working days."""
    today = as_of or clock.today()
    horizon = add_working_days(today, WARN_WORKING_DAYS).date
    return Organisation.objects.filter(
        disclosure_decisions__first_reported_at__isnull=True,
        disclosure_decisions__deadline__gte=today,
        disclosure_decisions__deadline__lte=horizon,
    ).distinct()
