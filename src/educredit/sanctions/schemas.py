"""API schemas of the sanctions app."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema


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
