"""API schemas of credit commitments."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema


class CommitmentIn(Schema):
    """A commitment a business system takes in its own application flow.

    Idempotent on the system's ``reference``: the same reference with the same content answers
    the commitment already made (200); with different content it is refused (409).
    """

    reference: str = Field(..., min_length=1, max_length=100)
    matter_code: str = Field(..., min_length=1, max_length=40)
    institution_uscc: str = ""
    person_document_type: str = "resident_id"
    person_id_number: str = ""
    reason: str = Field("", max_length=512)
    valid_until: dt.date | None = None
    guardian_name: str = Field("", max_length=100)
    guardian_id_number: str = Field("", max_length=40)
    # The SHA-256 of the letter text the system showed the subject (refused if it differs).
    shown_sha256: str = Field("", max_length=64)


class CommitmentOut(Schema):
    """A commitment as signed: its code, the frozen text and its digest, both state fields."""

    public_id: uuid.UUID
    code: str | None
    decision: str
    channel: str
    matter_code: str
    commitment_type: str
    subject_name: str
    subject_code: str
    accepting_body: str
    signed_on: dt.date
    valid_until: dt.date | None
    publication_type: str
    signed_text: str
    signed_text_sha256: str
    supervision_state: str
    fulfilment: str
    credit_record: uuid.UUID | None
    reference: str


class CommitmentErrorOut(Schema):
    """Why a commitment was refused: ``detail`` and, per field, ``errors`` in the reader's
    language (a body that does not fit ``CommitmentIn`` comes as ninja's list of problems in
    ``detail``)."""

    detail: str | list[dict[str, Any]]
    errors: dict[str, str] = {}
