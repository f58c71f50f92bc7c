"""Bulk access: an export of more subjects than the threshold needs a reviewer's approval,
used once, for that export only."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.rights import approvals
from educredit.rights.choices import ApprovalStatus
from educredit.rights.models import BulkAccessRequest
from educredit.rights.purpose import staff_read_log
from educredit.rights.tests.factories import make_county, make_teacher, signed_in
from educredit.subjects.choices import QueryKind
from educredit.subjects.models import SubjectQueryLog
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

ROUTE = "sanctions:loop_export"


def _guard(user, parameters: str = "start=2026-01-01", count: int = 3):
    request = RequestFactory().get("/sanctions/loop/export.xlsx")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return approvals.bulk_access_guard(request, ROUTE, parameters, count), request


def test_under_the_threshold_nothing_is_asked(settings) -> None:
    settings.EDUCREDIT_BULK_ACCESS_THRESHOLD = 5
    county = make_county()
    stopped, _request = _guard(county.clerk, count=5)
    assert stopped is None


def test_over_the_threshold_the_user_asks_a_reviewer_who_approves_once(settings) -> None:
    settings.EDUCREDIT_BULK_ACCESS_THRESHOLD = 2
    county = make_county()
    clerk = signed_in(county.clerk)
    stopped, request = _guard(county.clerk)
    assert stopped is not None and stopped.url == reverse("rights:approval_request")

    session = clerk.session
    session[approvals.PENDING_SESSION_KEY] = request.session[approvals.PENDING_SESSION_KEY]
    session.save()
    response = clerk.post(
        reverse("rights:approval_request"),
        {"purpose": "年度核查", "legal_basis": "《河南省社会信用条例》第十八条"},
    )
    assert response.status_code == 302
    access = BulkAccessRequest.objects.get()
    assert (access.route, access.subject_count) == (ROUTE, 3)

    # The requester cannot approve their own request.
    admin = signed_in(county.province_admin)
    assert access in approvals.approvals_to_decide(county.province_admin)
    assert access not in approvals.approvals_to_decide(county.clerk)
    response = admin.post(
        reverse("rights:approval_decide"),
        {"approval": str(access.public_id), "decision": "approve", "reason": ""},
    )
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.status == ApprovalStatus.APPROVED

    # Another export (other parameters) is not covered; this one is, once.
    assert _guard(county.clerk, parameters="start=2025-01-01")[0] is not None
    assert _guard(county.clerk)[0] is None
    access.refresh_from_db()
    assert access.status == ApprovalStatus.USED
    assert _guard(county.clerk)[0] is not None


def test_a_refusal_needs_a_reason(settings) -> None:
    county = make_county()
    access = approvals.bulk_access_request_create(
        actor=county.clerk,
        route=ROUTE,
        parameters="",
        subject_count=900,
        purpose="核查",
        legal_basis="第十八条",
    )
    reviewer = signed_in(county.reviewer)
    reviewer.post(
        reverse("rights:approval_decide"),
        {"approval": str(access.public_id), "decision": "refuse", "reason": ""},
    )
    access.refresh_from_db()
    assert access.status == ApprovalStatus.PENDING
    reviewer.post(
        reverse("rights:approval_decide"),
        {"approval": str(access.public_id), "decision": "refuse", "reason": "用途不明确"},
    )
    access.refresh_from_db()
    assert access.status == ApprovalStatus.REFUSED


def test_the_loop_export_is_stopped_over_the_threshold(settings) -> None:
    settings.EDUCREDIT_BULK_ACCESS_THRESHOLD = -1
    county = make_county()
    response = signed_in(county.province_admin).get(reverse("sanctions:loop_export"))
    assert response.status_code == 302
    assert response["Location"] == reverse("rights:approval_request")


def test_an_approved_export_is_logged_with_the_approved_purpose(settings) -> None:
    settings.EDUCREDIT_BULK_ACCESS_THRESHOLD = -1
    county = make_county()
    admin = county.province_admin
    access = approvals.bulk_access_request_create(
        actor=admin,
        route=ROUTE,
        parameters="",
        subject_count=0,
        purpose="年度惩戒成效评估",
        legal_basis="《河南省社会信用条例》第二十四条",
    )
    reviewer = make_user(
        organisation=county.province, username="province.reviewer", roles=[UserRole.REVIEWER]
    )
    approvals.bulk_access_decide(actor=reviewer, access=access, approve=True)
    teacher = make_teacher(county)
    request = RequestFactory().get("/sanctions/loop/export.xlsx")
    request.user = admin
    request.session = {}  # type: ignore[assignment]

    assert approvals.bulk_access_guard(request, ROUTE, "", 1) is None
    staff_read_log(request, persons=[teacher], kind=QueryKind.EXPORT)

    row = SubjectQueryLog.objects.get(person=teacher)
    assert (row.purpose, row.legal_basis) == (
        "年度惩戒成效评估",
        "《河南省社会信用条例》第二十四条",
    )
