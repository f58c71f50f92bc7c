"""Pages of students' integrity: training contracts (list, entry, page with confirmations,
breach and payment), the yearly confirmation task list, and integrity-education activities.
Everything reads through the selectors: outside the jurisdiction is 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.core import clock, uploads
from educredit.core.exports import Column, export_list, export_wanted, list_export
from educredit.core.selectors import region_name
from educredit.integrity.students.choices import ContractProgramme
from educredit.integrity.students.forms import (
    ActivityFilterForm,
    ActivityForm,
    BreachForm,
    ConfirmationForm,
    ContractFilterForm,
    ContractForm,
    PaidForm,
    TaskFilterForm,
    TransitionForm,
)
from educredit.integrity.students.models import IntegrityEducationActivity, TrainingContract
from educredit.integrity.students.selectors import (
    access_contract_for_user,
    activities_visible_to,
    activity_figures,
    confirmations_due,
    contracts_visible_to,
)
from educredit.integrity.students.services import (
    TRANSITIONS,
    breach_amounts,
    integrity_activity_record,
    served_years_of,
    service_confirmation_record,
    training_contract_breach,
    training_contract_breach_pay,
    training_contract_create,
    training_contract_transition,
)
from educredit.records.choices import CreditRecordStatus
from educredit.records.services import RecordError
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.subjects.choices import InstitutionKind, QueryPurpose
from educredit.subjects.models import Institution
from educredit.subjects.selectors import institutions_visible_to, person_find
from educredit.web.navigation import url_if_available
from educredit.web.paging import page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
CONFIRMERS = (UserRole.REVIEWER, UserRole.ADMIN)
TRAINING_KINDS = (InstitutionKind.UNIVERSITY, InstitutionKind.VOCATIONAL_SCHOOL)
FIELDS = ("training_contracts",)


def _schools(user: Any, kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    schools = institutions_visible_to(user)
    if kinds:
        schools = schools.filter(kind__in=kinds)
    return [
        (str(pk), name)
        for pk, name in schools.order_by("name").values_list("public_id", "name")[:500]
    ]


def _school_of(user: Any, public_id: str) -> Institution:
    school = institutions_visible_to(user).filter(public_id=public_id).first()
    if school is None:
        raise Http404
    return school


def _form_errors(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    elif isinstance(exc, RecordError):
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, str(message))
    else:
        form.add_error(None, str(exc.args[0]) if exc.args else _("无权进行此操作"))


CONTRACT_COLUMNS = [
    Column(gettext_lazy("协议编号"), lambda c: c.agreement_number),
    Column(gettext_lazy("学生"), lambda c: c.person.name),
    Column(gettext_lazy("证件号码"), lambda c: c.person.id_number_masked),
    Column(gettext_lazy("培养学校"), lambda c: c.school.name),
    Column(gettext_lazy("培养类别"), lambda c: str(c.get_programme_display())),
    Column(gettext_lazy("签订日期"), lambda c: c.signed_on),
    Column(gettext_lazy("服务年限"), lambda c: c.service_years),
    Column(gettext_lazy("服务地区"), lambda c: region_name(c.service_region_code) or ""),
    Column(gettext_lazy("状态"), lambda c: str(c.get_status_display())),
]


@access_staff()
@require_GET
@list_export
def contract_list(request: HttpRequest) -> HttpResponse:
    """The training contracts kept in the user's jurisdiction, filtered."""
    form = ContractFilterForm(request.GET or None)
    contracts = contracts_visible_to(request.user).order_by("-signed_on", "-pk")
    if form.is_bound and not form.is_valid():
        contracts = contracts.none()
    elif form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            contracts = contracts.filter(Q(person__name__icontains=q) | Q(agreement_number=q))
        for name in ("programme", "status"):
            if form.cleaned_data[name]:
                contracts = contracts.filter(**{name: form.cleaned_data[name]})
    if export_wanted(request):
        return export_subject_list(
            request,
            contracts,
            CONTRACT_COLUMNS,
            stem="training-contracts",
            sheet=_("定向、公费培养协议"),
            subjects=lambda c: (c.person, None),
        )
    page = page_of(request, contracts)
    staff_read_log(
        request,
        persons=[c.person for c in page.object_list],
        fields=FIELDS,
        route="integrity_students:contracts",
    )
    return render(
        request,
        "integrity_students/contract_list.html",
        {
            "form": form,
            "page": page,
            "create_url": url_if_available(request, "integrity_students:contract_create"),
        },
    )


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    """Enter a contract: the school, the student by document number, the terms."""
    form = ContractForm(request.POST or None)
    form.set_schools(_schools(request.user, TRAINING_KINDS))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = person_find(
            user=request.user,
            document_type=data["document_type"],
            id_number=data["id_number"],
            purpose=QueryPurpose.RECORD_ENTRY,
        )
        if person is None:
            form.add_error("id_number", _("管辖范围内没有此证件号码的学生，请先登记"))
        else:
            try:
                contract = training_contract_create(
                    actor=request.user,  # type: ignore[arg-type]
                    person=person,
                    school=_school_of(request.user, data["school"]),
                    programme=data["programme"],
                    agreement_number=data["agreement_number"],
                    signed_on=data["signed_on"],
                    expected_graduation=data["expected_graduation"],
                    service_years=data["service_years"],
                    service_region_code=data["service_region_code"],
                    tuition_received=data["tuition_received"] or 0,
                    accommodation_received=data["accommodation_received"] or 0,
                    living_subsidy_received=data["living_subsidy_received"] or 0,
                    refund_rule=data["refund_rule"],
                    penalty_rate=data["penalty_rate"],
                )
            except (ValidationError, PermissionDenied) as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("已录入培养协议"))
                return redirect("integrity_students:contract", contract_id=contract.public_id)
    return render(
        request,
        "integrity_students/contract_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _contract_page(
    request: HttpRequest,
    contract: TrainingContract,
    *,
    breach_form: BreachForm | None = None,
    transition_form: TransitionForm | None = None,
    paid_form: PaidForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    own = user.organisation
    covers = own is not None and own.covers(contract.organisation)
    writer = covers and user.has_role(*WRITERS)
    breach = getattr(contract, "breach", None)
    open_contract = contract.status in TRANSITIONS["breach"][0]
    served = served_years_of(contract)
    _received, refund, penalty = breach_amounts(contract, served_years=served)
    record_url = None
    repair_url = None
    can_pay = False
    if breach is not None:
        record_url = url_if_available(
            request, "records:record_detail", credit_record_id=breach.record.public_id
        )
        can_pay = (
            covers
            and user.has_role(*CONFIRMERS)
            and not breach.paid
            and breach.record.status == CreditRecordStatus.EFFECTIVE
        )
        if breach.paid and breach.record.status == CreditRecordStatus.EFFECTIVE:
            base = url_if_available(request, "rights:repair_create")
            repair_url = f"{base}?record={breach.record.public_id}" if base else None
    staff_read_log(
        request, persons=[contract.person], fields=FIELDS, route="integrity_students:contract"
    )
    errors = any(f is not None and f.errors for f in (breach_form, transition_form, paid_form))
    return render(
        request,
        "integrity_students/contract_detail.html",
        {
            "contract": contract,
            "service_region": region_name(contract.service_region_code) or "",
            "confirmations": contract.confirmations.order_by("year"),
            "breach": breach,
            "served": served,
            "refund_preview": refund,
            "penalty_preview": penalty,
            "record_url": record_url,
            "repair_url": repair_url,
            "can_write": writer and open_contract,
            "can_confirm": writer and contract.status == TRANSITIONS["start_service"][1],
            "can_pay": can_pay,
            "breach_form": breach_form or BreachForm(initial={"found_on": clock.today()}),
            "transition_form": transition_form or TransitionForm(),
            "paid_form": paid_form or PaidForm(initial={"paid_on": clock.today()}),
        },
        status=400 if errors else 200,
    )


@access_staff()
@require_GET
def contract_detail(request: HttpRequest, contract_id: Any) -> HttpResponse:
    """A contract: its terms, the yearly confirmations, the breach and its record."""
    return _contract_page(request, access_contract_for_user(request.user, contract_id))


@access_staff(*WRITERS)
@require_POST
def contract_transition(request: HttpRequest, contract_id: Any) -> HttpResponse:
    """开始履约, 履约完毕 or 解除."""
    contract = access_contract_for_user(request.user, contract_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            training_contract_transition(
                actor=request.user,  # type: ignore[arg-type]
                contract=contract,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                service_started_on=form.cleaned_data["service_started_on"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已更新协议状态"))
            return redirect("integrity_students:contract", contract_id=contract.public_id)
    return _contract_page(request, contract, transition_form=form)


@access_staff(*WRITERS)
@require_POST
def contract_breach(request: HttpRequest, contract_id: Any) -> HttpResponse:
    """违约: the breach is computed and its JY-XY-01 record goes to review."""
    contract = access_contract_for_user(request.user, contract_id)
    form = BreachForm(request.POST)
    if form.is_valid():
        try:
            training_contract_breach(
                actor=request.user,  # type: ignore[arg-type]
                contract=contract,
                ground=form.cleaned_data["ground"],
                found_on=form.cleaned_data["found_on"],
                description=form.cleaned_data["description"],
            )
        except (ValidationError, PermissionDenied, RecordError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已认定违约，违约记录已提交审核"))
            return redirect("integrity_students:contract", contract_id=contract.public_id)
    return _contract_page(request, contract, breach_form=form)


@access_staff(*CONFIRMERS)
@require_POST
def breach_paid(request: HttpRequest, contract_id: Any) -> HttpResponse:
    """退还费用并缴纳违约金: recorded on the breach and its record; repair is applied for."""
    contract = access_contract_for_user(request.user, contract_id)
    breach = getattr(contract, "breach", None)
    if breach is None:
        raise Http404
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            training_contract_breach_pay(
                actor=request.user,  # type: ignore[arg-type]
                breach=breach,
                paid_on=form.cleaned_data["paid_on"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied, RecordError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已确认缴清，可申请信用修复"))
            return redirect("integrity_students:contract", contract_id=contract.public_id)
    return _contract_page(request, contract, paid_form=form)


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def confirmation_create(request: HttpRequest, contract_id: Any) -> HttpResponse:
    """The employer's confirmation of one year's service."""
    contract = access_contract_for_user(request.user, contract_id)
    form = ConfirmationForm(
        request.POST or None,
        initial={
            "year": clock.today().year,
            "confirmed_on": clock.today(),
            "employer_region_code": contract.service_region_code,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_confirmation_record(
                actor=request.user,  # type: ignore[arg-type]
                contract=contract,
                **form.cleaned_data,
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已录入年度履约确认"))
            return redirect("integrity_students:contract", contract_id=contract.public_id)
    staff_read_log(
        request, persons=[contract.person], fields=FIELDS, route="integrity_students:confirm"
    )
    return render(
        request,
        "integrity_students/confirmation_form.html",
        {"form": form, "contract": contract},
        status=400 if form.errors else 200,
    )


TASK_COLUMNS = [
    Column(gettext_lazy("培养学校"), lambda c: c.school.name),
    Column(gettext_lazy("学生"), lambda c: c.person.name),
    Column(gettext_lazy("证件号码"), lambda c: c.person.id_number_masked),
    Column(gettext_lazy("协议编号"), lambda c: c.agreement_number),
    Column(gettext_lazy("培养类别"), lambda c: str(c.get_programme_display())),
    Column(gettext_lazy("开始履约日期"), lambda c: c.service_started_on),
    Column(gettext_lazy("服务地区"), lambda c: region_name(c.service_region_code) or ""),
]


@access_staff()
@require_GET
@list_export
def confirmation_tasks(request: HttpRequest) -> HttpResponse:
    """The year's task list: contracts in service without this year's confirmation. A missed
    confirmation is no breach by itself: a person looks into it and decides."""
    form = TaskFilterForm(request.GET or None)
    year = clock.today().year
    programme = school = ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        programme = form.cleaned_data["programme"]
        school = form.cleaned_data["school"].strip()
    contracts = confirmations_due(request.user, year=year)
    if form.is_bound and not form.is_valid():
        contracts = contracts.none()
    if programme:
        contracts = contracts.filter(programme=programme)
    if school:
        contracts = contracts.filter(school__name__icontains=school)
    if export_wanted(request):
        return export_subject_list(
            request,
            contracts,
            TASK_COLUMNS,
            stem="service-confirmations-due",
            sheet=_("待年度履约确认"),
            subjects=lambda c: (c.person, None),
        )
    page = page_of(request, contracts)
    staff_read_log(
        request,
        persons=[c.person for c in page.object_list],
        fields=FIELDS,
        route="integrity_students:tasks",
    )
    return render(
        request,
        "integrity_students/tasks.html",
        {"form": form, "page": page, "year": year, "programmes": ContractProgramme},
    )


ACTIVITY_COLUMNS = [
    Column(gettext_lazy("学校"), lambda a: a.school.name),
    Column(gettext_lazy("活动日期"), lambda a: a.held_on),
    Column(gettext_lazy("活动名称"), lambda a: a.title),
    Column(gettext_lazy("活动形式"), lambda a: str(a.get_kind_display())),
    Column(gettext_lazy("参加人数"), lambda a: a.participants),
    Column(gettext_lazy("组织者"), lambda a: a.organiser),
]


@access_staff()
@require_GET
@list_export
def activity_list(request: HttpRequest) -> HttpResponse:
    """Integrity-education activities of the schools in the jurisdiction, with figures per
    school and year."""
    form = ActivityFilterForm(request.GET or None)
    activities = activities_visible_to(request.user).order_by("-held_on", "-pk")
    if form.is_bound and not form.is_valid():
        activities = activities.none()
    elif form.is_valid():
        if form.cleaned_data["year"]:
            activities = activities.filter(held_on__year=form.cleaned_data["year"])
        if form.cleaned_data["school"].strip():
            activities = activities.filter(
                school__name__icontains=form.cleaned_data["school"].strip()
            )
    if export_wanted(request):
        return export_list(
            request,
            activities,
            ACTIVITY_COLUMNS,
            stem="integrity-education",
            sheet=_("诚信教育活动"),
        )
    return render(
        request,
        "integrity_students/activity_list.html",
        {
            "form": form,
            "page": page_of(request, activities),
            "figures": activity_figures(activities),
            "create_url": url_if_available(request, "integrity_students:activity_create"),
        },
    )


@access_staff(*WRITERS)
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    """Record an integrity-education activity."""
    form = ActivityForm(request.POST or None, request.FILES or None)
    form.set_schools(_schools(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            integrity_activity_record(
                actor=request.user,  # type: ignore[arg-type]
                school=_school_of(request.user, data["school"]),
                held_on=data["held_on"],
                title=data["title"],
                kind=data["kind"],
                participants=data["participants"],
                organiser=data["organiser"],
                attachment=data["attachment"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已录入诚信教育活动"))
            return redirect("integrity_students:activities")
    return render(
        request,
        "integrity_students/activity_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@access_staff()
@require_GET
def activity_attachment(request: HttpRequest, education_activity_id: Any) -> FileResponse:
    """An activity's attachment (only inside the jurisdiction)."""
    activity: IntegrityEducationActivity | None = (
        activities_visible_to(request.user)
        .filter(public_id=_uuid_or_404(education_activity_id))
        .first()
    )
    if activity is None or not activity.attachment:
        raise Http404
    extension = Path(activity.attachment.name).suffix.lower().lstrip(".")
    content_type = uploads.DOCUMENT_TYPES.get(extension, ("application/octet-stream", b""))[0]
    return FileResponse(
        activity.attachment.open("rb"),
        as_attachment=True,
        filename=f"integrity-education-{activity.held_on:%Y%m%d}.{extension}",
        content_type=content_type,
    )


def _uuid_or_404(value: Any) -> Any:
    import uuid

    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc
