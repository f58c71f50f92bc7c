"""Pages of purpose-bound queries: the staff purpose declaration, bulk-access approvals, the
provincial office's query alerts, and the subject's "who looked at me" and authorisations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.forms import BootstrapForm
from educredit.accounts.permissions import access_staff, access_subject
from educredit.core import clock
from educredit.core.exports import Column, export_list, export_wanted, list_export
from educredit.rights import alerts, approvals, authorisations, purpose
from educredit.rights.query_history import query_history_for
from educredit.rights.self_service import self_read_log, subject_of
from educredit.web.paging import page_of


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- staff: the session's purpose ----------------------------------------------------------


class PurposeForm(BootstrapForm):
    """A specific purpose and legal basis for the session's reads (both empty: the duty)."""

    purpose = forms.CharField(label=gettext_lazy("查询事由"), max_length=300, required=False)
    basis = forms.CharField(label=gettext_lazy("查询依据"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("purpose", "").strip()) != bool(data.get("basis", "").strip()):
            raise ValidationError(_("事由和依据须同时填写"))
        return data


@access_staff()
@require_http_methods(["GET", "POST"])
def query_purpose(request: HttpRequest) -> HttpResponse:
    """Declare the purpose and legal basis the session's reads are logged with."""
    declared = purpose.declared_purpose(request)
    initial = {"purpose": declared[0], "basis": declared[1]} if declared else {}
    form = PurposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        purpose.declare_purpose(
            request, purpose=form.cleaned_data["purpose"], basis=form.cleaned_data["basis"]
        )
        messages.success(request, _("查询事由已保存。"))
        return redirect("rights:query_purpose")
    duty = [choice.label for choice in purpose.duty_purpose()]
    return render(
        request,
        "rights/query_purpose.html",
        {"form": form, "declared": declared, "duty": duty},
    )


# --- staff: bulk-access approvals ----------------------------------------------------------


class BulkRequestForm(BootstrapForm):
    """Why the user needs the bulk view or export."""

    purpose = forms.CharField(label=gettext_lazy("用途"), max_length=300)
    legal_basis = forms.CharField(label=gettext_lazy("依据"), max_length=300)


class DecideForm(BootstrapForm):
    """A reviewer's decision on a request."""

    approval = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[("approve", gettext_lazy("批准")), ("refuse", gettext_lazy("驳回"))]
    )
    reason = forms.CharField(label=gettext_lazy("意见"), max_length=1000, required=False)


@access_staff()
@require_http_methods(["GET", "POST"])
def approval_request(request: HttpRequest) -> HttpResponse:
    """Ask for approval of the bulk view or export the guard stopped; below, the user's own
    requests and their state (every staff user may ask; only approvers open the list)."""
    pending = request.session.get(approvals.PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        pending = None
    form = BulkRequestForm(request.POST or None)
    if request.method == "POST" and pending is None:
        messages.info(request, _("没有待申请的批量查询。"))
        return redirect("rights:approval_request")
    if request.method == "POST" and pending is not None and form.is_valid():
        try:
            approvals.bulk_access_request_create(
                actor=request.user,  # type: ignore[arg-type]
                route=str(pending["route"]),
                parameters=str(pending["parameters"]),
                subject_count=int(pending["subject_count"]),
                purpose=form.cleaned_data["purpose"],
                legal_basis=form.cleaned_data["legal_basis"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            request.session.pop(approvals.PENDING_SESSION_KEY, None)
            messages.success(request, _("申请已提交，待审核人员审批。"))
            return redirect("rights:approval_request")
    return render(
        request,
        "rights/approval_request.html",
        {
            "form": form,
            "pending": pending,
            "threshold": approvals.bulk_access_threshold(),
            "own": page_of(request, approvals.approvals_of(request.user)),  # type: ignore[arg-type]
        },
    )


@access_staff(*approvals.APPROVERS)
@require_http_methods(["GET"])
@list_export
def approval_list(request: HttpRequest) -> HttpResponse:
    """Requests to decide (reviewers) and the user's own requests (``?export=xlsx``: both
    lists whole, one row each)."""
    user: Any = request.user
    if export_wanted(request):
        rows = [(_("待我审批"), access) for access in approvals.approvals_to_decide(user)]
        rows += [(_("我的申请"), access) for access in approvals.approvals_of(user)]
        return export_list(
            request, rows, APPROVAL_COLUMNS, stem="bulk-approvals", sheet=_("批量查询审批")
        )
    return render(
        request,
        "rights/approval_list.html",
        {
            "to_decide": approvals.approvals_to_decide(user)[:200],
            "own": page_of(request, approvals.approvals_of(user)),
        },
    )


@access_staff(*approvals.APPROVERS)
@require_POST
def approval_decide(request: HttpRequest) -> HttpResponse:
    """Approve or refuse one request."""
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效"))
        return redirect("rights:approval_list")
    access = (
        approvals.approvals_to_decide(request.user)  # type: ignore[arg-type]
        .filter(public_id=form.cleaned_data["approval"])
        .first()
    )
    if access is None:
        raise Http404
    try:
        approvals.bulk_access_decide(
            actor=request.user,  # type: ignore[arg-type]
            access=access,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已处理。"))
    return redirect("rights:approval_list")


# The approval list's columns, as exported (ADR 0036): rows are (which list, request).
APPROVAL_COLUMNS = (
    Column(gettext_lazy("类别"), lambda row: row[0]),
    Column(gettext_lazy("申请人"), lambda row: str(row[1].requested_by)),
    Column(gettext_lazy("申请单位"), lambda row: row[1].organisation.name),
    Column(gettext_lazy("申请时间"), lambda row: row[1].created_at),
    Column(gettext_lazy("页面"), lambda row: row[1].route),
    Column(gettext_lazy("条件"), lambda row: row[1].parameters),
    Column(gettext_lazy("涉及主体数"), lambda row: row[1].subject_count),
    Column(gettext_lazy("用途"), lambda row: row[1].purpose),
    Column(gettext_lazy("依据"), lambda row: row[1].legal_basis),
    Column(gettext_lazy("状态"), lambda row: row[1].get_status_display()),
    Column(gettext_lazy("审批意见"), lambda row: row[1].decision_reason),
)


# --- staff: query alerts (provincial office) -----------------------------------------------


def _alert_reader(alert: Any) -> str:
    return str(alert.user) if alert.user else (alert.api_client.name if alert.api_client else "")


# The alert list's columns, as exported (ADR 0036).
ALERT_COLUMNS = (
    Column(gettext_lazy("规则"), lambda a: a.get_rule_display()),
    Column(gettext_lazy("查询方"), _alert_reader),
    Column(gettext_lazy("单位"), lambda a: a.organisation.name if a.organisation else ""),
    Column(gettext_lazy("首次时间"), lambda a: a.first_at),
    Column(gettext_lazy("最近时间"), lambda a: a.last_at),
    Column(gettext_lazy("说明"), lambda a: a.detail),
    Column(gettext_lazy("状态"), lambda a: a.get_status_display()),
    Column(gettext_lazy("处理人"), lambda a: str(a.closed_by) if a.closed_by else ""),
    Column(gettext_lazy("处理情况"), lambda a: a.closing_note),
)


class CloseAlertForm(BootstrapForm):
    """Closing an alert: what was found."""

    alert = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("处理情况"), max_length=2000)


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET"])
@list_export
def alert_list(request: HttpRequest) -> HttpResponse:
    """The query alerts, open first (provincial admins and inspectors only)."""
    if not alerts.is_alert_officer(request.user):
        raise PermissionDenied(_("仅限省级管理员"))
    status = request.GET.get("status", "open")
    rows = alerts.query_alerts_for(request.user)
    if status in ("open", "closed"):
        rows = rows.filter(status=status)
    if export_wanted(request):
        return export_list(request, rows, ALERT_COLUMNS, stem="query-alerts", sheet=_("查询预警"))
    return render(
        request,
        "rights/alert_list.html",
        {"page": page_of(request, rows), "status": status, "close_form": CloseAlertForm()},
    )


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR, powers=[Power.PROVINCIAL_OFFICE])
@require_POST
def alert_close(request: HttpRequest) -> HttpResponse:
    """Close one alert with a note."""
    form = CloseAlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写处理情况"))
        return redirect("rights:alert_list")
    alert = (
        alerts.query_alerts_for(request.user).filter(public_id=form.cleaned_data["alert"]).first()
    )
    if alert is None:
        raise Http404
    alerts.query_alert_close(
        actor=request.user,  # type: ignore[arg-type]
        alert=alert,
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("预警已关闭。"))
    return redirect("rights:alert_list")


# --- the subject: who looked at me, authorisations ------------------------------------------


@access_subject
@require_http_methods(["GET"])
def query_history(request: HttpRequest) -> HttpResponse:
    """Who read the subject's credit information: organisation, purpose, date, mode."""
    subject = subject_of(request.user)
    rows = query_history_for(**subject.filter_kwargs())
    self_read_log(
        request.user,
        subject,
        purpose="本人查询",
        fields=("query_history",),
        route="self_service:query_history",
    )
    return render(request, "rights/query_history.html", {"subject": subject, "rows": rows})


class GrantForm(BootstrapForm):
    """Whom the subject authorises, for what, until when and how many times."""

    grantee_name = forms.CharField(label=gettext_lazy("被授权方名称"), max_length=200)
    grantee_uscc = forms.CharField(
        label=gettext_lazy("被授权方统一社会信用代码"), max_length=18, required=False
    )
    purpose = forms.CharField(label=gettext_lazy("授权用途"), max_length=300)
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"), widget=forms.DateInput(attrs={"type": "date"})
    )
    max_uses = forms.IntegerField(label=gettext_lazy("可用次数"), min_value=1, initial=1)


@access_subject
@require_http_methods(["GET", "POST"])
def authorisation_list(request: HttpRequest) -> HttpResponse:
    """The subject's authorisations, and the form to grant one (its code shown once)."""
    subject = subject_of(request.user)
    form = GrantForm(
        request.POST or None,
        initial={"valid_until": clock.today() + dt.timedelta(days=30), "max_uses": 1},
    )
    code = ""
    if request.method == "POST" and form.is_valid():
        try:
            _authorisation, code = authorisations.authorisation_grant(
                actor=request.user,  # type: ignore[arg-type]
                grantee_name=form.cleaned_data["grantee_name"],
                grantee_uscc=form.cleaned_data["grantee_uscc"],
                purpose=form.cleaned_data["purpose"],
                valid_until=form.cleaned_data["valid_until"],
                max_uses=form.cleaned_data["max_uses"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            form = GrantForm(initial=form.initial)
    return render(
        request,
        "rights/authorisation_list.html",
        {
            "subject": subject,
            "form": form,
            "code": code,
            "authorisations": authorisations.authorisations_of(request.user),  # type: ignore[arg-type]
        },
    )


@access_subject
@require_POST
def authorisation_revoke(request: HttpRequest) -> HttpResponse:
    """Revoke one of the subject's authorisations."""
    public_id = _uuid_or_none(request.POST.get("authorisation", ""))
    authorisation = (
        authorisations.authorisations_of(request.user)  # type: ignore[arg-type]
        .filter(public_id=public_id)
        .first()
        if public_id is not None
        else None
    )
    if authorisation is None:
        raise Http404
    authorisations.authorisation_revoke(actor=request.user, authorisation=authorisation)  # type: ignore[arg-type]
    messages.success(request, _("授权已撤销。"))
    return redirect("self_service:authorisation_list")


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
