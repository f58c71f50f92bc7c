"""JSON API of the accounts app: who am I, organisations within the caller's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router

from educredit.accounts.api_auth import api_auth
from educredit.accounts.models import ApiClient, Organisation
from educredit.accounts.schemas import MeOut, OrganisationOut
from educredit.accounts.selectors import access_organisation_for_user, organisations_visible_to

router = Router(tags=["accounts"])

READ = "accounts:read"


def _organisation_out(
    organisation: Organisation, parent_public_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "public_id": organisation.public_id,
        "name": organisation.name,
        "kind": organisation.kind,
        "region_code": organisation.region_code,
        "parent_id": parent_public_id,
        "is_active": organisation.is_active,
    }


@router.get("/me", response=MeOut, auth=api_auth(READ), summary="当前调用方 / Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    caller = request.auth  # type: ignore[attr-defined]
    organisation = caller.organisation
    parent = organisation.parent.public_id if organisation.parent_id else None
    if isinstance(caller, ApiClient):
        return {
            "kind": "api_client",
            "name": caller.name,
            "organisation": _organisation_out(organisation, parent),
            "roles": [],
            "scopes": sorted(caller.scopes),
        }
    return {
        "kind": "user",
        "name": caller.full_name or caller.username,
        "organisation": _organisation_out(organisation, parent),
        "roles": sorted(caller.roles()),
        "scopes": [],
    }


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    auth=api_auth(READ),
    summary="管辖范围内的机构 / Organisations in the caller's jurisdiction",
)
def organisation_list(request: HttpRequest) -> list[dict[str, Any]]:
    organisations = organisations_visible_to(request.auth).select_related("parent")  # type: ignore[attr-defined]
    return [
        _organisation_out(org, org.parent.public_id if org.parent is not None else None)
        for org in organisations
    ]


@router.get(
    "/organisations/{org_id}",
    response=OrganisationOut,
    auth=api_auth(READ),
    summary="机构详情 / One organisation",
)
def organisation_detail(request: HttpRequest, org_id: uuid.UUID) -> dict[str, Any]:
    organisation = access_organisation_for_user(request.auth, org_id)  # type: ignore[attr-defined]
    parent = organisation.parent.public_id if organisation.parent is not None else None
    return _organisation_out(organisation, parent)
