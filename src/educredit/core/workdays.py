"""Working days on the official calendar (法定工作日), for every deadline the platform computes.

Sources, strongest first:

1. the ``Holiday`` table, which administrators fill in when the State Council publishes a
   year's schedule (国务院办公厅关于某年部分节假日安排的通知) — it overrides the package;
2. the ``chinesecalendar`` package (holidays and make-up working days up to its last year);
3. for a year neither knows: Monday to Friday only, and the answer is marked *provisional*.

Nothing here raises for an unknown year: a deadline in 2027 is answered today (provisionally)
and becomes official once the 2027 schedule is entered. Deadlines count from the day after
the starting date: ``add_working_days(decision_date, 7)`` is the 7th working day after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_calendar
from django.utils.translation import gettext as _

from educredit.core.models import Holiday

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingDayResult:
    """A date reached by counting working days, with how sure it is and why."""

    date: dt.date
    provisional: bool  # True when a year without a published schedule was counted
    rule: str  # e.g. "7个工作日（国务院办公厅2026年节假日安排）"


@dataclass(frozen=True)
class WorkingDayCount:
    """A number of working days between two dates, with how sure it is and why."""

    days: int
    provisional: bool
    rule: str


@dataclass(frozen=True)
class _Override:
    is_workday: bool
    source: str


def _package_years() -> range:
    """The years the installed ``chinesecalendar`` has data for."""
    return range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


class WorkingCalendar:
    """The calendar as known at load time; load once to compute many deadlines."""

    def __init__(self, overrides: Mapping[dt.date, _Override]) -> None:
        self._overrides = dict(overrides)
        self._package_years = _package_years()
        self._table_years: dict[int, list[str]] = {}
        for day, override in sorted(self._overrides.items()):
            sources = self._table_years.setdefault(day.year, [])
            if override.source and override.source not in sources:
                sources.append(override.source)

    @classmethod
    def load(cls) -> WorkingCalendar:
        """Read every ``Holiday`` row (a few dozen a year) into a calendar."""
        rows = Holiday.objects.values_list("date", "is_workday", "source")
        return cls({day: _Override(workday, source) for day, workday, source in rows})

    def is_published(self, year: int) -> bool:
        """Whether ``year``'s holiday schedule is known (package or table)."""
        return year in self._package_years or year in self._table_years

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (weekends only for an unpublished year)."""
        override = self._overrides.get(day)
        if override is not None:
            return override.is_workday
        if day.year in self._package_years:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # the package's own range check disagrees: fall back
                pass
        return day.weekday() < 5

    def add(self, start: dt.date, days: int) -> WorkingDayResult:
        """The ``days``-th working day after ``start`` (before it when ``days`` is negative)."""
        step = ONE_DAY if days >= 0 else -ONE_DAY
        day, remaining, counted = start, abs(days), []
        while remaining:
            day += step
            counted.append(day)
            if self.is_working_day(day):
                remaining -= 1
        provisional, rule = self._explain(abs(days), counted)
        return WorkingDayResult(date=day, provisional=provisional, rule=rule)

    def between(self, start: dt.date, end: dt.date) -> WorkingDayCount:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        low, high, sign = (start, end, 1) if start <= end else (end, start, -1)
        counted = [low + ONE_DAY * offset for offset in range(1, (high - low).days + 1)]
        days = sum(1 for day in counted if self.is_working_day(day))
        provisional, rule = self._explain(days, counted)
        return WorkingDayCount(days=sign * days, provisional=provisional, rule=rule)

    def _explain(self, days: int, counted: Iterable[dt.date]) -> tuple[bool, str]:
        """Whether the count touched an unpublished year, and the rule shown to users."""
        years = sorted({day.year for day in counted})
        published = [year for year in years if self.is_published(year)]
        unpublished = [year for year in years if not self.is_published(year)]
        sources = "、".join(self._source_label(year) for year in published)
        pending = "、".join(str(year) for year in unpublished)
        if not unpublished:
            rule = (
                _("%(days)s个工作日（%(sources)s）") % {"days": days, "sources": sources}
                if sources
                else _("%(days)s个工作日") % {"days": days}
            )
        elif not published:
            rule = _("%(days)s个工作日，仅按周末推算（%(years)s年安排尚未公布）") % {
                "days": days,
                "years": pending,
            }
        else:
            rule = _("%(days)s个工作日（%(sources)s；%(years)s年安排尚未公布，仅按周末推算）") % {
                "days": days,
                "sources": sources,
                "years": pending,
            }
        return bool(unpublished), rule

    def _source_label(self, year: int) -> str:
        labels = []
        if year in self._package_years or not self._table_years.get(year):
            labels.append(_("国务院办公厅%(year)s年节假日安排") % {"year": year})
        labels.extend(self._table_years.get(year, []))
        return "、".join(labels)


def working_calendar() -> WorkingCalendar:
    """The calendar as it stands now (package plus the ``Holiday`` table)."""
    return WorkingCalendar.load()


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day on the official calendar."""
    return working_calendar().is_working_day(day)


def add_working_days(start: dt.date, days: int) -> WorkingDayResult:
    """The ``days``-th working day after ``start``, whether it is provisional, and the rule."""
    return working_calendar().add(start, days)


def working_days_between(start: dt.date, end: dt.date) -> WorkingDayCount:
    """How many working days fall after ``start`` up to and including ``end``."""
    return working_calendar().between(start, end)
