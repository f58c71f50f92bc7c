"""The research-activity pages (科研活动记录): the list of the user's institution (or of the
institutions below a bureau) with filters, phone layout and export; an activity's page (with the
change form for the institution's own staff); entry by them.

Everything reads through ``research_activities_visible_to`` (404 outside the user's tree) and
logs the read of the responsible persons shown (``staff_read_log``: an activity record is not
public). Buttons are shown only to whoever the service would let write (``may_write``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.core.exports import Column, export_wanted, list_export
from educredit.integrity.research import selectors, services
from educredit.integrity.research.forms import ActivityFilterForm, ActivityForm
from educredit.integrity.research.models import ResearchActivity
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.web.paging import page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
FIELDS = ("research_activity",)

COLUMNS = [
    Column(gettext_lazy("承担单位"), lambda a: a.institution.name),
    Column(gettext_lazy("项目名称"), lambda a: a.project_name),
    Column(gettext_lazy("项目编号"), lambda a: a.project_number),
    Column(gettext_lazy("资助或立项单位"), lambda a: a.funder),
    Column(gettext_lazy("项目负责人"), lambda a: a.responsible_person.name),
    Column(gettext_lazy("证件号码"), lambda a: a.responsible_person.id_number_masked),
    Column(gettext_lazy("开始日期"), lambda a: a.starts_on),
    Column(gettext_lazy("结束日期"), lambda a: a.ends_on),
    Column(gettext_lazy("数据存储位置"), lambda a: a.data_location),
    Column(gettext_lazy("数据保存期限"), lambda a: a.retention_until),
    Column(gettext_lazy("科研诚信承诺编码"), lambda a: a.commitment_code),
    Column(gettext_lazy("状态"), lambda a: a.get_status_display()),
]


def _person_of(activity: ResearchActivity) -> tuple[Any, None]:
    return activity.responsible_person, None


def _writable_institution(request: HttpRequest) -> Any:
    """The institution the user enters activities for (its own clerk or admin), or None."""
    institution = selectors.own_institution(request.user)
    if institution is None or not services.may_write(request.user, institution):
        return None
    return institution


@access_staff()
@require_GET
@list_export
def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities the user sees, newest start first; filters institution, status and a
    search text; ``?export=xlsx`` exports the filter."""
    form = ActivityFilterForm(
        request.GET or None, institutions=selectors.institutions_with_activities(request.user)
    )
    activities = selectors.research_activity_search(request.user)
    if form.is_bound and not form.is_valid():
        activities = activities.none()  # an unknown filter matches nothing, not everything
    elif form.is_valid():
        activities = selectors.research_activity_search(
            request.user,
            institution=form.cleaned_data["institution"],
            status=form.cleaned_data["status"],
            q=form.cleaned_data["q"],
        )
    if export_wanted(request):
        return export_subject_list(
            request,
            activities,
            COLUMNS,
            stem="research-activities",
            sheet=_("科研活动记录"),
            subjects=_person_of,
        )
    page = page_of(request, activities)
    staff_read_log(
        request,
        persons=[a.responsible_person for a in page.object_list],
        fields=FIELDS,
        route="integrity_research:list",
    )
    return render(
        request,
        "integrity_research/list.html",
        {"form": form, "page": page, "can_enter": _writable_institution(request) is not None},
    )


def _form_errors(form: ActivityForm, exc: services.ResearchActivityError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _values(form: ActivityForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data[name]
        for name in (
            "responsible_person",
            "project_name",
            "project_number",
            "funder",
            "starts_on",
            "ends_on",
            "data_location",
            "retention_until",
            "commitment_code",
            "status",
        )
    }


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    """Entry by the institution's own staff."""
    institution = _writable_institution(request)
    if institution is None:
        raise PermissionDenied(_("科研活动记录由项目承担单位的录入员或管理员录入"))
    form = ActivityForm(request.POST or None, people=selectors.people_of(institution))
    if request.method == "POST" and form.is_valid():
        user: Any = request.user
        try:
            activity = services.research_activity_create(
                actor=user, institution=institution, **_values(form)
            )
        except services.ResearchActivityError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("integrity_research:detail", activity_id=activity.public_id)
    return render(
        request,
        "integrity_research/form.html",
        {"form": form, "institution": institution},
        status=400 if form.errors else 200,
    )


def _initial(activity: ResearchActivity) -> dict[str, Any]:
    return {
        "responsible_person": activity.responsible_person.public_id,
        "project_name": activity.project_name,
        "project_number": activity.project_number,
        "funder": activity.funder,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "data_location": activity.data_location,
        "retention_until": activity.retention_until,
        "commitment_code": activity.commitment_code,
        "status": activity.status,
    }


def _detail(
    request: HttpRequest, activity: ResearchActivity, form: ActivityForm | None = None
) -> HttpResponse:
    can_edit = services.may_write(request.user, activity.institution)
    if can_edit and form is None:
        form = ActivityForm(
            initial=_initial(activity), people=selectors.people_of(activity.institution)
        )
    staff_read_log(
        request,
        persons=[activity.responsible_person],
        fields=FIELDS,
        route="integrity_research:detail",
    )
    return render(
        request,
        "integrity_research/detail.html",
        {"activity": activity, "can_edit": can_edit, "form": form if can_edit else None},
        status=400 if form is not None and form.errors else 200,
    )


@access_staff()
@require_GET
def activity_detail(request: HttpRequest, activity_id: str) -> HttpResponse:
    """One activity as staff read it; its own institution's staff get the change form."""
    activity = selectors.access_research_activity_for_user(request.user, activity_id)
    return _detail(request, activity)


@access_staff(*WRITERS)
@require_POST
def activity_edit(request: HttpRequest, activity_id: str) -> HttpResponse:
    """Change by the institution's own staff (the bureau above reads only: 403)."""
    activity = selectors.access_research_activity_for_user(request.user, activity_id)
    if not services.may_write(request.user, activity.institution):
        raise PermissionDenied(_("科研活动记录由项目承担单位的录入员或管理员录入"))
    form = ActivityForm(request.POST, people=selectors.people_of(activity.institution))
    if form.is_valid():
        user: Any = request.user
        try:
            services.research_activity_update(actor=user, activity=activity, **_values(form))
        except services.ResearchActivityError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("integrity_research:detail", activity_id=activity.public_id)
    return _detail(request, activity, form)
