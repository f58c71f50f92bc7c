"""Pages of the measure list: the list, the scenarios and the export for every staff user;
drafts, measure edits and publication for the provincial department's administrators.

The measure list is province-wide reference data, not an object of any jurisdiction, so
versions and measures are addressed by query parameters (``?v=2``, ``?id=<uuid>``) rather than
URL kwargs, as the catalog's pages are. Writes go through ``sanctions.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff
from educredit.catalog.services import catalog_editor
from educredit.editions.views import edition_from_query
from educredit.records.choices import CreditListKind
from educredit.sanctions import selectors, services
from educredit.sanctions.choices import MeasureListVersionStatus
from educredit.sanctions.forms import (
    MeasureFilterForm,
    MeasureForm,
    MeasureListDraftForm,
    MeasureListPublishForm,
)
from educredit.sanctions.models import Measure, MeasureListVersion, Scenario
from educredit.sanctions.spreadsheet import export_measure_list


def _english() -> bool:
    return (get_language() or "").startswith("en")


def scenario_label(scenario: Scenario) -> str:
    """The scenario's name in the active language."""
    return scenario.name_en if _english() else scenario.name


def _version(request: HttpRequest, *, default_in_force: bool = False) -> MeasureListVersion:
    """The version named by ``?v=<number>`` (else the one in force, if asked), else 404."""
    return edition_from_query(
        request, MeasureListVersion, default=_in_force_or_latest if default_in_force else None
    )


def _in_force_or_latest() -> MeasureListVersion | None:
    return selectors.measure_list_in_force() or selectors.measure_list_versions().first()


def _measure(request: HttpRequest) -> Measure:
    measure = selectors.measure_by_public_id(request.GET.get("id", ""))
    if measure is None:
        raise Http404
    return measure


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _require_editor(request: HttpRequest) -> None:
    if not catalog_editor(request.user):
        raise PermissionDenied


def _list_url(version: MeasureListVersion) -> str:
    return f"{reverse('sanctions:measure_list')}?v={version.number}"


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _field_label(labels: dict[str, dict[str, str]], item_codes: list[str], field: str) -> str:
    """The label a trigger item gives ``field`` (its name if none does)."""
    for code in item_codes:
        label = labels.get(code, {}).get(field)
        if label:
            return label
    return field


@access_staff()
@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    """The measures of a version (the one in force by default), filtered, with the five
    columns of Henan §29, triggers, scenarios and duration in words."""
    versions = list(selectors.measure_list_versions())
    if not versions:
        return render(request, "sanctions/measure_list.html", {"version": None})
    version = _version(request, default_in_force=True)
    all_scenarios = {scenario.code: scenario for scenario in selectors.scenarios()}
    items = selectors.catalog_item_names(version.effective_from)
    labels = selectors.catalog_field_labels(version.effective_from)
    rows = selectors.measures(version)
    trigger_codes = sorted({code for m in rows for code in m.trigger_items})
    lists = dict(CreditListKind.choices)
    triggers = [(code, f"{code} {items.get(code, '')}".strip()) for code in trigger_codes] + [
        (f"list:{kind}", str(label)) for kind, label in lists.items()
    ]
    form = MeasureFilterForm(
        request.GET,
        scenarios=[(code, scenario_label(s)) for code, s in all_scenarios.items()],
        triggers=triggers,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    shown = selectors.measures(
        version,
        direction=filters.get("direction", ""),
        scenario=filters.get("scenario", ""),
        subject_type=filters.get("subject_type", ""),
        trigger=filters.get("trigger", ""),
    )
    cards = [
        {
            "measure": measure,
            "duration": measure.duration_text(),
            "scenarios": [
                (code, scenario_label(all_scenarios[code]) if code in all_scenarios else code)
                for code in measure.scenarios
            ],
            "items": [(code, items.get(code, "")) for code in measure.trigger_items],
            "lists": [lists.get(kind, kind) for kind in measure.trigger_lists],
            "where": [
                (_field_label(labels, measure.trigger_items, field), values)
                for field, values in measure.trigger_where.items()
            ],
        }
        for measure in shown
    ]
    is_draft = version.status == MeasureListVersionStatus.DRAFT
    return render(
        request,
        "sanctions/measure_list.html",
        {
            "version": version,
            "versions": versions,
            "current": selectors.measure_list_in_force(),
            "form": form,
            "cards": cards,
            "total": len(rows),
            "is_draft": is_draft,
            "can_edit": catalog_editor(request.user),
        },
    )


@access_staff()
@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    """The business-scenario codes business systems pass when they screen a subject."""
    return render(
        request, "sanctions/scenario_list.html", {"scenarios": list(selectors.scenarios())}
    )


@access_staff()
@require_GET
def measure_export(request: HttpRequest) -> HttpResponse:
    """The version as an XLSX workbook."""
    version = _version(request, default_in_force=True)
    response = HttpResponse(
        export_measure_list(version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="measures-v{version.number}.xlsx"'
    return response


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def version_draft(request: HttpRequest) -> HttpResponse:
    """A new draft, copied from the version in force."""
    _require_editor(request)
    form = MeasureListDraftForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.measure_list_version_draft(
                actor=request.user, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已创建草稿第 %(n)s 版。") % {"n": version.number})
            return redirect(_list_url(version))
    return render(request, "sanctions/version_form.html", {"form": form})


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest) -> HttpResponse:
    """Edit a measure of a draft version."""
    _require_editor(request)
    measure = _measure(request)
    if measure.version.status != MeasureListVersionStatus.DRAFT:
        raise PermissionDenied
    choices = [(s.code, scenario_label(s)) for s in selectors.scenarios(include_retired=False)]
    form = MeasureForm(
        _posted(request), initial=MeasureForm.initial_for(measure), scenarios=choices
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(actor=request.user, measure=measure, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_list_url(measure.version))
    return render(request, "sanctions/measure_form.html", {"form": form, "measure": measure})


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest) -> HttpResponse:
    """Publish a draft from a given day, replacing the version in force from then."""
    _require_editor(request)
    version = _version(request)
    if version.status != MeasureListVersionStatus.DRAFT:
        raise PermissionDenied
    form = MeasureListPublishForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_list_version_publish(
                actor=request.user, version=version, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已发布第 %(n)s 版。") % {"n": version.number})
            return redirect(_list_url(version))
    return render(
        request,
        "sanctions/publish_form.html",
        {"form": form, "version": version, "current": selectors.measure_list_in_force()},
    )
