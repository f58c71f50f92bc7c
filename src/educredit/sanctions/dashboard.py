"""The loop's effectiveness (联合奖惩成效): hits, feedback and outcomes by measure, scenario
and organisation, over the checks the reader's jurisdiction covers (ADR 0023).

The reader sees the checks of business systems owned by their organisation and those below
it (``screening_checks_of``: the province sees all). Each table is one grouped query; the
by-measure table reads the measures column of the period's hits in one query and counts in
Python, because a check's measures are a JSON list and unnesting it differs between SQLite
and PostgreSQL (as the measure-list filters do, ``selectors``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BooleanField as BoolField
from django.db.models import Case, Count, Q, QuerySet, Value, When

from educredit.core import clock
from educredit.sanctions.feedback import HIT_VERDICTS, overdue_q
from educredit.sanctions.models import CheckFeedbackOutcome, ScreeningCheck
from educredit.sanctions.screening import screening_checks_of

OUTCOMES = tuple(CheckFeedbackOutcome.values)
NO_MEASURE = ""  # a name-mismatch "review": a hit without a measure


@dataclass
class LoopFigures:
    """Hits and what became of them, for one measure, scenario or organisation."""

    key: str
    label: str = ""
    hits: int = 0
    overdue: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    @property
    def feedback(self) -> int:
        return sum(self.outcomes.values())

    @property
    def pending(self) -> int:
        """Hits without feedback (overdue or not yet)."""
        return self.hits - self.feedback

    @property
    def feedback_rate(self) -> Decimal | None:
        """Feedback ÷ hits, in per cent to one decimal; None without hits."""
        if not self.hits:
            return None
        rate = Decimal(self.feedback * 100) / Decimal(self.hits)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def outcome_list(self) -> list[tuple[str, int]]:
        return [(outcome, self.outcomes[outcome]) for outcome in OUTCOMES]


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Beijing midnight of ``start`` and of the day after ``end`` (the range is inclusive)."""
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=clock.BEIJING),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.BEIJING),
    )


def loop_hits_visible_to(
    user: Any,
    *,
    start: dt.date,
    end: dt.date,
    scenario: str = "",
    organisation_id: int | None = None,
    overdue_only: bool = False,
    as_of: dt.date | None = None,
) -> QuerySet[ScreeningCheck]:
    """Hits by business systems in the reader's jurisdiction checked between the dates."""
    lo, hi = period_bounds(start, end)
    hits: QuerySet[ScreeningCheck] = screening_checks_of(user).filter(
        client__isnull=False, verdict__in=HIT_VERDICTS, created_at__gte=lo, created_at__lt=hi
    )
    if scenario:
        hits = hits.filter(scenario=scenario)
    if organisation_id is not None:
        hits = hits.filter(organisation_id=organisation_id)
    if overdue_only:
        hits = hits.filter(overdue_q(as_of))
    return hits


def _counts(as_of: dt.date | None) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "hits": Count("id"),
        "overdue": Count("id", filter=overdue_q(as_of)),
    }
    for outcome in OUTCOMES:
        counts[f"o_{outcome}"] = Count("id", filter=Q(feedback__outcome=outcome))
    return counts


def _figures(row: Mapping[str, Any], key: str, label: str) -> LoopFigures:
    return LoopFigures(
        key=key,
        label=label,
        hits=row["hits"],
        overdue=row["overdue"],
        outcomes={outcome: row[f"o_{outcome}"] for outcome in OUTCOMES},
    )


def by_scenario(hits: QuerySet[ScreeningCheck], as_of: dt.date | None = None) -> list[LoopFigures]:
    """One row per scenario with hits (one query), most hits first."""
    rows = hits.order_by().values("scenario").annotate(**_counts(as_of))
    found = [_figures(row, row["scenario"], row["scenario"]) for row in rows]
    return sorted(found, key=lambda f: (-f.hits, f.key))


def by_organisation(
    hits: QuerySet[ScreeningCheck], as_of: dt.date | None = None
) -> list[LoopFigures]:
    """One row per organisation owning the checking systems (one query), most hits first."""
    rows = (
        hits.order_by()
        .values("organisation__public_id", "organisation__name")
        .annotate(**_counts(as_of))
    )
    found = [
        _figures(row, str(row["organisation__public_id"]), row["organisation__name"])
        for row in rows
    ]
    return sorted(found, key=lambda f: (-f.hits, f.label))


def by_measure(hits: QuerySet[ScreeningCheck], as_of: dt.date | None = None) -> list[LoopFigures]:
    """One row per measure code (a check with two measures counts for each; one query)."""
    flagged = hits.order_by().annotate(
        is_overdue=Case(
            When(overdue_q(as_of), then=Value(True)), default=Value(False), output_field=BoolField()
        )
    )
    table: dict[str, LoopFigures] = defaultdict(lambda: LoopFigures(key=""))
    rows: Iterable[tuple[Any, Any, Any]] = flagged.values_list(
        "measures", "feedback__outcome", "is_overdue"
    ).iterator(chunk_size=2000)
    for measures, outcome, is_overdue in rows:
        codes = list(dict.fromkeys(m.get("code", "") for m in measures or [])) or [NO_MEASURE]
        for code in codes:
            figures = table[code]
            figures.key = figures.label = code
            figures.hits += 1
            figures.overdue += int(bool(is_overdue))
            if outcome in figures.outcomes:
                figures.outcomes[outcome] += 1
    return sorted(table.values(), key=lambda f: (-f.hits, f.key))


def total_of(rows: list[LoopFigures], label: str) -> LoopFigures:
    """The sum of rows that partition the hits (scenarios or organisations, not measures)."""
    total = LoopFigures(key="", label=label)
    for row in rows:
        total.hits += row.hits
        total.overdue += row.overdue
        for outcome in OUTCOMES:
            total.outcomes[outcome] += row.outcomes[outcome]
    return total


def hit_list(hits: QuerySet[ScreeningCheck]) -> QuerySet[ScreeningCheck]:
    """The drill-down table: newest first, with what each row shows (one query)."""
    return hits.select_related(
        "client", "organisation", "institution", "person", "feedback"
    ).order_by("-created_at", "-pk")
