"""The hiring-check pages (入职查询): the checks of the user's schools, a new check, a
check's answer with its statutory record, the attachment, and the yearly re-check list.

Everything reads through ``hiring_checks_visible_to`` / ``institutions_visible_to``: outside
the user's jurisdiction is 404. A check's answer is non-public credit information: showing it
writes the query log (``staff_read_log``); running it is logged as a screening check.
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

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.core import uploads
from educredit.core.clock import today
from educredit.core.exports import Column, export_wanted, list_export
from educredit.integrity.hiring import selectors
from educredit.integrity.hiring.choices import HiringCheckPurpose
from educredit.integrity.hiring.forms import (
    CheckFilterForm,
    HiringCheckForm,
    RecheckFilterForm,
    StatutoryForm,
)
from educredit.integrity.hiring.models import HiringCheck
from educredit.integrity.hiring.services import (
    hiring_check_create,
    hiring_check_record_statutory,
    may_write,
)
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.sanctions.choices import MeasureVerdict
from educredit.subjects.models import Affiliation, Institution
from educredit.web.paging import page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
FIELDS = ("hiring_check",)


def verdict_label(verdict: str) -> str:
    """The platform's answer as staff read it."""
    if verdict in MeasureVerdict.values:
        return str(MeasureVerdict(verdict).label)
    return _("未发现限制情形")


def _school_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [(str(s.public_id), s.name) for s in selectors.schools_for(request.user)]


def _chosen_school(request: HttpRequest, value: str) -> Institution | None:
    if not value:
        return None
    return selectors.schools_for(request.user).filter(public_id=value).first()


# --- the checks -------------------------------------------------------------------------------


@access_staff()
@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    """The hiring checks of the user's schools, newest first, with filters."""
    schools = _school_choices(request)
    form = CheckFilterForm(request.GET or None, schools=schools)
    checks = (
        selectors.hiring_checks_visible_to(request.user)
        .select_related("school", "person")
        .order_by("-checked_on", "-pk")
    )
    if form.is_bound and not form.is_valid():
        checks = checks.none()  # an unknown filter matches nothing, not everything
    elif form.is_valid():
        data = form.cleaned_data
        if data["school"]:
            checks = checks.filter(school__public_id=data["school"])
        if data["purpose"]:
            checks = checks.filter(purpose=data["purpose"])
        if data["state"]:
            checks = checks.filter(complete=data["state"] == "complete")
    page = page_of(request, checks)
    staff_read_log(
        request,
        persons=[c.person for c in page.object_list],
        fields=FIELDS,
        route="integrity_hiring:list",
    )
    rows = [(c, verdict_label(c.verdict)) for c in page.object_list]
    return render(request, "integrity_hiring/list.html", {"form": form, "page": page, "rows": rows})


def _new_form_page(
    request: HttpRequest, form: HiringCheckForm, person: Any, status: int = 200
) -> HttpResponse:
    return render(
        request, "integrity_hiring/new.html", {"form": form, "person": person}, status=status
    )


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def check_new(request: HttpRequest) -> HttpResponse:
    """入职查询: enter the candidate (or start a current staff member's re-check) and see the
    platform's answer on the check's page."""
    data = request.POST if request.method == "POST" else request.GET
    person_id = data.get("person") or ""
    person = selectors.person_for_recheck(request.user, person_id) if person_id else None
    schools = _school_choices(request)
    if request.method == "GET":
        initial = {
            "school": data.get("school") or (schools[0][0] if len(schools) == 1 else ""),
            "purpose": data.get("purpose") or "",
            "person": person_id,
        }
        return _new_form_page(request, HiringCheckForm(initial=initial, schools=schools), person)
    form = HiringCheckForm(request.POST, schools=schools)
    if not form.is_valid():
        return _new_form_page(request, form, person, status=400)
    school = _chosen_school(request, form.cleaned_data["school"])
    if school is None:
        raise Http404
    try:
        check = hiring_check_create(
            actor=request.user,  # type: ignore[arg-type]
            school=school,
            purpose=form.cleaned_data["purpose"],
            document_type=form.cleaned_data["document_type"],
            document_number=form.cleaned_data["document_number"],
            name=form.cleaned_data["name"],
            person=person,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _new_form_page(request, form, person, status=400)
    return redirect("integrity_hiring:detail", hiring_check_id=check.public_id)


def _detail(
    request: HttpRequest, check: HiringCheck, form: StatutoryForm | None = None, status: int = 200
) -> HttpResponse:
    staff_read_log(request, persons=[check.person], fields=FIELDS, route="integrity_hiring:detail")
    can_record = not check.complete and may_write(request.user, check.school)
    return render(
        request,
        "integrity_hiring/detail.html",
        {
            "check": check,
            "verdict": verdict_label(check.verdict),
            "standing": selectors.standing_of(check),
            "measures": [
                {**row, "verdict_label": verdict_label(str(row.get("verdict")))}
                for row in check.measures
            ],
            "form": (form or StatutoryForm()) if can_record else None,
        },
        status=status,
    )


@access_staff()
@require_GET
def check_detail(request: HttpRequest, hiring_check_id: Any) -> HttpResponse:
    """A check: the platform's answer as given, the qualification status and ethics measures,
    and the statutory check's record (with the form to record it while incomplete)."""
    return _detail(request, selectors.access_hiring_check_for_user(request.user, hiring_check_id))


@access_staff(*WRITERS)
@require_POST
def check_statutory(request: HttpRequest, hiring_check_id: Any) -> HttpResponse:
    """Record the statutory check (性侵违法犯罪信息查询) of a check."""
    check = selectors.access_hiring_check_for_user(request.user, hiring_check_id)
    form = StatutoryForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, check, form, status=400)
    try:
        hiring_check_record_statutory(
            actor=request.user,  # type: ignore[arg-type]
            check=check,
            checked_by=form.cleaned_data["checked_by"],
            checked_on=form.cleaned_data["checked_on"],
            outcome=form.cleaned_data["outcome"],
            reference=form.cleaned_data["reference"],
            attachment=form.cleaned_data["attachment"],
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
        check.refresh_from_db()
        return _detail(request, check, form, status=400)
    messages.success(request, _("已记录性侵违法犯罪信息查询情况"))
    return redirect("integrity_hiring:detail", hiring_check_id=check.public_id)


@access_staff()
@require_GET
def check_attachment(request: HttpRequest, hiring_check_id: Any) -> FileResponse:
    """The statutory check's attachment (logged as a read of the check)."""
    check = selectors.access_hiring_check_for_user(request.user, hiring_check_id)
    if not check.statutory_attachment:
        raise Http404
    staff_read_log(
        request, persons=[check.person], fields=FIELDS, route="integrity_hiring:attachment"
    )
    extension = check.statutory_attachment.name.rsplit(".", 1)[-1].lower()
    content_type = uploads.DOCUMENT_TYPES.get(extension, ("application/octet-stream", b""))[0]
    return FileResponse(
        check.statutory_attachment.open("rb"),
        as_attachment=True,
        filename=f"{check.checked_on:%Y%m%d}-性侵违法犯罪信息查询结果.{extension}",
        content_type=content_type,
    )


# --- the yearly re-check ----------------------------------------------------------------------

RECHECK_COLUMNS = [
    Column(gettext_lazy("学校"), lambda a: a.institution.name),
    Column(gettext_lazy("姓名"), lambda a: a.person.name),
    Column(gettext_lazy("证件号码"), lambda a: a.person.id_number_masked),
    Column(gettext_lazy("身份"), lambda a: str(a.get_role_display())),
    Column(gettext_lazy("起始日期"), lambda a: a.started_on),
]


def _subject(row: Affiliation) -> tuple[Any, Any]:
    return row.person, None


@access_staff()
@require_GET
@list_export
def recheck_list(request: HttpRequest) -> HttpResponse:
    """年度复查: the current staff of the user's schools without a complete check this
    calendar year, with counts, filters, export and a button per row starting the check."""
    year = today().year
    schools = selectors.schools_for(request.user)
    form = RecheckFilterForm(request.GET or None, schools=_school_choices(request))
    due = selectors.recheck_due(schools, year=year)
    chosen = schools
    if form.is_bound and not form.is_valid():
        due = due.none()
    elif form.is_valid():
        data = form.cleaned_data
        if data["school"]:
            chosen = schools.filter(public_id=data["school"])
            due = due.filter(institution__in=chosen)
        if data["role"]:
            due = due.filter(role=data["role"])
        if data["q"]:
            due = due.filter(person__name__icontains=" ".join(data["q"].split()))
    if export_wanted(request):
        return export_subject_list(
            request,
            due,
            RECHECK_COLUMNS,
            stem="hiring-recheck",
            sheet=_("年度复查"),
            subjects=_subject,
        )
    page = page_of(request, due)
    counts = selectors.recheck_counts(chosen, year=year)
    return render(
        request,
        "integrity_hiring/recheck.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "year": year,
            "due_day": selectors.recheck_due_day(year),
            "annual": HiringCheckPurpose.ANNUAL,
        },
    )
