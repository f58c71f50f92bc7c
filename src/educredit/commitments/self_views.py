"""The subject's own commitments in self-service (``/self/commitments/``): the list, a
commitment's text as signed, and making one — choose a matter in force and the accepting body
(the subject's supervising organisation or one above it), read the notice and letter, then
签署 (with the digest of the text read) or 不承诺，提交证明材料."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.models import Organisation
from educredit.accounts.permissions import access_subject
from educredit.accounts.selectors import organisation_ancestors
from educredit.commitments.checks.verification import matter_sampled
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentSupervisionState,
    MatterCheckMethod,
)
from educredit.commitments.forms import SelfDeclineForm, SelfSignForm, SelfSignStartForm
from educredit.commitments.letters import RenderedLetter
from educredit.commitments.models import Commitment, Matter, VerificationTask
from educredit.commitments.selectors import letter_render, matters_in_force, template_for_matter
from educredit.commitments.services import CommitmentError, commitment_decline, commitment_sign
from educredit.commitments.staff_views import state_label
from educredit.core import clock
from educredit.rights.self_service import Subject, self_read_log, subject_of
from educredit.web.paging import page_of


def _own_commitments(subject: Subject) -> QuerySet[Commitment]:
    """The subject's own commitments and declines (scoped by the subject itself)."""
    return (
        Commitment.objects.filter(**subject.filter_kwargs())
        .select_related("matter", "accepting_organisation")
        .order_by("-signed_at", "-pk")
    )


def _bodies(subject: Subject) -> list[Organisation]:
    """The accepting bodies a subject may choose: its supervising organisation(s) and their
    ancestors, nearest first."""
    if subject.institution is not None:
        supervisors = [subject.institution.supervisor]
    elif subject.person is not None:
        supervisors = [
            affiliation.institution.supervisor
            for affiliation in subject.person.affiliations.filter(
                ended_on__isnull=True
            ).select_related("institution__supervisor")
        ]
    else:
        supervisors = []
    seen: dict[int, Organisation] = {}
    for supervisor in supervisors:
        for body in [supervisor, *reversed(organisation_ancestors(supervisor))]:
            seen.setdefault(body.pk, body)
    return list(seen.values())


@access_subject
@require_GET
def self_commitment_list(request: HttpRequest) -> HttpResponse:
    """The subject's own commitments, newest first."""
    subject = subject_of(request.user)
    page = page_of(request, _own_commitments(subject))
    self_read_log(
        request.user,
        subject,
        purpose="本人查询",
        fields=("commitments",),
        route="self_service:commitment_list",
    )
    rows = [(c, state_label(c)) for c in page.object_list]
    return render(
        request,
        "commitments/self_list.html",
        {"subject": subject, "page": page, "rows": rows},
    )


@access_subject
@require_GET
def self_commitment_detail(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    """One of the subject's own commitments: the text exactly as signed and its states."""
    subject = subject_of(request.user)
    commitment = _own_commitments(subject).filter(public_id=commitment_id).first()
    if commitment is None:
        raise Http404
    self_read_log(
        request.user,
        subject,
        purpose="本人查询",
        fields=("commitments",),
        route="self_service:commitment_detail",
    )
    task, check_note = _check_note(commitment)
    return render(
        request,
        "commitments/self_detail.html",
        {
            "subject": subject,
            "commitment": commitment,
            "state": state_label(commitment),
            "task": task,
            "check_note": check_note,
        },
    )


def _check_note(commitment: Commitment) -> tuple[VerificationTask | None, str]:
    """What the subject is told of the check while its commitment is supervised: its task
    (method and due day), that the matter is sampled, or the matter's time limit; "" for none."""
    matter = commitment.matter
    if (
        commitment.decision != CommitmentDecision.SIGNED
        or commitment.supervision_state != CommitmentSupervisionState.SUPERVISING
        or matter.check_method == MatterCheckMethod.EXEMPT
    ):
        return None, ""
    try:
        task: VerificationTask | None = commitment.verification_task
    except VerificationTask.DoesNotExist:
        task = None  # not accepted yet, or a sampled matter's commitment not drawn
    if task is not None:
        return task, "task"
    if matter_sampled(matter):
        return None, "sample"
    return None, "days" if matter.check_due_working_days > 0 else ""


def _letter(subject: Subject, matter: Matter, body: Organisation) -> RenderedLetter | None:
    template = template_for_matter(matter)
    if template is None:
        return None
    return letter_render(
        matter=matter,
        template=template,
        institution=subject.institution,
        person=subject.person,
        accepting_organisation=body,
        day=clock.today(),
    )


def _add_errors(form: Any, exc: CommitmentError | PermissionDenied) -> None:
    if isinstance(exc, CommitmentError):
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, str(message))
    else:
        form.add_error(None, str(exc.args[0]) if exc.args else _("无权进行此操作"))


@access_subject
@require_http_methods(["GET", "POST"])
def self_commitment_create(request: HttpRequest) -> HttpResponse:
    """Make a commitment: choose, read, then sign or decline (``?matter=CN-MB-02``)."""
    subject = subject_of(request.user)
    matters = {matter.code: matter for matter in matters_in_force()}
    bodies = _bodies(subject)
    data = request.POST if request.method == "POST" else request.GET
    start = SelfSignStartForm(
        data if "matter" in data else None,
        initial={"matter": data.get("matter", "")},
        matters=[(code, f"{code} {m.name}") for code, m in matters.items()],
        bodies=bodies,
    )
    # A matter named in the link alone preselects it; the letter shows once a body is chosen
    # (the first, the subject's own supervisor, by default).
    if "matter" in data and "accepting" not in data and bodies:
        start = SelfSignStartForm(
            {"matter": data["matter"], "accepting": str(bodies[0].public_id)},
            matters=[(code, f"{code} {m.name}") for code, m in matters.items()],
            bodies=bodies,
        )
    letter: RenderedLetter | None = None
    matter: Matter | None = None
    body: Organisation | None = None
    if start.is_bound and start.is_valid():
        matter = matters[start.cleaned_data["matter"]]
        body = next(b for b in bodies if str(b.public_id) == start.cleaned_data["accepting"])
        letter = _letter(subject, matter, body)
        if letter is None:
            start.add_error("matter", _("该事项没有现行的承诺书模板"))
    sign = SelfSignForm(
        request.POST if request.POST.get("action") == "sign" else None,
        initial={"shown_sha256": letter.sha256 if letter else ""},
    )
    decline = SelfDeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    if request.method == "POST" and letter is not None and matter is not None and body:
        made = _answer(request, subject, matter, body, sign, decline)
        if made is not None:
            return redirect("self_service:commitment_detail", commitment_id=made.public_id)
    self_read_log(
        request.user,
        subject,
        purpose="本人查询",
        fields=("commitments",),
        route="self_service:commitment_create",
    )
    return render(
        request,
        "commitments/self_create.html",
        {
            "subject": subject,
            "start": start,
            "letter": letter,
            "sign": sign,
            "decline": decline,
        },
        status=400 if request.method == "POST" else 200,
    )


def _answer(
    request: HttpRequest,
    subject: Subject,
    matter: Matter,
    body: Organisation,
    sign: SelfSignForm,
    decline: SelfDeclineForm,
) -> Commitment | None:
    """Sign or decline as the POST asks; None (errors on the form) when refused."""
    if sign.is_bound and sign.is_valid():
        try:
            outcome = commitment_sign(
                actor=request.user,  # type: ignore[arg-type]
                matter=matter,
                institution=subject.institution,
                person=subject.person,
                accepting_organisation=body,
                channel=CommitmentChannel.SELF_SERVICE,
                shown_sha256=sign.cleaned_data["shown_sha256"],
                reason=sign.cleaned_data["reason"],
            )
        except (CommitmentError, PermissionDenied) as exc:
            _add_errors(sign, exc)
            return None
        messages.success(request, _("承诺已签署，待受理单位受理"))
        return outcome.commitment
    if decline.is_bound and decline.is_valid():
        try:
            declined = commitment_decline(
                actor=request.user,  # type: ignore[arg-type]
                matter=matter,
                institution=subject.institution,
                person=subject.person,
                proofs_note=decline.cleaned_data["proofs_note"],
                accepting_organisation=body,
                channel=CommitmentChannel.SELF_SERVICE,
            )
        except (CommitmentError, PermissionDenied) as exc:
            _add_errors(decline, exc)
            return None
        messages.success(request, _("已记录：不承诺，提交证明材料"))
        return declined
    return None
