"""API schemas of the accounts app."""

from __future__ import annotations

import uuid

from ninja import Schema


class OrganisationOut(Schema):
    """An organisation as the API shows it (public id, never the database key)."""

    public_id: uuid.UUID
    name: str
    kind: str
    region_code: str
    parent_id: uuid.UUID | None
    is_active: bool


class MeOut(Schema):
    """Who is calling: a staff user or a business system, and where it acts."""

    kind: str  # "user" or "api_client"
    name: str
    organisation: OrganisationOut
    roles: list[str]
    scopes: list[str]
