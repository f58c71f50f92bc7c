"""Pages of the subjects app: institutions, people, look-up by document number, imports and
the review of differing names.

Every view declares its access rule (any staff user reads; clerks and admins import and
resolve); every object is fetched through an ``access_*_for_user`` selector (404 outside the
jurisdiction); every write goes through a service. Identity numbers appear only masked.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.core.exports import Column, export_list, export_wanted, list_export
from educredit.core.i18n import shown
from educredit.rights.list_exports import export_subject_list
from educredit.subjects import imports, selectors, services
from educredit.subjects.choices import AffiliationRole, ImportKind, ImportStatus
from educredit.subjects.forms import (
    DiscrepancyResolveForm,
    ImportForm,
    InstitutionAliasForm,
    InstitutionFilterForm,
    PersonLookupForm,
    PersonSearchForm,
)
from educredit.subjects.models import ImportRun, Institution, NameDiscrepancy, Person
from educredit.subjects.regions import region_name
from educredit.web.paging import filters_query_string, page_of

ERRORS_SHOWN = 50
WRITERS = (UserRole.CLERK, UserRole.ADMIN)


def _former_names(institution: Institution) -> str:
    return "、".join(former.name for former in institution.former_names.all())


def _kind(institution: Institution) -> str:
    kind = str(institution.get_kind_display())
    return f"{kind} · {institution.get_level_display()}" if institution.level else kind


# The columns of the list pages, as exported (ADR 0036).
INSTITUTION_COLUMNS = (
    Column(gettext_lazy("名称"), lambda i: i.name),
    Column(gettext_lazy("曾用名"), _former_names),
    Column(gettext_lazy("统一社会信用代码"), lambda i: i.uscc),
    Column(gettext_lazy("学校标识码"), lambda i: i.moe_code),
    Column(gettext_lazy("类型"), _kind),
    Column(gettext_lazy("所在地"), lambda i: region_name(i.region_code or "")),
    Column(gettext_lazy("主管部门"), lambda i: i.supervisor.name if i.supervisor else ""),
)
PERSON_COLUMNS = (
    Column(gettext_lazy("姓名"), lambda p: p.name),
    Column(gettext_lazy("证件号码"), lambda p: p.id_number_masked),
    Column(gettext_lazy("性别"), lambda p: p.get_gender_display()),
)
IMPORT_COLUMNS = (
    Column(gettext_lazy("文件"), lambda r: r.original_filename),
    Column(gettext_lazy("内容"), lambda r: r.get_kind_display()),
    Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
    Column(gettext_lazy("成功"), lambda r: r.ok_rows),
    Column(gettext_lazy("失败"), lambda r: r.failed_rows),
    Column(gettext_lazy("上传人"), lambda r: str(r.created_by)),
    Column(gettext_lazy("时间"), lambda r: r.created_at),
)


def _discrepancy_subject(item: NameDiscrepancy) -> str:
    subject = item.institution or item.person
    return subject.name if subject is not None else ""


DISCREPANCY_COLUMNS = (
    Column(gettext_lazy("主体"), _discrepancy_subject),
    Column(gettext_lazy("在册"), lambda d: d.recorded_name),
    Column(gettext_lazy("提交"), lambda d: d.submitted_name),
    Column(gettext_lazy("来源"), lambda d: d.source),
    Column(gettext_lazy("状态"), lambda d: d.get_status_display()),
    Column(gettext_lazy("处理说明"), lambda d: d.resolution_note),
    Column(gettext_lazy("时间"), lambda d: d.created_at),
)


def _person_subject(person: Person) -> tuple[Person | None, Institution | None]:
    return person, None


# --- institutions -------------------------------------------------------------------------


@list_export
@access_staff()
@require_GET
def institution_list(request: HttpRequest) -> HttpResponse:
    """Institutions in the user's jurisdiction: search by name, former name or code; filters."""
    form = InstitutionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    institutions = selectors.institution_search(
        request.user,
        q=filters.get("q", ""),
        kind=filters.get("kind", ""),
        region=filters.get("region", ""),
    )
    if export_wanted(request):
        return export_list(
            request, institutions, INSTITUTION_COLUMNS, stem="institutions", sheet=_("学校与机构")
        )
    return render(
        request,
        "subjects/institution_list.html",
        {
            "form": form,
            "page": page_of(request, institutions),
            "query": filters_query_string(request),
        },
    )


@access_staff()
@require_GET
def institution_detail(request: HttpRequest, institution_id: str) -> HttpResponse:
    """One institution: identifiers, former names, short names, supervisor, its people."""
    institution = selectors.access_institution_for_user(request.user, institution_id)
    role = request.GET.get("role", "")
    if role not in AffiliationRole.values:
        role = ""
    counts = selectors.institution_people_counts(institution)
    reader: Any = request.user
    return render(
        request,
        "subjects/institution_detail.html",
        {
            "institution": institution,
            "former_names": institution.former_names.order_by("-used_until"),
            "aliases": institution.aliases.all(),
            "alias_form": InstitutionAliasForm(),
            "may_edit_aliases": services.may_write_institution(reader, institution),
            "role_counts": [
                (value, label, counts.get(value, 0)) for value, label in AffiliationRole.choices
            ],
            "role": role,
            "page": page_of(request, selectors.institution_affiliations(institution, role=role)),
            "query": filters_query_string(request),
        },
    )


@access_staff(*WRITERS)
@require_POST
def institution_aliases(request: HttpRequest, institution_id: str) -> HttpResponse:
    """Add or remove an institution's short name (简称) from its page; back to the page."""
    institution = selectors.access_institution_for_user(request.user, institution_id)
    form = InstitutionAliasForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("subjects:institution_detail", institution_id=institution.public_id)
    actor: Any = request.user
    try:
        if form.cleaned_data.get("remove"):
            alias = institution.aliases.filter(pk=form.cleaned_data["remove"]).first()
            if alias is None:
                raise Http404
            services.institution_alias_remove(actor=actor, alias=alias)
            messages.success(request, _("已删除简称“%(name)s”") % {"name": alias.name})
        else:
            alias = services.institution_alias_add(
                actor=actor, institution=institution, name=form.cleaned_data["name"]
            )
            messages.success(request, _("已添加简称“%(name)s”") % {"name": alias.name})
    except services.SubjectError as exc:
        messages.error(request, exc.message)
    return redirect("subjects:institution_detail", institution_id=institution.public_id)


# --- people -------------------------------------------------------------------------------


@list_export
@access_staff()
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    """People in the user's jurisdiction, by name; numbers are looked up on their own page.
    The export is of personal data in bulk: approved above the threshold, logged."""
    form = PersonSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    people = selectors.person_search(request.user, q=q)
    if export_wanted(request):
        return export_subject_list(
            request,
            people,
            PERSON_COLUMNS,
            stem="people",
            sheet=_("教师与学生"),
            subjects=_person_subject,
        )
    return render(
        request,
        "subjects/person_list.html",
        {
            "form": form,
            "page": page_of(request, people),
            "query": filters_query_string(request),
        },
    )


@access_staff()
@require_http_methods(["GET", "POST"])
def person_lookup(request: HttpRequest) -> HttpResponse:
    """Find a person by document number (POST only; the look-up and its purpose are logged)."""
    if request.method == "POST":
        form = PersonLookupForm(request.POST)
        if form.is_valid():
            person = selectors.person_find(
                user=request.user,
                document_type=form.cleaned_data["document_type"],
                id_number=form.cleaned_data["id_number"],
                purpose=form.cleaned_data["purpose"],
            )
            if person is not None:
                return redirect("subjects:person_detail", person_id=person.public_id)
            messages.warning(
                request,
                _("在您的管辖范围内没有找到该证件号码"),
            )
    else:
        form = PersonLookupForm()
    return render(request, "subjects/person_lookup.html", {"form": form})


@access_staff()
@require_GET
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    """One person: masked number, derived gender and birth date, affiliations the user sees."""
    person = selectors.access_person_for_user(request.user, person_id)
    return render(
        request,
        "subjects/person_detail.html",
        {
            "person": person,
            "affiliations": selectors.person_affiliations_visible_to(request.user, person),
        },
    )


# --- imports ------------------------------------------------------------------------------


@list_export
@access_staff(*WRITERS)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    """Import runs of the user's organisation and those below it."""
    runs = selectors.import_runs_visible_to(request.user)
    if export_wanted(request):
        return export_list(request, runs, IMPORT_COLUMNS, stem="import-runs", sheet=_("数据导入"))
    return render(request, "subjects/import_list.html", {"page": page_of(request, runs)})


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX file; it is imported in the background."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_run_start(
                actor=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                default_supervisor=form.cleaned_data["default_supervisor"],
                default_kind=form.cleaned_data["default_kind"],
            )
        except services.SubjectError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("subjects:import_detail", run_id=run.public_id)
    return render(request, "subjects/import_form.html", {"form": form})


def _run_progress(run: ImportRun) -> dict[str, Any]:
    errors = [
        {"row": error.row_number, "column": error.column, "reason": shown(error.reason)}
        for error in run.row_errors.order_by("row_number", "pk")[:ERRORS_SHOWN]
    ]
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
        "errors": errors,
        "report_url": reverse("subjects:import_error_report", kwargs={"run_id": run.public_id})
        if done and run.failed_rows
        else "",
    }


@access_staff(*WRITERS)
@require_GET
def import_detail(request: HttpRequest, run_id: str) -> HttpResponse:
    """The progress page of one import (it polls ``import_progress``)."""
    run = selectors.access_import_run_for_user(request.user, run_id)
    return render(
        request,
        "subjects/import_detail.html",
        {"run": run, "progress": _run_progress(run), "errors_shown": ERRORS_SHOWN},
    )


@access_staff(*WRITERS)
@require_GET
def import_progress(request: HttpRequest, run_id: str) -> JsonResponse:
    """Counts, status and the first rejected rows of an import, as JSON."""
    run = selectors.access_import_run_for_user(request.user, run_id)
    return JsonResponse(_run_progress(run))


@access_staff(*WRITERS)
@require_GET
def import_error_report(request: HttpRequest, run_id: str) -> FileResponse:
    """The rejected rows as XLSX: original columns, 原行号 and 错误原因."""
    run = selectors.access_import_run_for_user(request.user, run_id)
    if not run.failed_rows:
        raise Http404
    # Spooled: small reports stay in memory, large ones go to a temporary file.
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    imports.write_error_report(run, handle)
    handle.seek(0)
    stem = "机构" if run.kind == ImportKind.INSTITUTIONS else "人员"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}导入错误-{run.created_at:%Y%m%d%H%M}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- review of differing names ------------------------------------------------------------


@list_export
@access_staff()
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """Registrations that named a known subject differently, open ones first."""
    status = request.GET.get("status", "open")
    discrepancies = selectors.name_discrepancies_visible_to(request.user)
    if status in ("open", "accepted", "dismissed"):
        discrepancies = discrepancies.filter(status=status)
    if export_wanted(request):
        return export_list(
            request, discrepancies, DISCREPANCY_COLUMNS, stem="name-reviews", sheet=_("待核对")
        )
    return render(
        request,
        "subjects/review_list.html",
        {
            "page": page_of(request, discrepancies),
            "status": status,
            "can_resolve": request.user.has_role(*WRITERS),  # type: ignore[union-attr]
            "form": DiscrepancyResolveForm(),
        },
    )


@access_staff(*WRITERS)
@require_POST
def review_resolve(request: HttpRequest, discrepancy_id: str) -> HttpResponse:
    """Adopt or dismiss one differing name."""
    discrepancy = selectors.access_name_discrepancy_for_user(request.user, discrepancy_id)
    form = DiscrepancyResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理方式"))
        return redirect("subjects:review_list")
    try:
        services.name_discrepancy_resolve(
            actor=request.user,  # type: ignore[arg-type]
            discrepancy=discrepancy,
            accept=form.cleaned_data["accept"],
            note=form.cleaned_data["note"],
            effective_on=form.cleaned_data["effective_on"],
        )
    except services.SubjectError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已处理"))
    return redirect("subjects:review_list")
