"""JSON API of the subjects app: institutions within the caller's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from educredit.accounts.api_auth import api_auth
from educredit.subjects.models import Institution
from educredit.subjects.schemas import InstitutionOut, InstitutionPage
from educredit.subjects.selectors import access_institution_for_user, institution_search

router = Router(tags=["subjects"])

READ = "subjects:read"
MAX_LIMIT = 200
# Far past any real list, and within the databases' 64-bit OFFSET.
MAX_OFFSET = 1_000_000_000


class InstitutionFilter(Schema):
    """Search and paging of the institution list."""

    q: str = ""
    kind: str = ""
    region: str = ""
    limit: int = 50
    offset: int = 0


def _institution_out(institution: Institution) -> dict[str, Any]:
    return {
        "public_id": institution.public_id,
        "name": institution.name,
        "uscc": institution.uscc,
        "moe_code": institution.moe_code,
        "kind": institution.kind,
        "level": institution.level,
        "ownership": institution.ownership,
        "region_code": institution.region_code,
        "supervisor": {
            "public_id": institution.supervisor.public_id,
            "name": institution.supervisor.name,
        },
        "former_names": [
            {"name": former.name, "used_from": former.used_from, "used_until": former.used_until}
            for former in institution.former_names.all()
        ],
    }


@router.get(
    "/institutions",
    response=InstitutionPage,
    auth=api_auth(READ),
    summary="管辖范围内的机构 / Institutions in the caller's jurisdiction",
)
def institution_list(request: HttpRequest, filters: Query[InstitutionFilter]) -> dict[str, Any]:
    """Search by name, former name, USCC or MOE code; filter by kind and region; paged."""
    if not 1 <= filters.limit <= MAX_LIMIT or not 0 <= filters.offset <= MAX_OFFSET:
        raise HttpError(
            422,
            f"limit 应在 1–{MAX_LIMIT} 之间，offset 应在 0–{MAX_OFFSET} 之间 / "
            f"limit must be 1–{MAX_LIMIT} and offset 0–{MAX_OFFSET}",
        )
    institutions = institution_search(
        request.auth,  # type: ignore[attr-defined]
        q=filters.q,
        kind=filters.kind,
        region=filters.region,
    )
    page = institutions[filters.offset : filters.offset + filters.limit]
    return {
        "count": institutions.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_institution_out(institution) for institution in page],
    }


@router.get(
    "/institutions/{institution_id}",
    response=InstitutionOut,
    auth=api_auth(READ),
    summary="机构详情 / One institution",
)
def institution_detail(request: HttpRequest, institution_id: uuid.UUID) -> dict[str, Any]:
    """One institution, or 404 whether it is missing or outside the caller's jurisdiction."""
    institution = access_institution_for_user(request.auth, institution_id)  # type: ignore[attr-defined]
    return _institution_out(institution)
