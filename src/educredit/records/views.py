"""Staff pages of credit records: list, entry, detail with life-cycle actions, review queue,
spreadsheet import.

Every view declares its access rule; every record is fetched through
``access_credit_record_for_user`` (404 outside the jurisdiction); every write goes through a
service. Identity numbers travel only by POST and appear only masked.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.catalog.choices import SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core.exports import Column, export_wanted, list_export
from educredit.records import audit_trail, imports, lifecycle, selectors, services
from educredit.records.choices import CreditRecordSource, CreditRecordStatus
from educredit.records.forms import (
    ItemChoiceForm,
    RecordEntryForm,
    RecordFilterForm,
    RecordImportForm,
    TransitionForm,
    current_items,
)
from educredit.records.models import CreditRecord
from educredit.rights.list_exports import export_subject_list, subject_identifier, subject_name
from educredit.rights.purpose import staff_read_log
from educredit.subjects.choices import QueryPurpose
from educredit.subjects.models import Institution, Person
from educredit.subjects.selectors import institutions_visible_to, person_find
from educredit.web.paging import filters_query_string, page_of
from educredit.web.plain_words import sees_technical_detail

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
REVIEWERS = (UserRole.REVIEWER, UserRole.ADMIN)
REPORT_SESSION_KEY = "records_import_report"

# The records menu entries of ``web/navigation.py``, named here too so that makemessages keeps
# their English in this app's catalogue.
MENU_LABELS = (
    pgettext_lazy("navigation", "信用记录"),
    pgettext_lazy("navigation", "记录审核"),
    gettext_lazy("录入、审核和管理信用记录"),
    gettext_lazy("待审核的信用记录"),
)


# The columns of the records list and the review queue, as exported (ADR 0036).
RECORD_COLUMNS = (
    Column(gettext_lazy("事由"), lambda r: r.title),
    Column(gettext_lazy("决定文书号"), lambda r: r.decision_number),
    Column(gettext_lazy("主体"), subject_name),
    Column(gettext_lazy("统一社会信用代码或证件号码"), subject_identifier),
    Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
    Column(gettext_lazy("目录条目"), lambda r: r.catalog_item.name),
    Column(gettext_lazy("决定日期"), lambda r: r.decision_date),
    Column(gettext_lazy("录入单位"), lambda r: r.organisation.name),
    Column(gettext_lazy("记录编号"), lambda r: str(r.public_id)),
)


@list_export
@access_staff()
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """Records in the user's jurisdiction, filtered by status, item, subject and date;
    ``?export=xlsx`` answers the whole filter as a file."""
    form = RecordFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.credit_record_search(
        request.user,
        status=filters.get("status", ""),
        item=filters.get("item"),
        q=filters.get("q", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    if export_wanted(request):
        return export_subject_list(
            request, records, RECORD_COLUMNS, stem="credit-records", sheet=_("信用记录")
        )
    page = page_of(request, records)
    _log_records_shown(request, page.object_list)
    return render(
        request,
        "records/record_list.html",
        {"form": form, "page": page, "query": filters_query_string(request)},
    )


def _log_records_shown(request: HttpRequest, records: Any) -> None:
    """Query log (Henan §24): one batch for the subjects of the records on the page."""
    shown = list(records)
    staff_read_log(
        request,
        persons=[record.person for record in shown],
        institutions=[record.institution for record in shown],
    )


@list_export
@access_staff(*REVIEWERS)
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted records awaiting review, oldest first (``?export=xlsx``: all of them)."""
    queue = selectors.review_queue_for(request.user)
    if export_wanted(request):
        return export_subject_list(
            request, queue, RECORD_COLUMNS, stem="review-queue", sheet=_("待审核记录")
        )
    # A hundred a page: a reviewer ticks a whole imported batch in a few pages.
    page = page_of(request, queue, size=100)
    _log_records_shown(request, page.object_list)
    return render(request, "records/review_queue.html", {"page": page})


# One request approves at most what a page of the queue shows, several pages' worth at most.
BULK_APPROVE_LIMIT = 200


@access_staff(*REVIEWERS)
@require_POST
def review_approve(request: HttpRequest) -> HttpResponse:
    """Approve the ticked records of the queue, each through its own service call.

    Each record keeps its own checks (two-person rule, status, jurisdiction); those refused
    are named with the reason, the others are approved.
    """
    wanted = request.POST.getlist("records")[:BULK_APPROVE_LIMIT]
    queue = selectors.review_queue_for(request.user)
    found = {str(r.public_id): r for r in queue.filter(public_id__in=_uuids(wanted))}
    approved, refused = 0, []
    for public_id in wanted:
        record = found.get(public_id)
        if record is None:
            refused.append(_("%(id)s：不在待审核队列中") % {"id": public_id[:8]})
            continue
        try:
            services.credit_record_approve(
                actor=request.user,  # type: ignore[arg-type]
                record=record,
                reason=request.POST.get("reason", "").strip(),
            )
        except (services.RecordError, PermissionDenied) as exc:
            refused.append(f"{record.title}：{exc}")
        else:
            approved += 1
    if approved:
        messages.success(request, _("已审核通过 %(n)d 条记录。") % {"n": approved})
    if refused:
        messages.error(
            request,
            _("%(n)d 条未通过：%(list)s")
            % {
                "n": len(refused),
                "list": "；".join(refused[:5]) + ("…" if len(refused) > 5 else ""),
            },
        )
    if not wanted:
        messages.error(request, _("请先勾选要审核通过的记录。"))
    return redirect("records:review_queue")


def _uuids(values: list[str]) -> list[str]:
    """The values that are UUIDs (anything else matches no record)."""
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


def _find_institution(user: Any, query: str) -> Institution | None:
    query = " ".join(query.split())
    if not query:
        return None
    visible = institutions_visible_to(user)
    found = visible.filter(uscc=query.upper()).first()
    if found is not None:
        return found
    matches = list(visible.filter(name=query)[:2])
    return matches[0] if len(matches) == 1 else None


def _find_person(user: Any, document_type: str, number: str) -> Person | None:
    if not number.strip():
        return None
    return person_find(
        user=user, document_type=document_type, id_number=number, purpose=QueryPurpose.RECORD_ENTRY
    )


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    """Entry: choose an item (GET ``?item=``), then fill the fields it defines (POST)."""
    chooser = ItemChoiceForm(
        request.GET if "item" in request.GET else None,
        organisation=request.user.organisation,  # type: ignore[union-attr]
    )
    if not chooser.is_valid():
        return render(request, "records/record_create.html", {"chooser": chooser, "form": None})
    item: CatalogItem = chooser.cleaned_data["item"]
    form = RecordEntryForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        institution = person = None
        if item.subject_type != SubjectType.PERSON and data.get("institution_query"):
            institution = _find_institution(request.user, data["institution_query"])
            if institution is None:
                form.add_error(
                    "institution_query",
                    _("管辖范围内没有找到该机构（名称重复时请输入统一社会信用代码）"),
                )
        elif item.subject_type != SubjectType.INSTITUTION and data.get("id_number"):
            person = _find_person(request.user, data["document_type"], data["id_number"])
            if person is None:
                form.add_error(
                    "id_number",
                    _("管辖范围内没有找到此证件号码的人员"),
                )
        if not form.errors:
            try:
                record = services.credit_record_create(
                    actor=request.user,  # type: ignore[arg-type]
                    catalog_item=item,
                    institution=institution,
                    person=person,
                    title=data["title"],
                    decision_number=data["decision_number"],
                    issuing_body=data["issuing_body"],
                    issuing_body_uscc=data["issuing_body_uscc"],
                    decision_date=data["decision_date"],
                    procedure=data["procedure"],
                    corrected_minor_violation=data.get("corrected_minor_violation", False),
                    payload=form.payload(),
                    source=CreditRecordSource.PAGE,
                )
            except services.RecordError as exc:
                form.add_service_errors(exc.errors)
            else:
                messages.success(request, _("信用记录已保存为草稿。"))
                return redirect("records:record_detail", credit_record_id=record.public_id)
    return render(
        request, "records/record_create.html", {"chooser": chooser, "form": form, "item": item}
    )


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, credit_record_id: str) -> HttpResponse:
    """Change a draft's content (for instance after a reviewer returned it)."""
    record = selectors.access_credit_record_for_user(request.user, credit_record_id)
    if record.status != CreditRecordStatus.DRAFT:
        messages.error(request, _("只有草稿可以修改"))
        return redirect("records:record_detail", credit_record_id=record.public_id)
    _log_records_shown(request, [record])
    form = RecordEntryForm(
        request.POST or None,
        item=record.catalog_item,
        editing=True,
        initial=RecordEntryForm.initial_for(record),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.credit_record_update(
                actor=request.user,  # type: ignore[arg-type]
                record=record,
                title=data["title"],
                decision_number=data["decision_number"],
                issuing_body=data["issuing_body"],
                issuing_body_uscc=data["issuing_body_uscc"],
                decision_date=data["decision_date"],
                procedure=data["procedure"],
                corrected_minor_violation=data.get("corrected_minor_violation", False),
                payload=form.payload(),
            )
        except services.RecordError as exc:
            form.add_service_errors(exc.errors)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("草稿已保存。"))
            return redirect("records:record_detail", credit_record_id=record.public_id)
    return render(request, "records/record_edit.html", {"record": record, "form": form})


def _actions_for(user: Any, record: CreditRecord) -> list[lifecycle.Transition]:
    if not user.organisation.covers(record.organisation):
        return []
    return [
        step
        for step in lifecycle.transitions_for_roles(record.status, user.roles())
        if step.action not in lifecycle.PROCEDURE_STEPS
    ]


@access_staff()
@require_GET
def record_detail(request: HttpRequest, credit_record_id: str) -> HttpResponse:
    """One record: its fields, subject, status history, audit entries and allowed actions."""
    record = selectors.access_credit_record_for_user(request.user, credit_record_id)
    _log_records_shown(request, [record])
    fields = [
        (spec.get("label", spec["name"]), record.payload.get(spec["name"], ""))
        for spec in record.catalog_item.field_schema or []
    ]
    return render(
        request,
        "records/record_detail.html",
        {
            "record": record,
            "fields": fields,
            **audit_trail.record_trail(record),
            "show_technical": sees_technical_detail(request.user),
            "actions": _actions_for(request.user, record),
            "can_edit": record.status == CreditRecordStatus.DRAFT
            and request.user.has_role(*WRITERS)  # type: ignore[union-attr]
            and request.user.organisation.covers(record.organisation),  # type: ignore[union-attr]
        },
    )


@access_staff()
@require_POST
def record_transition(request: HttpRequest, credit_record_id: str) -> HttpResponse:
    """Take one life-cycle action (POST, with a reason)."""
    record = selectors.access_credit_record_for_user(request.user, credit_record_id)
    form = TransitionForm(request.POST)
    if (
        not form.is_valid()
        or form.cleaned_data["action"] not in services.ACTIONS
        or form.cleaned_data["action"] in lifecycle.PROCEDURE_STEPS
    ):
        messages.error(request, _("无效的操作"))
        return redirect("records:record_detail", credit_record_id=record.public_id)
    service = services.ACTIONS[form.cleaned_data["action"]]
    try:
        service(
            actor=request.user,  # type: ignore[arg-type]
            record=record,
            reason=form.cleaned_data["reason"],
        )
    except services.RecordError as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权操作"))
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("records:record_detail", credit_record_id=record.public_id)


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def record_import(request: HttpRequest) -> HttpResponse:
    """Upload records of one item; all rows are written or none, errors listed per row."""
    form = RecordImportForm(
        request.POST or None,
        request.FILES or None,
        organisation=request.user.organisation,  # type: ignore[union-attr]
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.records_import_upload(
            actor=request.user, item=form.cleaned_data["item"], upload=upload
        )
        if result.ok:
            request.session.pop(REPORT_SESSION_KEY, None)
            messages.success(
                request,
                _("已导入 %(n)d 条信用记录（草稿）。") % {"n": result.created},
            )
            return redirect("records:record_list")
        request.session[REPORT_SESSION_KEY] = imports.error_report_csv(result).decode("utf-8")
    return render(
        request,
        "records/record_import.html",
        {"form": form, "result": result, "items": current_items()},
    )


@access_staff(*WRITERS)
@require_GET
def record_import_report(request: HttpRequest) -> HttpResponse:
    """The error report of the user's last failed import (kept in their session only)."""
    report = request.session.get(REPORT_SESSION_KEY)
    if report is None:
        return redirect("records:record_import")
    response = HttpResponse(report.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="records-import-errors.csv"'
    return response
