"""The loop dashboard (联合奖惩成效): hits, feedback rate and outcomes by measure, scenario and
organisation, with the hits behind them and an XLSX export (ADR 0023).

Staff only, over the checks of business systems their jurisdiction covers. A fixed number of
queries whatever the data: one per table, one for the hit list, one for scenario names.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from educredit.accounts.choices import Power
from educredit.accounts.permissions import access_staff
from educredit.core import clock
from educredit.core.exports import Sheet, xlsx_workbook_response
from educredit.rights.approvals import bulk_access_guard, canonical_parameters
from educredit.rights.purpose import staff_read_log
from educredit.sanctions import dashboard
from educredit.sanctions.choices import MeasureVerdict
from educredit.sanctions.feedback import overdue_cutoff, overdue_q
from educredit.sanctions.forms import LoopFilterForm
from educredit.sanctions.models import CheckFeedbackOutcome, ScreeningCheck
from educredit.sanctions.selectors import scenarios
from educredit.sanctions.views import scenario_label
from educredit.subjects.choices import QueryKind

LIST_LIMIT = 200
CHART_BAR_AREA = 300  # SVG units the largest row spans (the chart is 400 units wide)
CHART_ROW = 24


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: an outcome (or pending) and its share of the row's hits."""

    key: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class ChartRow:
    name: str
    y: int
    hits: int
    rate: Decimal | None
    segments: list[Segment]
    text_x: float


def _chart(rows: list[dashboard.LoopFigures]) -> dict[str, Any]:
    """Stacked bars per scenario: each outcome, then hits without feedback, scaled to the
    largest row."""
    most = max((row.hits for row in rows), default=0) or 1
    labels = dict(CheckFeedbackOutcome.choices)
    chart_rows = []
    for index, row in enumerate(rows):
        x = 0.0
        segments = []
        parts = [*row.outcome_list(), ("pending", row.pending)]
        for key, count in parts:
            width = count * CHART_BAR_AREA / most
            label = _("未反馈") if key == "pending" else str(labels[key])
            segments.append(Segment(key, label, count, x, width))
            x += width
        chart_rows.append(
            ChartRow(row.label, 4 + index * CHART_ROW, row.hits, row.feedback_rate, segments, x + 4)
        )
    return {"rows": chart_rows, "height": 8 + CHART_ROW * len(rows)}


def mask_name(name: str) -> str:
    """A person's name with all but the first character hidden (李老师 → 李**)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def verdict_label(verdict: str) -> str:
    """限制 / 重点审查 in the active language."""
    labels = dict(MeasureVerdict.choices)
    return str(labels[verdict]) if verdict in labels else verdict


def _subject(check: ScreeningCheck) -> str:
    if check.institution is not None:
        return check.institution.name
    if check.person is not None:
        return mask_name(check.person.name)
    return "—"


def _status(check: ScreeningCheck, cutoff: Any) -> tuple[str, str]:
    """(key, label) of what became of the hit: an outcome, 未反馈 or 逾期未反馈."""
    feedback = getattr(check, "feedback", None)
    if feedback is not None:
        return feedback.outcome, str(feedback.get_outcome_display())
    if clock.local_date(check.created_at) <= cutoff:
        return "overdue", _("逾期未反馈")
    return "pending", _("未反馈")


def _context(request: HttpRequest) -> dict[str, Any]:
    today = clock.today()
    form = LoopFilterForm(request.GET or None)
    filters = form.cleaned(today)
    hits = dashboard.loop_hits_visible_to(
        request.user, start=filters["start"], end=filters["end"], as_of=today
    )
    names = {scenario.code: scenario_label(scenario) for scenario in scenarios()}
    by_scenario = dashboard.by_scenario(hits, today)
    for row in by_scenario:
        row.label = names.get(row.key, row.key)
    by_organisation = dashboard.by_organisation(hits, today)
    by_measure = dashboard.by_measure(hits, today)
    for row in by_measure:
        row.label = row.key or _("姓名或名称不一致")
    listed = hits
    if filters["scenario"]:
        listed = listed.filter(scenario=filters["scenario"])
    if filters["organisation"] is not None:
        # Within the reader's hits: an id outside the jurisdiction simply finds nothing.
        listed = listed.filter(organisation__public_id=filters["organisation"])
    if filters["overdue"]:
        listed = listed.filter(overdue_q(today))
    cutoff = overdue_cutoff(today)
    hit_rows = [
        (
            check,
            names.get(check.scenario, check.scenario),
            verdict_label(check.verdict),
            _subject(check),
            *_status(check, cutoff),
        )
        for check in dashboard.hit_list(listed)[:LIST_LIMIT]
    ]
    base = {"start": filters["start"].isoformat(), "end": filters["end"].isoformat()}
    return {
        "form": form,
        "filters": filters,
        "query": urlencode(base),
        "export_query": request.GET.urlencode(),
        "total": dashboard.total_of(by_scenario, _("合计")),
        "by_scenario": by_scenario,
        "by_organisation": by_organisation,
        "by_measure": by_measure,
        "chart": _chart(by_scenario),
        "outcomes": CheckFeedbackOutcome.choices,
        "hit_rows": hit_rows,
        "listed": listed,
        "scenario_names": names,
        # The chosen scenario by its name (its code is for business systems).
        "scenario_label": names.get(filters["scenario"], filters["scenario"]),
        "list_limit": LIST_LIMIT,
        "today": today,
    }


@access_staff(powers=[Power.SUPERVISION])
@require_GET
def loop(request: HttpRequest) -> HttpResponse:
    """The loop's effectiveness over the user's jurisdiction for a date range."""
    context = _context(request)
    checks = [row[0] for row in context["hit_rows"]]
    staff_read_log(
        request,
        persons=[check.person for check in checks],
        institutions=[check.institution for check in checks],
    )
    return render(request, "sanctions/loop.html", context)


def _figures_sheet(title: str, rows: list[dashboard.LoopFigures]) -> Sheet:
    outcomes = [str(label) for _value, label in CheckFeedbackOutcome.choices]
    return Sheet(
        title,
        [title, _("命中"), _("已反馈"), _("反馈率（%）"), *outcomes, _("逾期未反馈")],
        [
            [
                row.label,
                row.hits,
                row.feedback,
                float(row.feedback_rate) if row.feedback_rate is not None else None,
                *[count for _key, count in row.outcome_list()],
                row.overdue,
            ]
            for row in rows
        ],
    )


@access_staff(powers=[Power.SUPERVISION])
@require_GET
def loop_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables and every listed hit as XLSX."""
    context = _context(request)
    hits = list(dashboard.hit_list(context["listed"]))
    persons = {check.person_id: check.person for check in hits if check.person_id}
    institutions = {check.institution_id: check.institution for check in hits if check.institution}
    stopped = bulk_access_guard(
        request,
        "sanctions:loop_export",
        canonical_parameters(request),
        len(persons) + len(institutions),
    )
    if stopped is not None:
        return stopped
    staff_read_log(
        request,
        persons=persons.values(),
        institutions=institutions.values(),
        kind=QueryKind.EXPORT,
    )
    cutoff = overdue_cutoff(context["today"])
    hit_rows = [
        [
            str(check.public_id),
            check.created_at,
            check.client.name if check.client else "",
            context["scenario_names"].get(check.scenario, check.scenario),
            verdict_label(check.verdict),
            _subject(check),
            _status(check, cutoff)[1],
        ]
        for check in hits
    ]
    hit_headers = [
        _("核查编号"),
        _("核查时间"),
        _("接口调用方"),
        _("业务场景"),
        _("筛查结论"),
        _("主体"),
        _("反馈"),
    ]
    filters = context["filters"]
    name = f"sanctions-loop-{filters['start']:%Y%m%d}-{filters['end']:%Y%m%d}.xlsx"
    return xlsx_workbook_response(
        name,
        [
            _figures_sheet(_("措施"), context["by_measure"]),
            _figures_sheet(_("业务场景"), context["by_scenario"]),
            _figures_sheet(_("单位"), context["by_organisation"]),
            Sheet(_("命中明细"), hit_headers, hit_rows),
        ],
    )
