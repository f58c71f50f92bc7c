"""API schemas of credit records."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema


class RecordIn(Schema):
    """A record sent by a business system. The subject is named in the body, never the URL.

    Idempotent on (catalog item, issuing body USCC, decision number): sending the same
    decision again updates the draft, or answers with the record already there.
    """

    catalog_item: uuid.UUID
    institution_uscc: str = ""
    person_document_type: str = "resident_id"
    person_id_number: str = ""
    title: str
    decision_number: str = Field(..., min_length=1, max_length=120)
    issuing_body: str
    issuing_body_uscc: str = ""
    decision_date: dt.date
    procedure: str = "ordinary"
    corrected_minor_violation: bool = False
    payload: dict[str, Any] = {}
    submit: bool = False


class RefOut(Schema):
    public_id: uuid.UUID
    name: str


class CatalogItemRef(Schema):
    public_id: uuid.UUID
    code: str
    name: str


class RecordOut(Schema):
    """A record as the API shows it (public ids; a person's number only masked)."""

    public_id: uuid.UUID
    status: str
    severity: str
    catalog_item: CatalogItemRef
    subject_type: str
    subject: RefOut
    subject_masked_number: str = ""
    organisation: RefOut
    title: str
    decision_number: str
    issuing_body: str
    issuing_body_uscc: str
    decision_date: dt.date
    procedure: str
    corrected_minor_violation: bool
    payload: dict[str, Any]
    source: str
    public_from: dt.date | None
    public_until: dt.date | None
    reportable: bool
    may_ground_punishment: bool


class RecordErrorOut(Schema):
    """Why a record was refused: one bilingual message per field (a body that does not fit
    ``RecordIn`` comes as ninja's list of problems in ``detail``)."""

    detail: str | list[dict[str, Any]]
    errors: dict[str, str] = {}
