"""The commitments' staff pages: the list of commitments the user's jurisdiction accepted
(filter by matter and state, XLSX export of the filter), and a commitment's page with the text
as signed, where the accepting body accepts a self-service commitment and decides its
fulfilment. Everything reads through ``commitments_visible_to``: outside the tree is 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.commitments.checks.fulfilment import (
    SERIOUS_BREACH_ITEM,
    UNFULFILLED,
    commitment_fulfilment_decide,
)
from educredit.commitments.checks.views import task_state
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentSupervisionState,
    PublicationType,
)
from educredit.commitments.forms import (
    STATE_BREACHED,
    STATE_COMPLETED,
    STATE_PENDING,
    STATE_SUPERVISING,
    CommitmentFilterForm,
    FulfilmentDecideForm,
)
from educredit.commitments.models import Commitment, VerificationTask
from educredit.commitments.selectors import commitments_visible_to, matters_in_force
from educredit.commitments.services import CommitmentError, commitment_accept
from educredit.core import uploads
from educredit.core.exports import Column, export_wanted, list_export
from educredit.records.choices import CreditListKind, CreditRecordStatus
from educredit.records.services import RecordError
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.web.navigation import url_if_available
from educredit.web.paging import page_of

DECIDERS = (UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN)

PENDING = Q(
    decision=CommitmentDecision.SIGNED,
    channel=CommitmentChannel.SELF_SERVICE,
    credit_record__isnull=True,
    guardian_name="",
)
STATE_FILTERS = {
    STATE_SUPERVISING: Q(supervision_state=CommitmentSupervisionState.SUPERVISING) & ~PENDING,
    STATE_COMPLETED: Q(supervision_state=CommitmentSupervisionState.COMPLETED),
    STATE_PENDING: PENDING,
    STATE_BREACHED: Q(fulfilment__in=UNFULFILLED),
}


def is_pending(commitment: Commitment) -> bool:
    """待受理: signed in self-service and not yet accepted (a minor's is never recorded)."""
    return (
        commitment.decision == CommitmentDecision.SIGNED
        and commitment.channel == CommitmentChannel.SELF_SERVICE
        and commitment.credit_record_id is None
        and not commitment.guardian_name
    )


def state_label(commitment: Commitment) -> str:
    """The supervision state as staff read it: 待受理 before acceptance, 不承诺 for a decline."""
    if commitment.decision == CommitmentDecision.DECLINED:
        return _("不承诺，提交证明材料")
    if is_pending(commitment):
        return _("待受理")
    return str(commitment.get_supervision_state_display())


def _matters(commitments: QuerySet[Commitment]) -> list[tuple[str, str]]:
    """The matters to filter by: those of the list in force and those of the commitments seen
    (a matter of an earlier edition keeps its code)."""
    seen: dict[str, str] = {m.code: f"{m.code} {m.name}" for m in matters_in_force()}
    for code, name in commitments.values_list("matter__code", "matter__name").distinct():
        seen.setdefault(code, f"{code} {name}")
    return sorted(seen.items())


COLUMNS = [
    Column(gettext_lazy("承诺编码"), lambda c: c.code or ""),
    Column(gettext_lazy("承诺人名称"), lambda c: c.subject_name),
    Column(gettext_lazy("事项编码"), lambda c: c.matter.code),
    Column(gettext_lazy("事项"), lambda c: c.matter.name),
    Column(gettext_lazy("承诺受理单位"), lambda c: c.accepting_organisation.name),
    Column(gettext_lazy("承诺作出日期"), lambda c: c.signed_on),
    Column(gettext_lazy("承诺监管状态"), state_label),
    Column(gettext_lazy("承诺履行状态"), lambda c: str(c.get_fulfilment_display())),
]


@access_staff()
@require_GET
@list_export
def commitment_list(request: HttpRequest) -> HttpResponse:
    """The commitments the user's organisation and those below accepted, newest first."""
    visible = commitments_visible_to(request.user)
    form = CommitmentFilterForm(request.GET or None, matters=_matters(visible))
    commitments = visible.select_related(
        "matter", "accepting_organisation", "person", "institution"
    ).order_by("-signed_at", "-pk")
    if form.is_bound and not form.is_valid():
        commitments = commitments.none()  # an unknown filter matches nothing, not everything
    elif form.is_valid():
        if form.cleaned_data["matter"]:
            commitments = commitments.filter(matter__code=form.cleaned_data["matter"])
        state = form.cleaned_data["state"]
        if state:
            commitments = commitments.filter(STATE_FILTERS[state])
    if export_wanted(request):
        return export_subject_list(
            request, commitments, COLUMNS, stem="commitments", sheet=_("信用承诺")
        )
    page = page_of(request, commitments)
    rows = [(c, state_label(c)) for c in page.object_list]
    staff_read_log(
        request,
        persons=[c.person for c in page.object_list],
        institutions=[c.institution for c in page.object_list],
        fields=("commitments",),
        route="commitments:list",
    )
    return render(request, "commitments/list.html", {"form": form, "page": page, "rows": rows})


def _access(request: HttpRequest, commitment_id: Any) -> Commitment:
    commitment = (
        commitments_visible_to(request.user)
        .select_related(
            "matter",
            "accepting_organisation",
            "person",
            "institution",
            "fulfilment_record__catalog_item",
            "repair_application",
        )
        .filter(public_id=commitment_id)
        .first()
    )
    if commitment is None:
        raise Http404
    return commitment


def _public(commitment: Commitment) -> bool:
    """Whether §33(八) can apply: a public commitment with its record."""
    return (
        commitment.publication_type == PublicationType.PUBLIC
        and commitment.credit_record_id is not None
    )


SERIOUS_BASIS = "《河南省社会信用条例》第三十三条第（八）项"


def _propose_listing_url(request: HttpRequest, commitment: Commitment) -> str | None:
    """The serious-dishonesty list's proposal form for the subject, citing the effective
    JY-CN-04 record of this commitment (§33(八)), when the user may propose listings."""
    record = commitment.fulfilment_record
    if (
        record is None
        or record.catalog_item.code != SERIOUS_BREACH_ITEM
        or record.status != CreditRecordStatus.EFFECTIVE
    ):
        return None
    url = url_if_available(request, "records:list_entry_propose")
    if url is None:
        return None
    subject: dict[str, Any] = (
        {"institution": commitment.institution.public_id}
        if commitment.institution is not None
        else {"person": commitment.person.public_id if commitment.person else ""}
    )
    query = urlencode(
        {
            "kind": CreditListKind.SERIOUS,
            **subject,
            "basis": record.public_id,
            "reason": f"违背公开信用承诺（承诺编码 {commitment.code}）且造成严重后果："
            f"{commitment.serious_consequences}",
            "legal_basis": SERIOUS_BASIS,
        }
    )
    return f"{url}?{query}"


def _detail(
    request: HttpRequest, commitment: Commitment, form: FulfilmentDecideForm | None = None
) -> HttpResponse:
    own = getattr(request.user, "organisation", None)
    role_ok = request.user.has_role(*DECIDERS)  # type: ignore[union-attr]
    can_accept = (
        role_ok and own is not None and is_pending(commitment)
        and own.covers(commitment.accepting_organisation)
    )  # fmt: skip
    can_decide = (
        role_ok
        and own is not None
        and own.pk == commitment.accepting_organisation_id
        and commitment.decision == CommitmentDecision.SIGNED
        and not commitment.fulfilment
        and not is_pending(commitment)
    )
    task = VerificationTask.objects.filter(commitment=commitment).select_related("draw").first()
    staff_read_log(
        request,
        persons=[commitment.person],
        institutions=[commitment.institution],
        fields=("commitments",),
        route="commitments:detail",
    )
    return render(
        request,
        "commitments/detail.html",
        {
            "commitment": commitment,
            "state": state_label(commitment),
            "can_accept": can_accept,
            "can_decide": can_decide,
            "task": task,
            "propose_listing_url": _propose_listing_url(request, commitment),
            "fulfilment_record_url": (
                url_if_available(
                    request,
                    "records:record_detail",
                    credit_record_id=commitment.fulfilment_record.public_id,
                )
                if commitment.fulfilment_record is not None
                else None
            ),
            "repair_url": (
                url_if_available(
                    request,
                    "rights:repair_staff_detail",
                    repair_id=commitment.repair_application.public_id,
                )
                if commitment.repair_application is not None
                else None
            ),
            "task_state": task_state(task) if task is not None else "",
            "form": form or FulfilmentDecideForm(public=_public(commitment)),
        },
        status=400 if form is not None and form.errors else 200,
    )


@access_staff()
@require_GET
def commitment_detail(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    """A commitment: the text exactly as signed, its SHA-256 and both state fields."""
    return _detail(request, _access(request, commitment_id))


@access_staff()
@require_GET
def commitment_scan(request: HttpRequest, commitment_id: Any) -> FileResponse:
    """The scanned paper letter of a commitment staff entered (logged as a read of it)."""
    commitment = _access(request, commitment_id)
    if not commitment.scan:
        raise Http404
    staff_read_log(
        request,
        persons=[commitment.person],
        institutions=[commitment.institution],
        fields=("commitments",),
        route="commitments:scan",
    )
    extension = commitment.scan.name.rsplit(".", 1)[-1].lower()
    content_type = uploads.DOCUMENT_TYPES.get(extension, ("application/octet-stream", b""))[0]
    return FileResponse(
        commitment.scan.open("rb"),
        as_attachment=True,
        filename=f"{commitment.code}-承诺书扫描件.{extension}",
        content_type=content_type,
    )


@access_staff(*DECIDERS)
@require_POST
def commitment_accept_view(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    """受理: the accepting body accepts a commitment signed in self-service."""
    commitment = _access(request, commitment_id)
    try:
        commitment_accept(actor=request.user, commitment=commitment)  # type: ignore[arg-type]
    except (CommitmentError, RecordError, PermissionDenied) as exc:
        messages.error(request, "; ".join(str(m) for m in _messages_of(exc)))
    else:
        messages.success(request, _("已受理该承诺"))
    return redirect("commitments:detail", commitment_id=commitment.public_id)


def _messages_of(exc: Exception) -> list[Any]:
    if isinstance(exc, (CommitmentError, RecordError)):
        return list(exc.errors.values())
    return [exc.args[0] if exc.args else _("无权进行此操作")]


@access_staff(*DECIDERS)
@require_http_methods(["POST"])
def commitment_decide_view(request: HttpRequest, commitment_id: Any) -> HttpResponse:
    """认定履行: the accepting body decides the result; a refusal is shown in the form."""
    commitment = _access(request, commitment_id)
    form = FulfilmentDecideForm(request.POST, public=_public(commitment))
    if form.is_valid():
        try:
            commitment_fulfilment_decide(
                actor=request.user,  # type: ignore[arg-type]
                commitment=commitment,
                result=form.cleaned_data["result"],
                unperformed_content=form.cleaned_data["unperformed_content"],
                liability_pursued=form.cleaned_data["liability_pursued"],
                findings=form.cleaned_data["findings"],
                serious_consequences=form.cleaned_data.get("serious_consequences", ""),
            )
        except (CommitmentError, RecordError, PermissionDenied) as exc:
            # A refusal of the record that follows (RecordError) is shown like the decision's own.
            errors: dict[str, Any] = (
                dict(exc.errors)
                if isinstance(exc, (CommitmentError, RecordError))
                else {"": _messages_of(exc)[0]}
            )
            for field, message in errors.items():
                form.add_error(field if field in form.fields else None, str(message))
        else:
            messages.success(request, _("已认定履行状态"))
            return redirect("commitments:detail", commitment_id=commitment.public_id)
    return _detail(request, commitment, form)
