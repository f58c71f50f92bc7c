"""Staff pages of 双公示: enter one decision (validated as you type), and reporting quality.

- The entry form (``entry_penalty`` / ``entry_licence``) posts a national row; its script
  posts the same form to ``entry_check_*`` on each change and shows ``RowValidator``'s errors
  inline. Saving validates again, finds the subject within the user's jurisdiction and goes
  through ``disclosure.entry.decision_enter`` (records and disclosure services).
- The quality page shows one organisation (the user's, or one below it: 404 otherwise) for one
  month: 及时率, 合规率, 完整率 per direct child as a table and a bar chart, the 迟报 list and the
  decisions due within two working days; the same figures download as XLSX.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.models import Organisation
from educredit.accounts.permissions import access_staff
from educredit.accounts.selectors import access_organisation_for_user
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock
from educredit.core.exports import Sheet, xlsx_workbook_response
from educredit.disclosure import entry, selectors
from educredit.disclosure import national as n
from educredit.disclosure.forms import (
    DecisionEntryForm,
    QualityFilterForm,
    entry_defaults,
    localised,
)
from educredit.disclosure.validation import RowResult, RowValidator
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource, CreditRecordStatus
from educredit.records.models import CreditRecord

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
LIST_LIMIT = 100  # rows of the 迟报 and due-soon lists shown on the page

# The menu entries of ``web/navigation.py``, named here too so that makemessages keeps their
# English in this app's catalogue.
MENU_LABELS = (
    pgettext_lazy("navigation", "双公示录入"),
    gettext_lazy("逐条录入行政处罚、行政许可决定，边填边校验"),
    pgettext_lazy("navigation", "双公示质量"),
    gettext_lazy("各单位按月的及时率、合规率、完整率与迟报清单"),
)


# --- entry --------------------------------------------------------------------------------


def _check_subject(
    request: HttpRequest, kind: str, result: RowResult, existing: CreditRecord | None
) -> dict[str, list[str]]:
    """Problems the database knows of: an unregistered party, a decision already locked."""
    problems: dict[str, list[str]] = {}
    p = "CF" if kind == "penalty" else "XK"
    party_codes = {f"{p}{suffix}" for suffix in ("_XDR_MC", "_XDR_LB", "_XDR_SHXYM")}
    party_codes |= {f"{p}_XDR_ZJLX", f"{p}_XDR_ZJHM"}
    if not any(error.code in party_codes for error in result.errors):
        index = entry.subject_index(request.user, kind, result.values)  # type: ignore[arg-type]
        if index.subject_of(kind, result.values) is None:
            problems.setdefault(f"{p}_XDR_MC", []).append(
                _("管辖范围内没有登记此行政相对人（按统一社会信用代码或证件号码查找）")
            )
    code = n.DOCUMENT_NUMBER[kind]
    if existing is not None:
        if not request.user.organisation.covers(existing.organisation):  # type: ignore[union-attr]
            problems.setdefault(code, []).append(_("该决定已由其他单位录入"))
        elif existing.status != CreditRecordStatus.DRAFT:
            problems.setdefault(code, []).append(
                _("该决定已录入并已提交或生效，请在记录页面申请更正")
            )
    return {key: [localised(str(m)) for m in value] for key, value in problems.items()}


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_POST
def entry_check(request: HttpRequest, kind: str) -> JsonResponse:
    """Validate the posted row as the user types: errors per field code, and two flags."""
    form = DecisionEntryForm(kind, request.POST)
    result = RowValidator(kind).validate(form.row())
    errors: dict[str, list[str]] = {}
    for error in result.errors:
        errors.setdefault(error.code, []).append(localised(error.message))
    notices: list[str] = []
    existing = entry.existing_record(kind, result.values)
    for code, found in _check_subject(request, kind, result, existing).items():
        errors.setdefault(code, []).extend(found)
    if existing is not None and existing.status == CreditRecordStatus.DRAFT and not errors:
        notices.append(_("已有此文书号的草稿，保存将更新该草稿。"))
    return JsonResponse(
        {
            "errors": errors,
            "complete": result.complete,
            "compliant": result.compliant,
            "count": sum(len(v) for v in errors.values()),
            "notices": notices,
        }
    )


def _entry(request: HttpRequest, kind: str) -> HttpResponse:
    user: Any = request.user
    form = DecisionEntryForm(
        kind, request.POST or None, initial=entry_defaults(kind, user.organisation)
    )
    locked = None
    if request.method == "POST":
        result = RowValidator(kind).validate(form.row())
        form_ok = form.is_valid()
        form.put_errors(result)
        if form_ok and result.ok:
            item = catalog_item_by_code(form.catalog_item_code)
            try:
                if item is None:
                    raise entry.EntryError("", _("现行目录中没有此条目"))
                outcome = entry.decision_enter(
                    actor=user,
                    kind=kind,
                    values=result.values,
                    catalog_item=item,
                    procedure=form.cleaned_data["procedure"],
                    submit=request.POST.get("action") == "submit",
                    source=CreditRecordSource.PAGE,
                )
            except entry.EntryError as exc:
                form.add_error(exc.code if exc.code in form.fields else None, localised(str(exc)))
            except records.RecordError as exc:
                for message in exc.errors.values():
                    form.add_error(None, localised(message))
            except PermissionDenied as exc:
                form.add_error(None, localised(str(exc)))
            else:
                if outcome.outcome == entry.LOCKED:
                    locked = outcome.record
                    form.add_error(
                        n.DOCUMENT_NUMBER[kind],
                        _(
                            "该决定已提交审核或已生效，不能在此修改；如需修改，请在记录页面申请"
                            "更正。"
                        ),
                    )
                else:
                    messages.success(request, _entry_message(outcome))
                    return redirect(
                        "records:record_detail", credit_record_id=outcome.record.public_id
                    )
    return render(
        request,
        "disclosure/entry.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": _("行政处罚") if kind == "penalty" else _("行政许可"),
            "locked": locked,
        },
    )


def _entry_message(outcome: entry.EntryOutcome) -> str:
    submitted = outcome.record.status == CreditRecordStatus.SUBMITTED
    if outcome.outcome == entry.CREATED:
        return _("决定已录入并提交审核。") if submitted else _("决定已保存为草稿。")
    if outcome.outcome == entry.UPDATED:
        return _("已更新此文书号的草稿并提交审核。") if submitted else _("已更新此文书号的草稿。")
    return _("此文书号的草稿内容未变。")


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_http_methods(["GET", "POST"])
def entry_penalty(request: HttpRequest) -> HttpResponse:
    """Enter one 行政处罚 decision in the national layout."""
    return _entry(request, "penalty")


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_http_methods(["GET", "POST"])
def entry_licence(request: HttpRequest) -> HttpResponse:
    """Enter one 行政许可 decision in the national layout."""
    return _entry(request, "licence")


# --- quality ------------------------------------------------------------------------------


CHART_BAR_AREA = 300  # SVG units a 100 % bar spans (the chart is 400 units wide)


@dataclass(frozen=True)
class Bar:
    """One bar of the chart: which rate, its value, where it sits and how long it is."""

    key: str
    label: str
    value: Decimal | None
    y: int
    width: float

    @property
    def text_x(self) -> float:
        return self.width + 4


@dataclass(frozen=True)
class ChartRow:
    """One organisation's bars."""

    name: str
    y: int
    bars: list[Bar]


def _total(rows: list[selectors.Quality], organisation: Organisation) -> selectors.Quality:
    names = ("count", "on_time", "late", "pending", "compliant", "complete")
    sums = {name: sum(getattr(row, name) for row in rows) for name in names}
    return selectors.Quality(organisation=organisation, month=rows[0].month, **sums)


def _chart(rows: list[tuple[str, selectors.Quality]]) -> dict[str, Any]:
    group = 58
    chart_rows = []
    for index, (name, quality) in enumerate(rows):
        top = 4 + index * group
        rates = (
            ("timeliness", _("及时率"), quality.timeliness_rate),
            ("compliance", _("合规率"), quality.compliance_rate),
            ("completeness", _("完整率"), quality.completeness_rate),
        )
        bars = [
            Bar(
                key,
                str(label),
                value,
                top + 16 + i * 13,
                float(value or 0) * CHART_BAR_AREA / 100,
            )
            for i, (key, label, value) in enumerate(rates)
        ]
        chart_rows.append(ChartRow(name, top + 11, bars))
    return {"rows": chart_rows, "height": 8 + group * len(rows)}


def _quality_context(request: HttpRequest, organisation: Organisation) -> dict[str, Any]:
    today = clock.today()
    form = QualityFilterForm(request.GET or None)
    month = form.month_or(today)
    first, following = selectors.month_bounds(month)
    by_child = selectors.quality_by_child(organisation, month, as_of=today)
    total = _total(by_child, organisation)
    own, children = by_child[0], by_child[1:]
    labelled = [(_("合计"), total), (_("本单位直接录入"), own)]
    labelled += [(child.organisation.name, child) for child in children]
    late = selectors.late_decisions(organisation, as_of=today).filter(
        decision_date__gte=first, decision_date__lt=following
    )
    due = selectors.due_soon(organisation, as_of=today)
    return {
        "organisation": organisation,
        "month": first,
        "month_value": first.strftime("%Y-%m"),
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": following.strftime("%Y-%m") if following <= today else "",
        "form": form,
        "total": total,
        "own": own,
        "children": children,
        "chart": _chart(labelled),
        "late": list(late[:LIST_LIMIT]),
        "due": list(due[:LIST_LIMIT]),
        "late_all": late,  # the export lists every one
        "due_all": due,
        "today": today,
        "list_limit": LIST_LIMIT,
    }


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """Reporting quality of the user's organisation (and below) for a month."""
    organisation: Any = request.user.organisation  # type: ignore[union-attr]
    return render(request, "disclosure/quality.html", _quality_context(request, organisation))


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def quality_of(request: HttpRequest, org_id: str) -> HttpResponse:
    """The drill-down: one organisation within the user's jurisdiction (404 otherwise)."""
    organisation = access_organisation_for_user(request.user, org_id)
    return render(request, "disclosure/quality.html", _quality_context(request, organisation))


def _rate(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _sheets(context: dict[str, Any]) -> list[Sheet]:
    """The quality table, then the late and due-soon decisions, one sheet each."""
    rows = [(_("合计"), context["total"]), (_("本单位直接录入"), context["own"])]
    rows += [(child.organisation.name, child) for child in context["children"]]
    quality = Sheet(
        _("质量"),
        [
            _("单位"),
            _("决定数"),
            _("按时"),
            _("迟报"),
            _("未到期待报"),
            _("合规"),
            _("完整"),
            _("及时率（%）"),
            _("合规率（%）"),
            _("完整率（%）"),
        ],
        [
            [
                str(name),
                q.count,
                q.on_time,
                q.late,
                q.pending,
                q.compliant,
                q.complete,
                _rate(q.timeliness_rate),
                _rate(q.compliance_rate),
                _rate(q.completeness_rate),
            ]
            for name, q in rows
        ],
        caption=[context["organisation"].name, context["month_value"]],
    )
    listing_headers = [
        _("类别"),
        _("决定文书号"),
        _("单位"),
        _("决定日期"),
        _("报送截止日期"),
        _("报送时间"),
    ]
    listings = [
        Sheet(
            title,
            listing_headers,
            (
                [
                    str(decision.get_kind_display()),
                    decision.document_number,
                    decision.organisation.name,
                    decision.decision_date,
                    decision.deadline,
                    decision.first_reported_at,
                ]
                for decision in decisions.iterator(chunk_size=2000)
            ),
        )
        for title, decisions in (
            (_("迟报"), context["late_all"]),
            (_("即将到期"), context["due_all"]),
        )
    ]
    return [quality, *listings]


def _export(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    context = _quality_context(request, organisation)
    filename = f"disclosure-quality-{context['month_value']}.xlsx"
    return xlsx_workbook_response(filename, _sheets(context))


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def quality_export(request: HttpRequest) -> HttpResponse:
    """The quality figures of the user's organisation as XLSX."""
    organisation: Any = request.user.organisation  # type: ignore[union-attr]
    return _export(request, organisation)


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def quality_of_export(request: HttpRequest, org_id: str) -> HttpResponse:
    """The quality figures of one organisation within the jurisdiction as XLSX."""
    return _export(request, access_organisation_for_user(request.user, org_id))
