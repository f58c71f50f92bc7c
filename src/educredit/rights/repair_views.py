"""Credit-repair pages: the subject's self-service (apply, follow, withdraw) and the staff
queue of the reviewing organisation (accept, grant, refuse, record a breach).

Every page shows non-public credit information, so each writes a query-log row; materials are
served only through the download views below, which check access (never a media URL).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.permissions import access_staff, access_subject
from educredit.core.exports import Column, export_wanted, list_export
from educredit.records.selectors import access_credit_record_for_user, access_own_credit_record
from educredit.rights import repair
from educredit.rights.list_exports import export_subject_list, subject_name
from educredit.rights.models import Attachment, RepairApplication
from educredit.rights.repair_forms import RepairApplyForm, RepairReasonForm
from educredit.rights.self_service import Subject, self_read_log, subject_of
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.query_log import query_log_write
from educredit.web.navigation import url_if_available
from educredit.web.paging import page_of


def _log_self(request: HttpRequest, subject: Subject, route: str, fields: tuple[str, ...]) -> None:
    self_read_log(request.user, subject, purpose="本人查询（信用修复）", fields=fields, route=route)


def _log_staff(request: HttpRequest, application: RepairApplication, route: str) -> None:
    query_log_write(
        reader=request.user,
        purpose="信用修复审核",
        mode=QueryMode.GOVERNMENT,
        kind=QueryKind.VIEW,
        legal_basis="《河南省社会信用条例》第四十三条",
        fields=("repair_application", "materials"),
        route=route,
        persons=[application.person] if application.person else [],
        institutions=[application.institution] if application.institution else [],
    )


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _material_response(attachment: Attachment) -> FileResponse:
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- self-service ---------------------------------------------------------------------------


@access_subject
@require_GET
def repair_list(request: HttpRequest) -> HttpResponse:
    """The subject's applications, and each repairable record with its conditions."""
    subject = subject_of(request.user)
    page = page_of(request, repair.repairs_of_subject(subject))
    repairable = repair.repairable_records(subject)
    _log_self(request, subject, "self_service:repair_list", ("records", "repair_applications"))
    return render(
        request,
        "rights/repair_list.html",
        {"subject": subject, "page": page, "repairable": repairable},
    )


@access_subject
@require_http_methods(["GET", "POST"])
def repair_create(request: HttpRequest) -> HttpResponse:
    """Apply for repair of one record: its conditions first, then the form."""
    subject = subject_of(request.user)
    record = access_own_credit_record(
        public_id=request.GET.get("record", ""), **subject.filter_kwargs()
    )
    form = RepairApplyForm(request.POST or None, request.FILES or None)
    application = _apply(request, record, form)
    if application is not None:
        messages.success(request, _("信用修复申请已提交。"))
        return redirect("self_service:repair_detail", repair_id=application.public_id)
    _log_self(request, subject, "self_service:repair_create", ("record", "repair_eligibility"))
    return render(
        request,
        "rights/repair_create.html",
        {"subject": subject, **_form_context(record, subject.name, form)},
    )


def _apply(request: HttpRequest, record: Any, form: RepairApplyForm) -> RepairApplication | None:
    """File the posted application (the subject's, or staff's on its behalf), or None."""
    if request.method != "POST" or not form.is_valid():
        return None
    materials = [
        (repair.Material.PROOF, form.cleaned_data.get("proof")),
        (repair.Material.OTHER, form.cleaned_data.get("other")),
    ]
    try:
        return repair.repair_apply(
            actor=request.user,  # type: ignore[arg-type]
            record=record,
            statement=form.cleaned_data["statement"],
            commitment_accepted=form.cleaned_data["commitment_accepted"],
            materials=materials,
        )
    except ValidationError as exc:
        _errors(form, exc)
        return None


def _form_context(record: Any, subject_name: str, form: RepairApplyForm) -> dict[str, Any]:
    return {
        "record": record,
        "eligibility": repair.repair_eligibility(record),
        "commitment": repair.commitment_text_for(record, subject_name),
        "form": form,
    }


@access_subject
@require_GET
def repair_detail(request: HttpRequest, repair_id: str) -> HttpResponse:
    """One of the subject's applications: its steps, the written notices and its materials."""
    subject = subject_of(request.user)
    application = repair.access_own_repair(subject, repair_id)
    _log_self(request, subject, "self_service:repair_detail", ("repair_application", "notices"))
    return render(
        request,
        "rights/repair_detail.html",
        {
            "subject": subject,
            "application": application,
            "steps": application.steps.all(),
            "attachments": application.attachments.order_by("uploaded_at", "pk"),
            "can_withdraw": application.status in repair.OPEN_STATUSES,
        },
    )


@access_subject
@require_POST
def repair_withdraw_view(request: HttpRequest, repair_id: str) -> HttpResponse:
    """The subject withdraws an application still being handled."""
    subject = subject_of(request.user)
    application = repair.access_own_repair(subject, repair_id)
    try:
        repair.repair_withdraw(actor=request.user, application=application)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("申请已撤回。"))
    return redirect("self_service:repair_detail", repair_id=application.public_id)


@access_subject
@require_GET
def repair_material_self(request: HttpRequest, repair_id: str, attachment_id: str) -> FileResponse:
    """One of the subject's own materials."""
    subject = subject_of(request.user)
    application = repair.access_own_repair(subject, repair_id)
    attachment = application.attachments.filter(public_id=attachment_id).first()
    if attachment is None:
        raise Http404
    _log_self(request, subject, "self_service:repair_material", ("materials",))
    return _material_response(attachment)


# --- staff ----------------------------------------------------------------------------------


@access_staff(*repair.ON_BEHALF_ROLES)
@require_http_methods(["GET", "POST"])
def repair_create_staff(request: HttpRequest) -> HttpResponse:
    """Apply for repair on the subject's behalf (代为申请), for a record in my jurisdiction."""
    record = access_credit_record_for_user(request.user, request.GET.get("record", ""))
    subject = record.person or record.institution
    form = RepairApplyForm(request.POST or None, request.FILES or None)
    application = _apply(request, record, form)
    if application is not None:
        messages.success(request, _("信用修复申请已提交。"))
        return redirect("rights:repair_staff_detail", repair_id=application.public_id)
    query_log_write(
        reader=request.user,
        purpose="代为申请信用修复",
        mode=QueryMode.GOVERNMENT,
        kind=QueryKind.VIEW,
        legal_basis="《河南省社会信用条例》第四十三条",
        fields=("record", "repair_eligibility"),
        route="rights:repair_create",
        persons=[record.person] if record.person else [],
        institutions=[record.institution] if record.institution else [],
    )
    return render(
        request, "rights/repair_create_staff.html", _form_context(record, str(subject), form)
    )


# The queue's columns, as exported (ADR 0036).
REPAIR_COLUMNS = (
    Column(gettext_lazy("申请编号"), lambda a: a.number),
    Column(gettext_lazy("主体"), subject_name),
    Column(gettext_lazy("信息"), lambda a: a.record.title),
    Column(gettext_lazy("审核单位"), lambda a: a.reviewing_organisation.name),
    Column(gettext_lazy("办理期限"), lambda a: a.due_on),
    Column(gettext_lazy("状态"), lambda a: a.get_status_display()),
)


@access_staff()
@require_GET
@list_export
def repair_queue(request: HttpRequest) -> HttpResponse:
    """Applications reviewed within the user's jurisdiction, open ones first by due date
    (``?export=xlsx``: all of the filter)."""
    status = request.GET.get("status", "open")
    applications = repair.repairs_visible_to(request.user)
    if status == "open":
        applications = applications.filter(status__in=repair.OPEN_STATUSES).order_by("due_on", "pk")
    if export_wanted(request):
        return export_subject_list(
            request, applications, REPAIR_COLUMNS, stem="repairs", sheet=_("信用修复申请")
        )
    page = page_of(request, applications)
    query_log_write(
        reader=request.user,
        purpose="信用修复审核",
        mode=QueryMode.GOVERNMENT,
        kind=QueryKind.VIEW,
        legal_basis="《河南省社会信用条例》第四十三条",
        fields=("repair_application",),
        route="rights:repair_queue",
        persons=[a.person for a in page.object_list if a.person],
        institutions=[a.institution for a in page.object_list if a.institution],
    )
    return render(request, "rights/repair_queue.html", {"page": page, "status": status})


@access_staff()
@require_GET
def repair_staff_detail(request: HttpRequest, repair_id: str) -> HttpResponse:
    """One application with its materials, steps and the reviewer's actions."""
    application = repair.access_repair_for_user(request.user, repair_id)
    _log_staff(request, application, "rights:repair_staff_detail")
    user: Any = request.user
    can_review = user.has_role(*repair.REVIEWER_ROLES)
    return render(
        request,
        "rights/repair_staff_detail.html",
        {
            "application": application,
            "record": application.record,
            "steps": application.steps.select_related("actor"),
            "attachments": application.attachments.order_by("uploaded_at", "pk"),
            "eligibility": repair.repair_eligibility(application.record)
            if application.status in repair.OPEN_STATUSES
            else None,
            "can_review": can_review,
            "form": RepairReasonForm(),
            "commitment_url": _commitment_url(request, application),
        },
    )


def _commitment_url(request: HttpRequest, application: RepairApplication) -> str | None:
    """The page of the repair commitment the commitments app recorded when the repair was
    granted (its breach is decided there); None before, or for a repair granted without one."""
    commitment = getattr(application, "repair_commitment", None)  # the reverse one-to-one
    if commitment is None:
        return None
    return url_if_available(request, "commitments:detail", commitment_id=commitment.public_id)


_ACTIONS = {
    "accept": lambda actor, app, reason: repair.repair_accept(actor=actor, application=app),
    "grant": lambda actor, app, reason: repair.repair_grant(
        actor=actor, application=app, reason=reason
    ),
    "refuse": lambda actor, app, reason: repair.repair_refuse(
        actor=actor, application=app, reason=reason
    ),
    "breach": lambda actor, app, reason: repair.repair_commitment_breach(
        actor=actor, application=app, reason=reason
    ),
}


@access_staff(*repair.REVIEWER_ROLES)
@require_POST
def repair_decide(request: HttpRequest, repair_id: str, action: str) -> HttpResponse:
    """Accept, grant, refuse or record a breach (POST, with a reason where one is due)."""
    application = repair.access_repair_for_user(request.user, repair_id)
    if action not in _ACTIONS:
        raise Http404
    form = RepairReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        _ACTIONS[action](request.user, application, reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权操作"))
    else:
        messages.success(request, _("操作已完成。"))
    return redirect("rights:repair_staff_detail", repair_id=application.public_id)


@access_staff()
@require_GET
def repair_material_staff(request: HttpRequest, repair_id: str, attachment_id: str) -> FileResponse:
    """A material of an application in the user's jurisdiction."""
    application = repair.access_repair_for_user(request.user, repair_id)
    attachment = application.attachments.filter(public_id=attachment_id).first()
    if attachment is None:
        raise Http404
    _log_staff(request, application, "rights:repair_material")
    return _material_response(attachment)
