"""Signing in self-service: the subject reads the letter and signs it for itself; the
accepting body's staff accept it and it is recorded as JY-CN-01 from the text as signed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.commitments.choices import CommitmentChannel
from educredit.commitments.services import CommitmentError, commitment_accept, commitment_sign
from educredit.commitments.tests.shown import shown_letter
from educredit.exchange.models import OutboxItem
from educredit.records.choices import CreditRecordStatus
from educredit.rights.self_service import subject_account_activate, subject_account_open
from educredit.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_user(school: Any, approver: Any) -> Any:
    _account, code = subject_account_open(actor=approver, institution=school)
    account = subject_account_activate(code=code, username="qihang", password=TEST_PASSWORD)
    return account.user


def test_a_school_signs_itself_and_the_body_accepts_it_into_an_effective_record(
    shipped: Any, body: Any, approver: Any, school: Any, school_user: Any
) -> None:
    matter, letter = shown_letter(school, body)
    made = commitment_sign(
        actor=school_user,
        matter=matter,
        institution=school,
        accepting_organisation=body,
        channel=CommitmentChannel.SELF_SERVICE,
        shown_sha256=letter.sha256,
    ).commitment
    assert made.code and made.code.startswith("410102")
    assert made.signed_text == letter.text
    assert made.signed_by_id == school_user.pk
    assert made.credit_record_id is None
    assert not OutboxItem.objects.filter(kind="commitment").exists()  # not until accepted
    accepted = commitment_accept(actor=approver, commitment=made)
    (shared,) = OutboxItem.objects.filter(kind="commitment")
    assert (shared.key, shared.operation) == (f"CN|{made.code}|1", "add")
    record = accepted.credit_record
    assert record is not None
    assert record.status == CreditRecordStatus.EFFECTIVE
    assert record.decision_number == made.code
    assert "办学许可证" in record.payload["commitment_content"]
    assert record.payload["breach_liability"]
    with pytest.raises(CommitmentError):
        commitment_accept(actor=approver, commitment=accepted)


def test_a_subject_cannot_sign_for_another_subject(
    shipped: Any, body: Any, school: Any, school_user: Any, teacher: Any
) -> None:
    matter, letter = shown_letter(school, body)
    with pytest.raises(PermissionDenied):
        commitment_sign(
            actor=school_user,
            matter=matter,
            person=teacher,
            accepting_organisation=body,
            channel=CommitmentChannel.SELF_SERVICE,
            shown_sha256=letter.sha256,
        )


def test_self_service_signs_only_a_letter_that_was_shown(
    shipped: Any, body: Any, school: Any, school_user: Any
) -> None:
    matter, _letter = shown_letter(school, body)
    with pytest.raises(CommitmentError):
        commitment_sign(
            actor=school_user,
            matter=matter,
            institution=school,
            accepting_organisation=body,
            channel=CommitmentChannel.SELF_SERVICE,
        )


def test_an_outsider_cannot_accept_the_county_s_commitment(
    shipped: Any, body: Any, school: Any, school_user: Any, outsider: Any
) -> None:
    matter, letter = shown_letter(school, body)
    made = commitment_sign(
        actor=school_user,
        matter=matter,
        institution=school,
        accepting_organisation=body,
        channel=CommitmentChannel.SELF_SERVICE,
        shown_sha256=letter.sha256,
    ).commitment
    with pytest.raises(PermissionDenied):
        commitment_accept(actor=outsider, commitment=made)
    made.refresh_from_db()
    assert made.credit_record_id is None
