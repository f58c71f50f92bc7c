"""Commitments to the provincial platform: the row in the 信用承诺信息 layout, through the outbox.

A signed commitment is reported when it is made and again whenever its supervision state or
fulfilment result changes, each report under its own key (``commitment_layout.commitment_key``
with the report's revision), in the caller's transaction. A minor's commitment and a declined
one (no code) are never sent (Henan §3).
"""

from __future__ import annotations

from typing import Any

from educredit.audit.services import target_type_of
from educredit.commitments.choices import CommitmentDecision, CommitmentSubjectCategory
from educredit.commitments.models import Commitment
from educredit.core.crypto import encrypt_text
from educredit.exchange.commitment_layout import IDENTITY_FIELD, commitment_key
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import SEALED
from educredit.exchange.services import outbox_enqueue


def commitment_shared(commitment: Commitment) -> bool:
    """Whether ``commitment`` goes to the platform at all."""
    return (
        commitment.decision == CommitmentDecision.SIGNED
        and bool(commitment.code)
        and commitment.credit_record_id is not None  # a minor's commitment has no record
    )


def commitment_row(commitment: Commitment) -> dict[str, Any]:
    """The commitment as the platform takes it, the party's number sealed."""
    record = commitment.credit_record
    payload = record.payload if record is not None else {}
    body = commitment.accepting_organisation
    if commitment.person is not None:
        identity: Any = {SEALED: commitment.person.id_number_cipher}
    else:
        identity = {SEALED: encrypt_text(commitment.subject_code)}
    row: dict[str, Any] = {
        "code": commitment.code,
        "subjectName": commitment.subject_name,
        "subjectCategory": commitment.subject_category or CommitmentSubjectCategory.ORGANISATION,
        IDENTITY_FIELD: identity,
        "commitmentTypeId": commitment.commitment_type,
        "reason": commitment.reason,
        "content": payload.get("commitment_content") or commitment.signed_text[:4000],
        "liabilityBreachCommitment": payload.get("breach_liability") or "",
        "commitmentDate": commitment.signed_on.isoformat(),
        "commitmentValidity": commitment.valid_until.isoformat() if commitment.valid_until else "",
        "superviseStatus": commitment.supervision_state,
        "fulfillmentStatus": commitment.fulfilment,
        "unperformedCommitmentContent": commitment.unperformed_content,
        "liabilityBreachCommitmentContent": commitment.liability_pursued,
        "fulfillmentStatusDate": commitment.fulfilment_decided_on.isoformat()
        if commitment.fulfilment_decided_on
        else "",
        "acceptanceConfirmUnit": commitment.fulfilment_decided_by,
        "acceptanceConfirmUnitIdentify": body.uscc if commitment.fulfilment_decided_by else "",
        "acceptanceUnit": body.name,
        "acceptanceUnitIdentify": body.uscc or "",
        "publicationType": commitment.publication_type,
        "remarks": commitment.remarks,
    }
    return {field: value for field, value in row.items() if value not in ("", None)}


def commitment_share(commitment: Commitment) -> OutboxItem | None:
    """Queue the commitment's current state for the platform (None when it is never sent)."""
    if not commitment_shared(commitment):
        return None
    reports = OutboxItem.objects.filter(
        source_type=target_type_of(commitment), source_id=str(commitment.pk)
    ).count()
    return outbox_enqueue(
        kind="commitment",
        operation="add" if reports == 0 else "change",
        key=commitment_key(str(commitment.code), reports + 1),
        row=commitment_row(commitment),
        organisation=commitment.accepting_organisation,
        source=commitment,
    )
