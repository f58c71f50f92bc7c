"""Objection pages: the subject files and follows objections in self-service; staff handle
them from a queue scoped by jurisdiction. Every page shows non-public information, so each
writes a query-log row (the subject's own pages as 本人查询)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff, access_subject
from educredit.core import clock
from educredit.core.exports import Column, export_wanted, list_export
from educredit.records.models import CreditRecord
from educredit.records.selectors import access_credit_record_for_user, access_own_credit_record
from educredit.rights import objections as svc
from educredit.rights.list_exports import export_subject_list, subject_name
from educredit.rights.models import Objection
from educredit.rights.objection_forms import (
    DecideForm,
    ObjectionFileForm,
    ReasonForm,
    ReviewRequestForm,
)
from educredit.rights.self_service import self_read_log, subject_of
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.query_log import query_log_write
from educredit.web.paging import page_of

STAFF_FILERS = (UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN)


def _log(
    request: HttpRequest,
    *,
    route: str,
    subjects: list[Any],
    mode: str = QueryMode.GOVERNMENT,
    purpose: str = "异议处理",
) -> None:
    query_log_write(
        reader=request.user,
        purpose=purpose,
        mode=mode,
        kind=QueryKind.VIEW,
        legal_basis="《河南省社会信用条例》第四十一条",
        fields=("objections", "records"),
        route=route,
        persons=[s.person for s in subjects if s.person_id],
        institutions=[s.institution for s in subjects if s.institution_id],
    )


def _log_self(request: HttpRequest, route: str) -> None:
    self_read_log(
        request.user,
        subject_of(request.user),
        purpose="本人查询",
        fields=("objections", "records"),
        route=route,
    )


def _errors_to_form(form: Any, exc: svc.ObjectionError) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


def _file(
    request: HttpRequest, *, record: CreditRecord, on_behalf: bool, form: ObjectionFileForm
) -> Objection | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return svc.objection_file(
            actor=request.user,  # type: ignore[arg-type]
            record=record,
            reasons=form.cleaned_data["reasons"],
            evidence_files=form.cleaned_data["evidence"],
            on_behalf=on_behalf,
        )
    except svc.ObjectionError as exc:
        _errors_to_form(form, exc)
    except PermissionDenied as exc:
        raise Http404 from exc
    return None


# --- self-service -------------------------------------------------------------------------


@access_subject
@require_http_methods(["GET", "POST"])
def self_objection_create(request: HttpRequest) -> HttpResponse:
    """File an objection to one of my records, with evidence."""
    subject = subject_of(request.user)
    record = access_own_credit_record(
        public_id=request.GET.get("record", ""), **subject.filter_kwargs()
    )
    form = ObjectionFileForm(request.POST or None, request.FILES or None)
    objection = _file(request, record=record, on_behalf=False, form=form)
    if objection is not None:
        messages.success(request, _("异议已受理，该信息已标注为“异议中”"))
        return redirect("self_service:objection_detail", objection_id=objection.public_id)
    _log_self(request, "self_service:objection_create")
    return render(
        request,
        "rights/objection_create.html",
        {"subject": subject, "record": record, "form": form},
    )


@access_subject
@require_http_methods(["GET"])
def self_objection_list(request: HttpRequest) -> HttpResponse:
    """My objections: status, deadline and the notices I received."""
    subject = subject_of(request.user)
    page = page_of(request, svc.objections_of_subject(request.user).prefetch_related("steps"))
    rows = [(o, next((s.notice for s in reversed(o.steps.all()) if s.notice), "")) for o in page]
    _log_self(request, "self_service:objection_list")
    return render(
        request, "rights/objection_list.html", {"subject": subject, "page": page, "rows": rows}
    )


@access_subject
@require_http_methods(["GET", "POST"])
def self_objection_detail(request: HttpRequest, objection_id: str) -> HttpResponse:
    """One of my objections: its steps and written notices; 复核 when it is open to me."""
    subject = subject_of(request.user)
    objection = svc.access_own_objection(request.user, objection_id)
    can_review = svc.may_request_review(objection)
    form = ReviewRequestForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise Http404
        if form.is_valid():
            try:
                svc.objection_request_review(
                    actor=request.user,  # type: ignore[arg-type]
                    objection=objection,
                    reasons=form.cleaned_data["reasons"],
                )
            except svc.ObjectionError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("复核申请已提交"))
                return redirect("self_service:objection_detail", objection_id=objection.public_id)
    _log_self(request, "self_service:objection_detail")
    return render(
        request,
        "rights/objection_detail_self.html",
        {
            "subject": subject,
            "objection": objection,
            "steps": objection.steps.all(),
            "can_review": can_review,
            "form": form,
        },
    )


# --- staff --------------------------------------------------------------------------------


# The queue's columns, as exported (ADR 0036).
OBJECTION_COLUMNS = (
    Column(gettext_lazy("异议编号"), lambda o: o.number),
    Column(gettext_lazy("信用主体"), subject_name),
    Column(gettext_lazy("异议的信息"), lambda o: o.record.title),
    Column(gettext_lazy("信息提供单位"), lambda o: o.record.organisation.name),
    Column(gettext_lazy("状态"), lambda o: o.get_status_display()),
    Column(gettext_lazy("办理方式"), lambda o: o.get_route_display()),
    Column(gettext_lazy("办结期限"), lambda o: o.due_on),
    Column(gettext_lazy("核查期限"), lambda o: o.provider_due_on),
    Column(gettext_lazy("代为提出"), lambda o: _("是") if o.on_behalf else ""),
)


@access_staff(powers=[Power.OBJECTIONS])
@require_http_methods(["GET"])
@list_export
def objection_queue(request: HttpRequest) -> HttpResponse:
    """Open objections on records I see, nearest working-day deadline first (``?export=xlsx``:
    the whole queue)."""
    queue = svc.objection_queue_for(request.user).select_related(
        "record__organisation", "person", "institution"
    )
    if export_wanted(request):
        return export_subject_list(
            request, queue, OBJECTION_COLUMNS, stem="objections", sheet=_("异议处理")
        )
    page = page_of(request, queue)
    today = clock.today()
    rows = [(o, svc.deadline_state(o, today)) for o in page.object_list]
    _log(request, route="rights:objection_queue", subjects=list(page.object_list))
    return render(request, "rights/objection_queue.html", {"page": page, "rows": rows})


@access_staff(*STAFF_FILERS, powers=[Power.OBJECTIONS])
@require_http_methods(["GET", "POST"])
def objection_create(request: HttpRequest) -> HttpResponse:
    """File an objection on the subject's behalf (代为提出) for a record I see."""
    record = access_credit_record_for_user(request.user, request.GET.get("record", ""))
    form = ObjectionFileForm(request.POST or None, request.FILES or None)
    objection = _file(request, record=record, on_behalf=True, form=form)
    if objection is not None:
        messages.success(request, _("异议已受理"))
        return redirect("rights:objection_detail", objection_id=objection.public_id)
    _log(request, route="rights:objection_create", subjects=[record])
    return render(
        request,
        "rights/objection_create_staff.html",
        {"record": record, "form": form},
    )


@access_staff(powers=[Power.OBJECTIONS])
@require_http_methods(["GET"])
def objection_detail(request: HttpRequest, objection_id: str) -> HttpResponse:
    """An objection with its record, evidence, steps and the actions open to me."""
    objection = svc.access_objection_for_user(request.user, objection_id)
    actions = svc.actions_for(request.user, objection)
    _log(request, route="rights:objection_detail", subjects=[objection])
    return render(request, "rights/objection_detail.html", _detail_context(objection, actions))


def _detail_context(objection: Objection, actions: list[str], **forms: Any) -> dict[str, Any]:
    return {
        "objection": objection,
        "record": objection.record,
        "steps": objection.steps.select_related("actor"),
        "attachments": objection.attachments.all(),
        "actions": actions,
        "deadline": svc.deadline_state(objection),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "decide_form": forms.get("decide_form") or DecideForm(),
    }


_SIMPLE_STEPS: dict[str, Callable[..., Objection]] = {
    "refer": svc.objection_refer_to_provider,
    "pause": svc.objection_pause,
    "resume": svc.objection_resume,
}


@access_staff(UserRole.REVIEWER, UserRole.ADMIN, powers=[Power.OBJECTIONS])
@require_POST
def objection_act(request: HttpRequest, objection_id: str) -> HttpResponse:
    """Take one handling step (refer, pause, resume, decide, review_decide; POST ``action``)."""
    objection = svc.access_objection_for_user(request.user, objection_id)
    action = request.POST.get("action", "")
    actions = svc.actions_for(request.user, objection)
    if action not in actions:
        raise PermissionDenied(_("您不能执行此操作"))
    reason_form, decide_form = ReasonForm(), DecideForm()
    try:
        if action in _SIMPLE_STEPS:
            reason_form = ReasonForm(request.POST)
            if reason_form.is_valid():
                _SIMPLE_STEPS[action](
                    actor=request.user,
                    objection=objection,
                    reason=reason_form.cleaned_data["reason"],
                )
                return redirect("rights:objection_detail", objection_id=objection.public_id)
        else:
            decide_form = DecideForm(request.POST)
            if decide_form.is_valid():
                decide = svc.objection_decide if action == "decide" else svc.objection_review_decide
                decide(
                    actor=request.user,  # type: ignore[arg-type]
                    objection=objection,
                    outcome=decide_form.cleaned_data["outcome"],
                    reason=decide_form.cleaned_data["reason"],
                    changes=decide_form.changes(),
                )
                messages.success(request, _("已办结并书面告知信用主体"))
                return redirect("rights:objection_detail", objection_id=objection.public_id)
    except svc.ObjectionError as exc:
        _errors_to_form(decide_form if action not in _SIMPLE_STEPS else reason_form, exc)
    _log(request, route="rights:objection_act", subjects=[objection])
    context = _detail_context(objection, actions, reason_form=reason_form, decide_form=decide_form)
    return render(request, "rights/objection_detail.html", context, status=400)


@access_staff(powers=[Power.OBJECTIONS])
@require_http_methods(["GET"])
def objection_evidence(request: HttpRequest, objection_id: str, attachment_id: str) -> FileResponse:
    """Download one evidence file of an objection I see."""
    objection = svc.access_objection_for_user(request.user, objection_id)
    attachment = objection.attachments.filter(public_id=attachment_id).first()
    if attachment is None:
        raise Http404
    _log(request, route="rights:objection_evidence", subjects=[objection])
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
