"""API schemas of the catalog app."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema


class CatalogFieldOut(Schema):
    """One field of an item's schema: what a record of the item carries in its payload."""

    name: str
    label: str
    type: str
    required: bool
    public: bool
    max_length: int | None
    choices: list[str]


class CatalogItemOut(Schema):
    """One catalog item with its §11 elements, policies and field schema."""

    public_id: uuid.UUID
    code: str
    name: str
    data_format: str
    provider: str
    subject_type: str
    category: str
    nature: str
    sharing: str
    coverage: str
    update_cycle: str
    severity: str
    disclosure_mode: str
    legal_basis: str
    two_person_rule: bool
    reportable: bool
    # Organisation kinds whose staff may record the item (POST /api/records/ refuses others);
    # empty = any kind.
    recorder_kinds: list[str]
    field_schema: list[CatalogFieldOut]


class CatalogOut(Schema):
    """The catalog version in force and its items."""

    version: int | None
    title: str
    effective_from: dt.date | None
    items: list[CatalogItemOut]
