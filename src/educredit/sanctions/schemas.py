"""API schemas of the sanctions app."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Field, Schema


class ScenarioOut(Schema):
    """A business scenario: the code a business system passes when it screens a subject."""

    code: str
    name: str
    name_en: str
    description: str
    retired_from: dt.date | None


class ScenariosOut(Schema):
    """Every business scenario, retired ones included (codes are never reused)."""

    scenarios: list[ScenarioOut]


class MeasureOut(Schema):
    """One measure: Henan §29's five columns, what triggers it, where and how long it applies."""

    public_id: uuid.UUID
    code: str
    direction: str
    part: str
    matter: str
    target: str
    subject_type: str
    means: str
    implementer: str
    legal_basis: str
    verdict: str
    scenarios: list[str]
    trigger_items: list[str]
    trigger_lists: list[str]
    trigger_where: dict[str, list[str]]
    duration_kind: str
    duration_months: int | None
    duration_field: str
    duration_note: str
    duration_text: str


class MeasuresOut(Schema):
    """The measure-list version in force on the day asked and its measures."""

    version: int | None
    title: str
    effective_from: dt.date | None
    as_of: dt.date
    measures: list[MeasureOut]


# --- screening (ADR 0022) -------------------------------------------------------------------


class CheckIn(Schema):
    """A check: the subject's identifier (a USCC, or a document type and number), optionally
    the name to confirm, the scenario code, the caller's own reference and the day asked
    about. Identifiers travel only in this body, never in a URL."""

    uscc: str | None = Field(None, max_length=40, description="统一社会信用代码 / USCC")
    document_type: str | None = Field(
        None, max_length=20, description="证件类型 / document type (resident_id, passport …)"
    )
    document_number: str | None = Field(None, max_length=40, description="证件号码")
    name: str | None = Field(
        None, max_length=200, description="名称或姓名（核对用）/ name to confirm"
    )
    scenario: str = Field(..., max_length=60, description="业务场景代码 / scenario code")
    reference: str = Field(
        ..., max_length=100, description="调用方业务编号 / the caller's own reference"
    )
    as_of: dt.date | None = Field(None, description="核查日期，默认今天 / day asked about")


class CheckBasisOut(Schema):
    """The record or list entry behind a measure (only with the details scope, in a scenario
    that needs it)."""

    kind: str = Field(description="record | list_entry")
    public_id: uuid.UUID
    decision_number: str
    issuing_body: str
    decision_date: dt.date | None
    catalog_item: str
    list_kind: str
    listed_on: dt.date | None


class CheckMeasureOut(Schema):
    """One measure in force on the subject in the scenario on the day asked about."""

    code: str
    matter: str
    means: str
    legal_basis: str
    verdict: str
    measure_version: int
    starts_on: dt.date
    ends_on: dt.date | None = Field(
        description="措施不再适用的第一天（不含），空为无期限 / first day it no longer "
        "applies (exclusive); null: no end"
    )
    basis: CheckBasisOut | None


class EntryTimestampOut(Schema):
    """The signed entry timestamp: the log's signed promise to integrate the check's entry by
    ``merge_deadline`` (a signed note; check it with ``educredit audit public-key``)."""

    origin: str
    leaf_hash: str
    timestamp: str
    merge_deadline: str
    note: str
    signature: str


class ReceiptOut(Schema):
    """Proof of screening: the check's audit entry (its id and signed entry timestamp), the
    data version it was answered from and the digest of the check record the entry holds.
    ``GET /api/sanctions/checks/{check_id}/proof`` proves the entry once it is integrated."""

    entry_id: int
    entry_timestamp: EntryTimestampOut
    data_version: int
    digest: str
    checked_at: dt.datetime


class CheckOut(Schema):
    """A check's answer: clear / restricted / review / reward, the measures behind it."""

    check_id: uuid.UUID
    scenario: str
    as_of: dt.date
    verdict: str = Field(description="clear | restricted | review | reward")
    subject_found: bool
    name_match: str = Field(description="'' (not sent) | current | former | mismatch")
    reason: str = Field(description="'' | name_mismatch")
    details_given: bool
    measures: list[CheckMeasureOut]
    receipt: ReceiptOut


class ErrorOut(Schema):
    """An error: what is wrong, in Chinese and English."""

    detail: str


class CheckErrorOut(Schema):
    """A refused check: the message, and per field what is wrong (schema errors come as
    ninja's list of problems in ``detail``)."""

    detail: str | list[dict[str, Any]]
    errors: dict[str, str] = Field(default_factory=dict)


class UnavailableOut(Schema):
    """The database or the index cannot answer now: retry after ``retry_after`` seconds.
    Never a "clear" in its place."""

    detail: str
    retry_after: int


class ProofOut(Schema):
    """RFC 9162 inclusion proof of a check's audit entry in a signed tree head (see
    docs/audit-proofs.md), with the check's canonical record: SHA-256 of ``record`` in
    canonical JSON is the entry's ``after`` digest (``record_digest``)."""

    check_id: uuid.UUID
    leaf_index: int
    tree_size: int
    entry: str
    leaf_hash: str
    audit_path: list[str]
    root_hash: str
    checkpoint: str
    record: dict[str, Any]
    record_digest: str


# --- the loop: feedback and the initiation feed (ADR 0023) ----------------------------------


class FeedbackIn(Schema):
    """What the business system did with a hit."""

    outcome: str = Field(
        ...,
        max_length=20,
        description="refused 拒绝 | restricted 限制 | enhanced_review 加强审查 | "
        "not_applied 未采纳",
    )
    reason: str = Field("", max_length=1000, description="理由（未采纳时必填）/ reason")


class FeedbackOut(Schema):
    """The feedback as recorded; ``corrected_at`` is set once it has been corrected (once)."""

    check_id: uuid.UUID
    outcome: str
    reason: str
    reported_at: dt.datetime
    corrected_at: dt.datetime | None


class FeedSubjectOut(Schema):
    """The subject as the business system knows it: the USCC of an institution; for a person
    the document type, the MASKED number and the platform's public id — never the number."""

    kind: str = Field(description="institution | person")
    uscc: str | None = None
    name: str | None = None
    public_id: str | None = None
    document_type: str | None = None
    document_number_masked: str | None = None


class FeedEventOut(Schema):
    """One initiation: a restriction created, changed, ended early or withdrawn, or its
    term starting (in_force) or running out (lapsed) on the day itself."""

    event_id: int
    kind: str = Field(description="created | changed | ended | withdrawn | in_force | lapsed")
    scenario: str
    measure_code: str
    measure_version: int
    verdict: str
    legal_basis: str
    starts_on: dt.date
    ends_on: dt.date | None
    ended_by: str
    subject: FeedSubjectOut
    created_at: dt.datetime


class FeedOut(Schema):
    """Events after the cursor, oldest first; ask again with ``after=next_cursor``."""

    events: list[FeedEventOut]
    next_cursor: int
    has_more: bool
