"""The person's own cases in self-service (``/self/cases/``): each case with its notices;
opening a notice is its delivery by reading (``services.case_notice_read``); while the case
waits for the person, the form of what they may do — 陈述和申辩 (or 放弃) and, where the rule
gives one, 申请听证 while notified; 申请复核或申诉 while decided and inside the window. A
refusal is shown as the service worded it. Every page writes the self-read log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.models import User
from educredit.accounts.permissions import access_subject
from educredit.core.clock import today
from educredit.integrity.cases import notices, selectors, services
from educredit.integrity.cases.choices import CaseStatus
from educredit.integrity.cases.forms import AppealForm, DefenceForm
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.views import refusal_messages, regime_name, regime_of, sanction_label
from educredit.rights.self_service import Subject, self_read_log, subject_of

FIELDS = ("integrity_cases",)
PURPOSE = "本人查询"


def _log(request: HttpRequest, subject: Subject, route: str) -> None:
    self_read_log(request.user, subject, purpose=PURPOSE, fields=FIELDS, route=route)


@access_subject
@require_GET
def self_case_list(request: HttpRequest) -> HttpResponse:
    """The person's cases that have reached them, each with its notices."""
    subject = subject_of(request.user)
    cases: list[Case] = []
    if subject.person is not None:
        cases = list(
            selectors.cases_of_person(subject.person)
            .prefetch_related("notices")
            .order_by("-reported_on", "-pk")
        )
    _log(request, subject, "self_service:case_list")
    return render(
        request,
        "integrity_cases/self_list.html",
        {"subject": subject, "rows": [(c, regime_name(c)) for c in cases]},
    )


def _own_case(subject: Subject, case_id: Any) -> Case:
    if subject.person is None:
        raise Http404
    return selectors.case_of_person(subject.person, case_id)


def _appeal_open(case: Case) -> bool:
    return case.status == CaseStatus.DECIDED and (
        case.person_due_on is None or today() <= case.person_due_on
    )


def _page(
    request: HttpRequest,
    subject: Subject,
    case: Case,
    *,
    bound: tuple[str, forms.Form | None] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    regime = regime_of(case)

    def form_for(action: str, make: Any) -> Any:
        return bound[1] if bound is not None and bound[0] == action else make()

    _log(request, subject, "self_service:case_detail")
    return render(
        request,
        "integrity_cases/self_detail.html",
        {
            "subject": subject,
            "case": case,
            "regime": regime,
            "regime_name": regime.name,
            "notices": list(case.notices.all()),
            "statements": list(case.statements.filter(by_subject=True)),
            "sanctions": [
                {"row": row, "label": sanction_label(row.kind, row.label)}
                for row in case.sanctions.all()
            ],
            "defence_form": (
                form_for("defend", lambda: DefenceForm(prefix="defend"))
                if case.status == CaseStatus.NOTIFIED
                else None
            ),
            "hearing_open": case.status == CaseStatus.NOTIFIED and regime.has_hearing,
            "appeal_form": (
                form_for("appeal", lambda: AppealForm(prefix="appeal"))
                if _appeal_open(case) or (bound is not None and bound[0] == "appeal")
                else None
            ),
            "bound_action": bound[0] if bound is not None else "",
            "errors": errors or [],
        },
        status=status,
    )


ACTIONS = ("defend", "request_hearing", "appeal")


@access_subject
@require_http_methods(["GET", "POST"])
def self_case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    """One of the person's cases: its notices, sanctions, and what the person may do now."""
    subject = subject_of(request.user)
    case = _own_case(subject, case_id)
    if request.method == "GET":
        return _page(request, subject, case)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    form: forms.Form | None = None
    if action == "defend":
        form = DefenceForm(request.POST, prefix="defend")
    elif action == "appeal":
        form = AppealForm(request.POST, prefix="appeal")
    if form is not None and not form.is_valid():
        return _page(request, subject, case, bound=(action, form), status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        if action == "defend":
            services.case_defend(actor=user, case=case, text=data["text"], waived=data["waived"])
            done = _("您的陈述和申辩已提交")
        elif action == "request_hearing":
            services.case_hearing_request(actor=user, case=case)
            done = _("您的听证申请已提交")
        else:
            services.case_appeal(actor=user, case=case, text=data["text"])
            done = _("您的复核或申诉申请已提交")
    except (ValidationError, PermissionDenied) as exc:
        case = _own_case(subject, case_id)
        return _page(
            request, subject, case, bound=(action, form), errors=refusal_messages(exc), status=400
        )
    messages.success(request, done)
    return redirect("self_service:case_detail", case_id=case.public_id)


@access_subject
@require_GET
def self_case_notice(request: HttpRequest, case_notice_id: Any) -> HttpResponse:
    """One of the person's notices: opening it delivers it (送达 by reading) and shows its text."""
    subject = subject_of(request.user)
    if subject.person is None:
        raise Http404
    notice = selectors.notice_of_person(subject.person, case_notice_id)
    notice = services.case_notice_read(actor=request.user, notice=notice)  # type: ignore[arg-type]
    _log(request, subject, "self_service:case_notice")
    return render(
        request,
        "integrity_cases/self_notice.html",
        {
            "subject": subject,
            "notice": notice,
            "case": notice.case,
            "matches": notices.digest(notice.body) == notice.sha256,
        },
    )
