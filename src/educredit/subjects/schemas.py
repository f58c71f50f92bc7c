"""API schemas of the subjects app."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Schema


class SupervisorOut(Schema):
    """The organisation supervising an institution."""

    public_id: uuid.UUID
    name: str


class FormerNameOut(Schema):
    """A name the institution carried before, with the dates it was in use."""

    name: str
    used_from: dt.date | None
    used_until: dt.date | None


class InstitutionOut(Schema):
    """An institution as the API shows it (public id, never the database key)."""

    public_id: uuid.UUID
    name: str
    uscc: str | None
    moe_code: str | None
    kind: str
    level: str
    ownership: str
    region_code: str
    supervisor: SupervisorOut
    former_names: list[FormerNameOut]


class InstitutionPage(Schema):
    """One page of institutions and how many match in all."""

    count: int
    limit: int
    offset: int
    items: list[InstitutionOut]
