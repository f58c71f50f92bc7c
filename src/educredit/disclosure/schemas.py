"""API schemas of 双公示 decisions: rows in the national layout in, per-row results out."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

MAX_ROWS = 500


class DecisionsIn(Schema):
    """One row (``row``) or several (``rows``), keys = national field codes (CF_* / XK_*).

    Idempotent on 文书号 + issuing body USCC: sending a decision again updates its draft, or
    answers with the record unchanged (identical, or already submitted / effective).
    """

    row: dict[str, Any] | None = None
    rows: list[Any] | None = Field(None, max_length=MAX_ROWS)
    catalog_item: str = Field(
        "JY-CF-02", description="penalties: JY-CF-01 轻微, JY-CF-02 一般, JY-CF-03 严重"
    )
    procedure: str = "ordinary"
    submit: bool = False


class FieldErrorOut(Schema):
    code: str
    name: str
    message: str


class RecordRefOut(Schema):
    public_id: uuid.UUID
    status: str
    decision_number: str


class RowResultOut(Schema):
    index: int
    status: str = Field(description="created | updated | unchanged | locked | invalid | refused")
    record: RecordRefOut | None = None
    errors: list[FieldErrorOut] = []
    compliant: bool = False
    complete: bool = False
    message: str = ""


class DecisionsOut(Schema):
    results: list[RowResultOut]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: int = 0
    failed: int = 0


class DecisionsErrorOut(Schema):
    """A request refused as a whole (neither or both of row and rows, an unknown item or
    procedure), or a body that does not fit ``DecisionsIn`` (ninja's list of problems)."""

    detail: str | list[dict[str, Any]]


class QualityOut(Schema):
    organisation: uuid.UUID
    name: str
    subtree: bool
    count: int
    on_time: int
    late: int
    pending: int
    compliant: int
    complete: int
    timeliness_rate: Decimal | None
    compliance_rate: Decimal | None
    completeness_rate: Decimal | None


class QualityMonthOut(Schema):
    month: dt.date
    rows: list[QualityOut]
