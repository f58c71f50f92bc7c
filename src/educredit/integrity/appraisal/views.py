"""The 师德考核 pages: the list of appraisals (filters, phone layout, export), entry and the
spreadsheet import by the school, an appraisal's page, and the review queue of the level above.

Everything reads through ``appraisals_visible_to`` (404 outside the user's tree) and logs the
read of the teachers shown (``staff_read_log``: the grade is not public). Buttons are shown
only to whoever the service would let act (``services.may``)."""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff
from educredit.core import clock
from educredit.core.exports import Column, export_wanted, list_export
from educredit.core.i18n import shown
from educredit.integrity.appraisal import imports, services
from educredit.integrity.appraisal.forms import (
    AppraisalEnterForm,
    AppraisalFilterForm,
    AppraisalImportForm,
    AppraisalReturnForm,
    AppraisalUpdateForm,
)
from educredit.integrity.appraisal.models import EthicsAppraisal, EthicsAppraisalImportRun
from educredit.integrity.appraisal.selectors import (
    access_appraisal_for_user,
    appraisals_visible_to,
    import_runs_visible_to,
    review_queue_for,
    school_of,
    teachers_of,
)
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.subjects.choices import ImportStatus
from educredit.web.navigation import url_if_available
from educredit.web.paging import page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
REVIEWERS = (UserRole.REVIEWER, UserRole.ADMIN)
ERRORS_SHOWN = 50
FIELDS = ("ethics_appraisal",)

COLUMNS = [
    Column(gettext_lazy("考核年度"), lambda a: a.year),
    Column(gettext_lazy("姓名"), lambda a: a.teacher.name),
    Column(gettext_lazy("证件号码"), lambda a: a.teacher.id_number_masked),
    Column(gettext_lazy("学校"), lambda a: a.school.name),
    Column(gettext_lazy("考核等次"), lambda a: a.get_grade_display()),
    Column(gettext_lazy("说明"), lambda a: a.remarks),
    Column(gettext_lazy("状态"), lambda a: a.get_status_display()),
    Column(gettext_lazy("退回理由"), lambda a: a.return_reason),
]


def _teacher_of(appraisal: EthicsAppraisal) -> tuple[Any, None]:
    return appraisal.teacher, None


def _school_writer(request: HttpRequest) -> Any:
    """The school the user enters appraisals for (its clerk or administrator), or None."""
    user: Any = request.user
    if not user.has_role(*WRITERS):
        return None
    return school_of(user)


@access_staff()
@require_GET
@list_export
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """The appraisals of the user's school (or the schools below a bureau), newest year first;
    filters year, grade and status; ``?export=xlsx`` exports the filter."""
    form = AppraisalFilterForm(request.GET or None)
    appraisals = appraisals_visible_to(request.user).select_related("teacher", "school")
    appraisals = appraisals.order_by("-year", "school__name", "teacher__name", "pk")
    if form.is_bound and not form.is_valid():
        appraisals = appraisals.none()
    elif form.is_valid():
        for name in ("year", "grade", "status"):
            if form.cleaned_data[name] not in (None, ""):
                appraisals = appraisals.filter(**{name: form.cleaned_data[name]})
    if export_wanted(request):
        return export_subject_list(
            request,
            appraisals,
            COLUMNS,
            stem="ethics-appraisals",
            sheet=_("师德考核"),
            subjects=_teacher_of,
        )
    page = page_of(request, appraisals)
    staff_read_log(
        request,
        persons=[a.teacher for a in page.object_list],
        fields=FIELDS,
        route="integrity_appraisal:list",
    )
    school = _school_writer(request)
    return render(
        request,
        "integrity_appraisal/list.html",
        {
            "form": form,
            "page": page,
            "can_enter": school is not None,
            "review_url": url_if_available(request, "integrity_appraisal:review_queue"),
        },
    )


def _school_or_403(request: HttpRequest) -> Any:
    school = _school_writer(request)
    if school is None:
        raise PermissionDenied(_("师德考核由教师所在学校的录入员录入"))
    return school


def _form_errors(form: Any, exc: services.AppraisalError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def appraisal_enter(request: HttpRequest) -> HttpResponse:
    """The school's entry form (saved as a draft, or submitted at once)."""
    school = _school_or_403(request)
    year = clock.today().year
    wanted = request.POST.get("year") or request.GET.get("year") or ""
    if str(wanted).isdigit():
        year = int(wanted)
    form = AppraisalEnterForm(
        request.POST or None, teachers=teachers_of(school, year), initial={"year": year}
    )
    if request.method == "POST" and form.is_valid():
        user: Any = request.user
        try:
            appraisal = services.ethics_appraisal_enter(
                actor=user,
                teacher=form.cleaned_data["teacher"],
                year=form.cleaned_data["year"],
                grade=form.cleaned_data["grade"],
                remarks=form.cleaned_data["remarks"],
            )
            if "submit" in request.POST:
                services.ethics_appraisal_submit(actor=user, appraisal=appraisal)
        except services.AppraisalError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("integrity_appraisal:detail", appraisal_id=appraisal.public_id)
    return render(
        request,
        "integrity_appraisal/enter.html",
        {"form": form, "school": school},
        status=400 if form.errors else 200,
    )


def _detail(request: HttpRequest, appraisal: EthicsAppraisal, **forms: Any) -> HttpResponse:
    user: Any = request.user
    staff_read_log(
        request, persons=[appraisal.teacher], fields=FIELDS, route="integrity_appraisal:detail"
    )
    record_url = (
        url_if_available(
            request, "records:record_detail", credit_record_id=appraisal.credit_record.public_id
        )
        if appraisal.credit_record is not None
        else None
    )
    return render(
        request,
        "integrity_appraisal/detail.html",
        {
            "appraisal": appraisal,
            "steps": appraisal.steps.select_related("actor"),
            "can_update": services.may(user, appraisal, "update"),
            "can_submit": services.may(user, appraisal, "submit"),
            "can_review": services.may(user, appraisal, "approve"),
            "update_form": forms.get("update_form")
            or AppraisalUpdateForm(
                initial={"grade": appraisal.grade, "remarks": appraisal.remarks}
            ),
            "return_form": forms.get("return_form") or AppraisalReturnForm(),
            "record_url": record_url,
        },
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


@access_staff()
@require_GET
def appraisal_detail(request: HttpRequest, appraisal_id: Any) -> HttpResponse:
    """One appraisal: the grade, the facts, its steps and the record it produced."""
    return _detail(request, access_appraisal_for_user(request.user, appraisal_id))


def _refused(request: HttpRequest, appraisal: EthicsAppraisal, exc: Exception) -> HttpResponse:
    if isinstance(exc, services.AppraisalError):
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.error(request, str(exc))
    return redirect("integrity_appraisal:detail", appraisal_id=appraisal.public_id)


@access_staff(*WRITERS)
@require_POST
def appraisal_update(request: HttpRequest, appraisal_id: Any) -> HttpResponse:
    """The school corrects a draft or returned appraisal."""
    appraisal = access_appraisal_for_user(request.user, appraisal_id)
    form = AppraisalUpdateForm(request.POST)
    if not form.is_valid():
        return _detail(request, appraisal, update_form=form)
    try:
        services.ethics_appraisal_update(
            actor=request.user,  # type: ignore[arg-type]
            appraisal=appraisal,
            grade=form.cleaned_data["grade"],
            remarks=form.cleaned_data["remarks"],
        )
    except services.AppraisalError as exc:
        _form_errors(form, exc)
        return _detail(request, appraisal, update_form=form)
    messages.success(request, _("已保存。"))
    return redirect("integrity_appraisal:detail", appraisal_id=appraisal.public_id)


@access_staff(*WRITERS)
@require_POST
def appraisal_submit(request: HttpRequest, appraisal_id: Any) -> HttpResponse:
    """The school submits the appraisal to the level above."""
    appraisal = access_appraisal_for_user(request.user, appraisal_id)
    try:
        services.ethics_appraisal_submit(actor=request.user, appraisal=appraisal)  # type: ignore[arg-type]
    except (services.AppraisalError, PermissionDenied) as exc:
        return _refused(request, appraisal, exc)
    messages.success(request, _("已提交上级教育行政部门审核。"))
    return redirect("integrity_appraisal:detail", appraisal_id=appraisal.public_id)


def _back(request: HttpRequest, appraisal: EthicsAppraisal) -> HttpResponse:
    if request.POST.get("next") == "queue":
        return redirect("integrity_appraisal:review_queue")
    return redirect("integrity_appraisal:detail", appraisal_id=appraisal.public_id)


@access_staff(*REVIEWERS, powers=[Power.SUPERVISION])
@require_POST
def appraisal_approve(request: HttpRequest, appraisal_id: Any) -> HttpResponse:
    """The level above approves: the grade enters the teacher's credit archive (JY-SD-01)."""
    appraisal = access_appraisal_for_user(request.user, appraisal_id)
    try:
        services.ethics_appraisal_approve(actor=request.user, appraisal=appraisal)  # type: ignore[arg-type]
    except (services.AppraisalError, PermissionDenied) as exc:
        return _refused(request, appraisal, exc)
    messages.success(request, _("审核通过，考核结果已记入教师信用档案。"))
    return _back(request, appraisal)


@access_staff(*REVIEWERS, powers=[Power.SUPERVISION])
@require_POST
def appraisal_return(request: HttpRequest, appraisal_id: Any) -> HttpResponse:
    """The level above returns the appraisal to the school with the reason."""
    appraisal = access_appraisal_for_user(request.user, appraisal_id)
    form = AppraisalReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回理由（最多2000字）"))
        return _back(request, appraisal)
    try:
        services.ethics_appraisal_return(
            actor=request.user,  # type: ignore[arg-type]
            appraisal=appraisal,
            reason=form.cleaned_data["reason"],
        )
    except (services.AppraisalError, PermissionDenied) as exc:
        return _refused(request, appraisal, exc)
    messages.success(request, _("已退回学校。"))
    return _back(request, appraisal)


@access_staff(*REVIEWERS, powers=[Power.SUPERVISION])
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """The submitted appraisals of the schools the user's bureau supervises, oldest first."""
    queue = (
        review_queue_for(request.user)
        .select_related("teacher", "school", "entered_by")
        .order_by("submitted_at", "pk")
    )
    page = page_of(request, queue)
    staff_read_log(
        request,
        persons=[a.teacher for a in page.object_list],
        fields=FIELDS,
        route="integrity_appraisal:review_queue",
    )
    return render(
        request,
        "integrity_appraisal/review_queue.html",
        {"page": page, "return_form": AppraisalReturnForm()},
    )


# --- import --------------------------------------------------------------------------------


def _run_for(request: HttpRequest, run_id: Any) -> EthicsAppraisalImportRun:
    try:
        key = uuid.UUID(str(run_id))
        return import_runs_visible_to(request.user).select_related("created_by").get(public_id=key)
    except (ValueError, EthicsAppraisalImportRun.DoesNotExist) as exc:
        raise Http404 from exc


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet of the school's appraisals; imported in the background."""
    _school_or_403(request)
    form = AppraisalImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = imports.appraisal_import_start(
                actor=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
            )
        except imports.ImportStartError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("integrity_appraisal:import_detail", appraisal_import_id=run.public_id)
    runs = import_runs_visible_to(request.user).select_related("created_by")
    return render(
        request,
        "integrity_appraisal/import_start.html",
        {"form": form, "page": page_of(request, runs)},
    )


def _progress(run: EthicsAppraisalImportRun) -> dict[str, Any]:
    done = run.status in (ImportStatus.FINISHED, ImportStatus.FAILED)
    return {
        "status": run.status,
        "status_label": str(ImportStatus(run.status).label),
        "done": done,
        "total": run.total_rows,
        "processed": run.processed_rows,
        "ok": run.ok_rows,
        "failed": run.failed_rows,
        "existing": run.existing_rows,
        "resumed": run.resumed_note,
        "percent": run.percent,
        "message": shown(run.error_message),
        "errors": [
            {"row": e.row_number, "column": e.column, "reason": shown(e.reason)}
            for e in run.row_errors.all()[:ERRORS_SHOWN]
        ],
        "report_url": reverse(
            "integrity_appraisal:import_errors", kwargs={"appraisal_import_id": run.public_id}
        )
        if done and run.failed_rows
        else "",
    }


@access_staff(*WRITERS)
@require_GET
def import_detail(request: HttpRequest, appraisal_import_id: Any) -> HttpResponse:
    """The progress of one import; with ``?format=json`` (the page polls it) as JSON."""
    run = _run_for(request, appraisal_import_id)
    progress = _progress(run)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    return render(
        request,
        "integrity_appraisal/import_detail.html",
        {"run": run, "progress": progress, "errors_shown": ERRORS_SHOWN},
    )


@access_staff(*WRITERS)
@require_GET
def import_errors(request: HttpRequest, appraisal_import_id: Any) -> FileResponse:
    """The rejected rows as XLSX: the original columns, 原行号 and 错误原因."""
    run = _run_for(request, appraisal_import_id)
    if not run.failed_rows:
        raise Http404
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    imports.write_error_report(run, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"ethics-appraisal-import-errors-{run.created_at:%Y%m%d%H%M}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@access_staff(*WRITERS)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The template to fill in (XLSX)."""
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="ethics-appraisal-template.xlsx"'
    return response
