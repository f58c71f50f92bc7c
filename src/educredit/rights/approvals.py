"""Approval of bulk access (批量查询审批): a view or export of non-public credit information
about more subjects than ``EDUCREDIT_BULK_ACCESS_THRESHOLD`` needs a reviewer's approval.

The user states a purpose and legal basis; a reviewer (never the requester) of the same or a
higher body approves or refuses; the approval covers exactly that route and those parameters,
once, within 24 hours. ``bulk_access_guard`` is what export views call before they build.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.rights.choices import ApprovalStatus
from educredit.rights.models import BulkAccessRequest

# An approval is for a task at hand, not a standing permission.
APPROVAL_VALID = dt.timedelta(hours=24)
APPROVERS = (UserRole.REVIEWER, UserRole.ADMIN)
# The export the guard stopped, kept in the session for the request form (not the URL, so
# the count the reviewer sees is the one the guard counted).
PENDING_SESSION_KEY = "educredit.bulk_access_pending"


def bulk_access_threshold() -> int:
    """How many subjects one view or export may reveal without an approval."""
    return int(settings.EDUCREDIT_BULK_ACCESS_THRESHOLD)


def canonical_parameters(request: HttpRequest) -> str:
    """The request's query string, sorted, so the same export matches its approval."""
    return "&".join(
        f"{key}={value}"
        for key, values in sorted(request.GET.lists())
        for value in sorted(values)
        if key != "page"
    )[:1000]


@transaction.atomic
def bulk_access_request_create(
    *,
    actor: User,
    route: str,
    parameters: str,
    subject_count: int,
    purpose: str,
    legal_basis: str,
) -> BulkAccessRequest:
    """Ask for approval to view or export ``subject_count`` subjects at ``route``."""
    if actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    purpose, legal_basis = " ".join(purpose.split()), " ".join(legal_basis.split())
    errors = {}
    if not purpose:
        errors["purpose"] = _("请填写用途")
    if not legal_basis:
        errors["legal_basis"] = _("请填写依据")
    if errors:
        raise ValidationError(errors)
    access = BulkAccessRequest.objects.create(
        requested_by=actor,
        organisation=actor.organisation,
        route=route[:120],
        parameters=parameters[:1000],
        subject_count=subject_count,
        purpose=purpose[:300],
        legal_basis=legal_basis[:300],
        created_at=clock.now(),
    )
    audit_append(actor=actor, action="rights.bulk_access_request", target=access, before=None)
    return access


def approvals_to_decide(user: User) -> QuerySet[BulkAccessRequest]:
    """Pending requests the user may decide: of their body's subtree, not their own."""
    if user.organisation is None or not user.has_role(*APPROVERS):
        return BulkAccessRequest.objects.none()
    return (
        BulkAccessRequest.objects.filter(
            status=ApprovalStatus.PENDING,
            organisation__path__startswith=user.organisation.path,
        )
        .exclude(requested_by=user)
        .select_related("requested_by", "organisation")
    )


def approvals_of(user: User) -> QuerySet[BulkAccessRequest]:
    """The user's own requests, newest first."""
    return BulkAccessRequest.objects.filter(requested_by=user).select_related("decided_by")


@transaction.atomic
def bulk_access_decide(
    *, actor: User, access: BulkAccessRequest, approve: bool, reason: str = ""
) -> BulkAccessRequest:
    """Approve or refuse a pending request (a reviewer of the subtree, not the requester)."""
    locked = BulkAccessRequest.objects.select_for_update().get(pk=access.pk)
    if not approvals_to_decide(actor).filter(pk=locked.pk).exists():
        raise PermissionDenied(_("不能审批此申请（本人申请或不在管辖范围内）"))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("驳回须说明理由")})
    before = locked.audit_snapshot()
    locked.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    locked.decided_by = actor
    locked.decided_at = clock.now()
    locked.decision_reason = reason.strip()
    locked.save()
    audit_append(
        actor=actor,
        action="rights.bulk_access_approve" if approve else "rights.bulk_access_refuse",
        target=locked,
        before=before,
        reason=locked.decision_reason,
    )
    return locked


@transaction.atomic
def bulk_access_use(*, actor: User, route: str, parameters: str) -> BulkAccessRequest | None:
    """Use (once) the actor's approval for exactly this route and parameters, if one is in
    date; None if there is none."""
    access = (
        BulkAccessRequest.objects.select_for_update()
        .filter(
            requested_by=actor,
            route=route,
            parameters=parameters,
            status=ApprovalStatus.APPROVED,
            decided_at__gte=clock.now() - APPROVAL_VALID,
        )
        .order_by("-decided_at")
        .first()
    )
    if access is None:
        return None
    before = access.audit_snapshot()
    access.status = ApprovalStatus.USED
    access.used_at = clock.now()
    access.save(update_fields=["status", "used_at"])
    audit_append(actor=actor, action="rights.bulk_access_use", target=access, before=before)
    return access


def bulk_access_guard(
    request: HttpRequest, route: str, parameters: str, subject_count: int
) -> HttpResponse | None:
    """None if the view or export may go ahead (few enough subjects, or an approval used now);
    otherwise the redirect to the page where the user asks for approval."""
    if subject_count <= bulk_access_threshold():
        return None
    user: Any = request.user
    access = bulk_access_use(actor=user, route=route, parameters=parameters)
    if access is not None:
        # The export's log rows carry the approved purpose and basis (``staff_read_log``).
        request.bulk_access = access  # type: ignore[attr-defined]
        return None
    request.session[PENDING_SESSION_KEY] = {
        "route": route,
        "parameters": parameters,
        "subject_count": subject_count,
    }
    return redirect("rights:approval_request")
