"""The workspace pages of 诚信案件: the list of the cases the user's jurisdiction handles, opening
a case, a case's page with its trail, notices, statements and sanctions and ONE form for each
step the procedure allows the user next, a notice's text, a person's sanction clock, and the
teacher-qualification restriction list.

Everything reads through ``selectors.cases_visible_to`` (outside the tree is 404) and writes
through ``services``; a refusal (``ValidationError``, ``PermissionDenied``, the record's
``RecordError``) is shown on the page as the service worded it. Reading a case, a notice or a
clock is a read of non-public information about the person: each writes the query log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import Power
from educredit.accounts.models import User
from educredit.accounts.permissions import access_staff
from educredit.core.clock import today
from educredit.core.exports import Column, export_wanted, list_export
from educredit.integrity.cases import clock, notices, procedure, selectors, services
from educredit.integrity.cases.choices import CaseStatus
from educredit.integrity.cases.forms import (
    AppealDecideForm,
    AppealForm,
    CaseFilterForm,
    CaseOpenForm,
    DecideForm,
    DefenceForm,
    DeliveryForm,
    HearingForm,
    NoteForm,
    NotifyForm,
    PersonSearchForm,
    ReasonForm,
)
from educredit.integrity.cases.models import Case, CaseNotice, CaseSanction, CaseStep
from educredit.integrity.cases.regimes import (
    BUREAUS,
    BY_CODE,
    Regime,
    regime_in_force,
    regimes_for_kind,
)
from educredit.records.services import RecordError
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.subjects import selectors as subjects
from educredit.subjects.models import Person
from educredit.web.navigation import url_if_available
from educredit.web.paging import page_of

FIELDS = ("integrity_cases",)
OPENERS = tuple(procedure.STAFF)


def regime_of(case: Case) -> Regime:
    regime = regime_in_force(case.regime, case.reported_on) or BY_CODE.get(case.regime)
    if regime is None:  # pragma: no cover - a case is opened only under a known regime
        raise Http404
    return regime


def regime_name(case: Case) -> str:
    regime = BY_CODE.get(case.regime)
    return str(regime.name) if regime else case.regime


def refusal_messages(exc: Exception) -> list[str]:
    """What a service said when it refused, as it worded it."""
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    if isinstance(exc, RecordError):
        return [str(m) for m in exc.errors.values()]
    return [str(exc.args[0]) if exc.args else _("无权进行此操作")]


# --- the list --------------------------------------------------------------------------------


COLUMNS = [
    Column(gettext_lazy("案件编号"), lambda c: c.number),
    Column(gettext_lazy("当事人"), lambda c: c.person.name),
    Column(gettext_lazy("适用规定"), regime_name),
    Column(gettext_lazy("状态"), lambda c: str(c.get_status_display())),
    Column(gettext_lazy("收到举报或线索日期"), lambda c: c.reported_on),
    Column(gettext_lazy("办理期限"), lambda c: c.due_on),
    Column(
        gettext_lazy("超过办理期限"),
        lambda c: _("是") if selectors.is_overdue(c) else _("否"),
    ),
    Column(gettext_lazy("办理单位"), lambda c: c.organisation.name),
]


@access_staff()
@require_GET
@list_export
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user's organisation and those below handle, newest report first."""
    form = CaseFilterForm(request.GET or None)
    cases = selectors.cases_visible_to(request.user).order_by("-reported_on", "-pk")
    if form.is_bound and not form.is_valid():
        cases = cases.none()  # an unknown filter matches nothing, not everything
    elif form.is_valid():
        data = form.cleaned_data
        if data["regime"]:
            cases = cases.filter(regime=data["regime"])
        if data["status"]:
            cases = cases.filter(status=data["status"])
        if data["overdue"]:
            cases = selectors.overdue_cases(cases)
        if data["q"]:
            cases = cases.filter(person__name__icontains=" ".join(data["q"].split()))
    if export_wanted(request):
        return export_subject_list(
            request, cases, COLUMNS, stem="integrity-cases", sheet=_("诚信案件")
        )
    page = page_of(request, cases)
    day = today()
    rows = [(c, regime_name(c), selectors.is_overdue(c, today=day)) for c in page.object_list]
    staff_read_log(
        request,
        persons=[c.person for c in page.object_list],
        fields=FIELDS,
        route="integrity_cases:list",
    )
    return render(
        request,
        "integrity_cases/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "new_url": url_if_available(request, "integrity_cases:new"),
        },
    )


# --- opening a case --------------------------------------------------------------------------


def _institutions(user: Any, person: Person) -> list[tuple[str, str]]:
    """Where the person works now, among the institutions the user sees."""
    seen: dict[str, str] = {}
    for affiliation in subjects.person_affiliations_visible_to(user, person).filter(
        ended_on__isnull=True
    ):
        seen.setdefault(str(affiliation.institution.public_id), affiliation.institution.name)
    return list(seen.items())


def _search(request: HttpRequest) -> HttpResponse:
    """Step one: find the person, by name among the people the user sees or by document."""
    form = PersonSearchForm(request.GET or None)
    people: list[Person] = []
    searched = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["document_number"]:
            searched = True
            found = subjects.person_find(
                user=request.user,
                document_type=data["document_type"],
                id_number=data["document_number"],
                purpose=_("登记诚信案件"),
            )
            people = [found] if found is not None else []
        elif data["q"]:
            searched = True
            people = list(subjects.person_search(request.user, q=data["q"])[:20])
            staff_read_log(request, persons=people, fields=("person",), route="integrity_cases:new")
    return render(
        request,
        "integrity_cases/search.html",
        {"form": form, "people": people, "searched": searched},
    )


def _open_page(
    request: HttpRequest, form: CaseOpenForm, person: Person, status: int = 200
) -> HttpResponse:
    return render(
        request, "integrity_cases/new.html", {"form": form, "person": person}, status=status
    )


@access_staff(*OPENERS)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """登记案件: find the person (or come from their page with ``?person=``), then the case."""
    user: User = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else request.GET
    person_id = data.get("person") or ""
    if not person_id:
        return _search(request)
    person = subjects.access_person_for_user(user, person_id)
    assert user.organisation is not None  # noqa: S101 - staff only (access rule)
    regimes = regimes_for_kind(user.organisation.kind)
    if not regimes:
        raise PermissionDenied
    institutions = _institutions(user, person)
    if request.method == "GET":
        initial = {
            "reported_on": today(),
            "institution": institutions[0][0] if len(institutions) == 1 else "",
        }
        form = CaseOpenForm(initial=initial, regimes=regimes, institutions=institutions)
        return _open_page(request, form, person)
    form = CaseOpenForm(request.POST, regimes=regimes, institutions=institutions)
    if not form.is_valid():
        return _open_page(request, form, person, status=400)
    cleaned = form.cleaned_data
    institution = None
    if cleaned["institution"]:
        institution = (
            subjects.institutions_visible_to(user).filter(public_id=cleaned["institution"]).first()
        )
    try:
        case = services.case_open(
            actor=user,
            regime_code=cleaned["regime"],
            person=person,
            institution=institution,
            source=cleaned["source"],
            reporter=cleaned["reporter"],
            reported_on=cleaned["reported_on"],
            allegation=cleaned["allegation"],
            misconduct_type=cleaned["misconduct_type"],
            public_official=cleaned["public_official"],
        )
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            for message in refusal_messages(exc):
                form.add_error(None, message)
        return _open_page(request, form, person, status=400)
    messages.success(request, _("已登记案件 %(number)s") % {"number": case.number})
    return redirect("integrity_cases:detail", case_id=case.public_id)


# --- the case page ---------------------------------------------------------------------------


def _access(request: HttpRequest, case_id: Any) -> Case:
    case = (
        selectors.cases_visible_to(request.user)
        .select_related(
            "record",
            "record__catalog_item",
            "qualification_record",
            "qualification_record__catalog_item",
        )
        .prefetch_related(
            Prefetch(
                "steps", queryset=CaseStep.objects.select_related("user").order_by("at", "id")
            ),
            "notices",
            "statements",
            "sanctions",
        )
        .filter(public_id=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _kinds(case: Case, regime: Regime) -> tuple[str, ...]:
    return clock.kinds_for(regime.sanction_set, public_official=case.public_official)


def remedy_text(regime: Regime) -> str:
    """The remedy a decision states, prefilled from the regime (its body and its period)."""
    period = notices.period_text(regime.deadline("appeal"))
    with translation.override("zh-hans"):
        body = str(regime.appeal_body)
    return f"如不服本决定，可自收到本决定书之日起{period}内向{body}提出复核或申诉。"


def _intended_initial(case: Case) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    index = 0
    for item in case.intended or []:
        if "kind" in item:
            index += 1
            initial[f"kind_{index}"] = item["kind"]
            initial[f"months_{index}"] = item.get("months")
        elif item.get("combined_months"):
            initial["combined_months"] = item["combined_months"]
    return initial


def _undelivered(case: Case) -> list[tuple[str, str]]:
    return [
        (
            str(n.public_id),
            _("%(label)s（%(bounds)s）")
            % {"label": n.get_kind_display(), "bounds": n.issued_on.isoformat()},
        )
        for n in case.notices.all()
        if n.delivered_on is None
    ]


def step_form(
    action: str, case: Case, regime: Regime, data: Any = None, *, staff: bool = True
) -> forms.Form | None:
    """The form of one step (None: the step is a button)."""
    prefix = action
    if action == "accept":
        return NoteForm(data, prefix=prefix)
    if action in ("reject", "clear", "appeal_reject"):
        return ReasonForm(data, prefix=prefix)
    if action == "notify":
        return NotifyForm(
            data,
            prefix=prefix,
            regime=regime,
            kinds=_kinds(case, regime),
            combined=case.public_official,
            initial={"misconduct_type": case.misconduct_type},
        )
    if action == "defend":
        return DefenceForm(data, prefix=prefix)
    if action == "hold_hearing":
        return HearingForm(data, prefix=prefix)
    if action == "decide":
        kinds = _kinds(case, regime)
        form = DecideForm(
            data,
            prefix=prefix,
            regime=regime,
            qualification=case.organisation.kind in BUREAUS
            and any(kind in services.QUALIFICATION for kind in kinds),
            kinds=kinds,
            combined=case.public_official,
            initial={
                "facts": case.facts,
                "reasons": case.reasons,
                "basis": case.basis,
                "remedy": remedy_text(regime),
                **_intended_initial(case),
            },
        )
        form.fields["remedy"].widget.attrs["lang"] = "zh"
        return form
    if action == "appeal":
        return AppealForm(data, prefix=prefix)
    if action == "appeal_decide":
        return AppealDecideForm(data, prefix=prefix)
    if action == "deliver":
        return DeliveryForm(
            data, prefix=prefix, notices=_undelivered(case), initial={"on": today()}
        )
    return None  # request_hearing, appeal_accept, close


def _window_passed(case: Case) -> bool:
    return case.person_due_on is not None and today() > case.person_due_on


def allowed_steps(user: Any, case: Case, regime: Regime) -> list[procedure.Step]:
    """The steps the procedure allows next that the user's roles may take; deciding while
    notified and closing wait for the person's window to pass (the service says so too)."""
    roles = set(user.roles()) if hasattr(user, "roles") else set()
    waits = {"close"} | ({"decide"} if case.status == CaseStatus.NOTIFIED else set())
    return [
        step
        for step in procedure.steps_from(case.status, hearing=regime.has_hearing)
        if roles & step.roles and (step.action not in waits or _window_passed(case))
    ]


DELIVER = "deliver"


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    bound: tuple[str, forms.Form | None] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    regime = regime_of(case)
    steps = allowed_steps(request.user, case, regime)
    step_forms = []
    for step in steps:
        if bound is not None and bound[0] == step.action:
            form = bound[1]
        else:
            form = step_form(step.action, case, regime)
        step_forms.append(
            {
                "action": step.action,
                "label": step.label,
                "form": form,
                "errors": errors if bound is not None and bound[0] == step.action else [],
                "article": regime.articles.get(step.action, ""),
            }
        )
    delivery = None
    if (
        set(request.user.roles()) & procedure.STAFF  # type: ignore[union-attr]
        and _undelivered(case)
    ):
        form = (
            bound[1]
            if bound is not None and bound[0] == DELIVER
            else step_form(DELIVER, case, regime)
        )
        delivery = {
            "form": form,
            "errors": errors if bound is not None and bound[0] == DELIVER else [],
        }
    shown = {item["action"] for item in step_forms} | ({DELIVER} if delivery else set())
    # A refusal of a step the page does not offer (not the user's, or no longer open) is
    # shown above the forms, as worded.
    loose_errors: list[str] = []
    if bound is not None and bound[0] not in shown:
        form_errors = bound[1].errors.values() if bound[1] is not None else []
        loose_errors = errors or [str(e) for field in form_errors for e in field]
    staff_read_log(request, persons=[case.person], fields=FIELDS, route="integrity_cases:detail")
    record_url = (
        url_if_available(request, "records:record_detail", credit_record_id=case.record.public_id)
        if case.record is not None
        else None
    )
    qualification_url = (
        url_if_available(
            request,
            "records:record_detail",
            credit_record_id=case.qualification_record.public_id,
        )
        if case.qualification_record is not None
        else None
    )
    return render(
        request,
        "integrity_cases/detail.html",
        {
            "case": case,
            "regime": regime,
            "regime_name": regime.name,
            "overdue": selectors.is_overdue(case),
            "steps": [{"step": s, "label": _action_label(s.action)} for s in case.steps.all()],
            "notices": list(case.notices.all()),
            "statements": list(case.statements.all()),
            "sanctions": [_sanction_row(row) for row in case.sanctions.all()],
            "record_url": record_url,
            "qualification_url": qualification_url,
            "clock_url": url_if_available(
                request, "integrity_cases:clock", person_id=case.person.public_id
            ),
            "step_forms": step_forms,
            "delivery": delivery,
            "loose_errors": loose_errors,
            "person_waits": case.status in procedure.PERSON_WAITS,
        },
        status=status,
    )


def _action_label(action: str) -> str:
    for step in procedure.STEPS:
        if step.action == action:
            return str(step.label)
    return action


def sanction_label(kind: str, stored: str) -> str:
    """The sanction's name in the reader's language (the stored one for an unknown kind)."""
    rule = clock.RULES.get(kind)
    return str(rule.label) if rule is not None else stored


def _sanction_row(row: CaseSanction) -> dict[str, Any]:
    return {"row": row, "label": sanction_label(row.kind, row.label)}


@access_staff()
@require_GET
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    """A case: its header, trail, notices, statements, sanctions, record, and the next steps."""
    return _detail(request, _access(request, case_id))


def _run(action: str, user: User, case: Case, form: forms.Form | None, request: Any) -> None:
    data = form.cleaned_data if form is not None else {}
    calls: dict[str, Callable[[], Any]] = {
        "accept": lambda: services.case_accept(actor=user, case=case, note=data["note"]),
        "reject": lambda: services.case_reject(actor=user, case=case, reason=data["reason"]),
        "clear": lambda: services.case_clear(actor=user, case=case, reason=data["reason"]),
        "notify": lambda: services.case_notify(
            actor=user,
            case=case,
            facts=data["facts"],
            reasons=data["reasons"],
            basis=data["basis"],
            intended=form.sanctions(),  # type: ignore[union-attr]
            combined_months=data.get("combined_months"),
            misconduct_type=data["misconduct_type"],
        ),
        "defend": lambda: services.case_defend(
            actor=user, case=case, text=data["text"], waived=data["waived"]
        ),
        "request_hearing": lambda: services.case_hearing_request(actor=user, case=case),
        "hold_hearing": lambda: services.case_hearing_record(
            actor=user, case=case, text=data["text"]
        ),
        "decide": lambda: services.case_decide(
            actor=user,
            case=case,
            facts=data["facts"],
            reasons=data["reasons"],
            basis=data["basis"],
            sanctions=form.sanctions(),  # type: ignore[union-attr]
            remedy=data["remedy"],
            combined_months=data.get("combined_months"),
            record_fields=form.record_fields(),  # type: ignore[union-attr]
        ),
        "appeal": lambda: services.case_appeal(actor=user, case=case, text=data["text"]),
        "appeal_accept": lambda: services.case_appeal_accept(actor=user, case=case),
        "appeal_reject": lambda: services.case_appeal_reject(
            actor=user, case=case, reason=data["reason"]
        ),
        "appeal_decide": lambda: services.case_appeal_decide(
            actor=user, case=case, outcome=data["outcome"], reason=data["reason"]
        ),
        "close": lambda: services.case_close(actor=user, case=case),
        DELIVER: lambda: services.case_notice_deliver(
            actor=user,
            notice=_notice_of_case(case, data["notice"]),
            delivery=data["delivery"],
            on=data["on"],
        ),
    }
    calls[action]()


def _notice_of_case(case: Case, public_id: str) -> CaseNotice:
    for notice in case.notices.all():
        if str(notice.public_id) == public_id:
            return notice
    raise ValidationError(_("请选择文书"))


DONE = {
    "accept": gettext_lazy("已受理并立案调查，立案调查通知书已生成"),
    "reject": gettext_lazy("已决定不予受理"),
    "clear": gettext_lazy("已认定不构成失信，调查结论通知书已生成"),
    "notify": gettext_lazy("拟处理决定告知书已生成"),
    "defend": gettext_lazy("已记录陈述和申辩"),
    "request_hearing": gettext_lazy("已记录听证申请，听证通知书已生成"),
    "hold_hearing": gettext_lazy("已记录听证情况"),
    "decide": gettext_lazy("已作出处理决定，处理决定书已生成，信用记录已提交审核"),
    "appeal": gettext_lazy("已记录复核或申诉申请"),
    "appeal_accept": gettext_lazy("已受理复核，复核受理通知书已生成"),
    "appeal_reject": gettext_lazy("已决定复核不予受理"),
    "appeal_decide": gettext_lazy("已作出复核决定，复核决定书已生成"),
    "close": gettext_lazy("已结案"),
    DELIVER: gettext_lazy("已记录送达"),
}


@access_staff(*OPENERS)
@require_POST
def case_step(request: HttpRequest, case_id: Any) -> HttpResponse:
    """One step of the case, by its form; a refusal is shown on the case page as worded."""
    case = _access(request, case_id)
    regime = regime_of(case)
    action = request.POST.get("action", "")
    if action != DELIVER and action not in {s.action for s in procedure.STEPS}:
        raise Http404
    form = step_form(action, case, regime, request.POST)
    if form is not None and not form.is_valid():
        return _detail(request, case, bound=(action, form), errors=[], status=400)
    user: User = request.user  # type: ignore[assignment]
    try:
        _run(action, user, case, form, request)
    except (ValidationError, PermissionDenied, RecordError) as exc:
        case = _access(request, case_id)  # nothing was written: read it again as it stands
        return _detail(
            request, case, bound=(action, form), errors=refusal_messages(exc), status=400
        )
    messages.success(request, str(DONE[action]))
    return redirect("integrity_cases:detail", case_id=case.public_id)


# --- a notice --------------------------------------------------------------------------------


@access_staff()
@require_GET
def notice_detail(request: HttpRequest, case_notice_id: Any) -> HttpResponse:
    """A notice exactly as issued, with its SHA-256 (print-friendly)."""
    notice = (
        CaseNotice.objects.filter(
            case__in=selectors.cases_visible_to(request.user), public_id=case_notice_id
        )
        .select_related("case", "case__person", "case__organisation")
        .first()
    )
    if notice is None:
        raise Http404
    staff_read_log(
        request, persons=[notice.case.person], fields=FIELDS, route="integrity_cases:notice"
    )
    return render(
        request,
        "integrity_cases/notice.html",
        {
            "notice": notice,
            "case": notice.case,
            "matches": notices.digest(notice.body) == notice.sha256,
        },
    )


# --- the person's sanction clock -------------------------------------------------------------


def _person_for_clock(user: Any, person_id: Any) -> Person:
    """A person the user sees, or the person of a case the user's jurisdiction handles."""
    try:
        return subjects.access_person_for_user(user, person_id)
    except Http404:
        case = selectors.cases_visible_to(user).filter(person__public_id=person_id).first()
        if case is None:
            raise
        return case.person


@access_staff()
@require_GET
def person_clock(request: HttpRequest, person_id: Any) -> HttpResponse:
    """The person's sanctions from every regime on one timeline, with what is in force today."""
    person = _person_for_clock(request.user, person_id)
    entries = selectors.person_clock(person)
    staff_read_log(request, persons=[person], fields=FIELDS, route="integrity_cases:clock")
    cases = list(
        selectors.cases_visible_to(request.user).filter(person=person).order_by("-reported_on")
    )
    return render(
        request,
        "integrity_cases/clock.html",
        {"person": person, "entries": entries, "cases": cases, "today": today()},
    )


# --- the teacher-qualification restriction list ----------------------------------------------


def _until(restriction: Any) -> Any:
    return restriction.ends_on or _("长期")


QUALIFICATION_COLUMNS = [
    Column(gettext_lazy("姓名"), lambda r: r.person.name),
    Column(gettext_lazy("证件号码"), lambda r: r.person.id_number_masked),
    Column(gettext_lazy("措施"), lambda r: r.measure.means),
    Column(gettext_lazy("起始日期"), lambda r: r.starts_on),
    Column(gettext_lazy("截止日期"), _until),
    Column(gettext_lazy("依据记录"), lambda r: r.basis_record.decision_number),
    Column(gettext_lazy("认定单位"), lambda r: r.basis_record.issuing_body),
]


@access_staff(powers=[Power.SUPERVISION])
@require_GET
@list_export
def qualification_restrictions(request: HttpRequest) -> HttpResponse:
    """教师资格限制库: people whose teacher qualification was revoked or lost, in force today."""
    rows = selectors.qualification_restrictions_visible_to(request.user)
    if export_wanted(request):
        return export_subject_list(
            request,
            rows,
            QUALIFICATION_COLUMNS,
            stem="teacher-qualification-restrictions",
            sheet=_("教师资格限制库"),
            subjects=lambda r: (r.person, None),
        )
    page = page_of(request, rows)
    staff_read_log(
        request,
        persons=[r.person for r in page.object_list],
        fields=FIELDS,
        route="integrity_cases:qualification_restrictions",
    )
    return render(request, "integrity_cases/qualification.html", {"page": page})
