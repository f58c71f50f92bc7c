"""JSON API of the catalog app: the catalog in force, for business systems and staff tools."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from educredit.accounts.api_auth import api_auth
from educredit.catalog.schemas import CatalogOut
from educredit.catalog.selectors import catalog_items, current_catalog_version

router = Router(tags=["catalog"])

READ = "catalog:read"


@router.get(
    "/items",
    response=CatalogOut,
    auth=api_auth(READ),
    summary="现行目录条目及信息项 / Items of the catalog in force, with field schemas",
)
def item_list(request: HttpRequest) -> dict[str, Any]:
    """The version in force today and all its items (the catalog is province-wide)."""
    version = current_catalog_version()
    return {
        "version": version.number if version else None,
        "title": version.title if version else "",
        "effective_from": version.effective_from if version else None,
        "items": list(catalog_items(version)) if version else [],
    }
