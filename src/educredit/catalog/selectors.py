"""Reads of the catalog. The catalog is province-wide reference data: every staff user reads it.

The version in force on a day is the published (or since retired) version whose effective date
is on or before that day and which was not yet retired on it.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import Count, QuerySet

from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.services import ITEM_FIELDS
from educredit.editions.diff import EditionDiff, edition_diff
from educredit.editions.selectors import edition_in_force


def current_catalog_version(as_of: datetime.date | None = None) -> CatalogVersion | None:
    """The catalog version in force on ``as_of`` (today by default), or None before the first."""
    return edition_in_force(CatalogVersion, as_of)


def catalog_versions() -> QuerySet[CatalogVersion]:
    """Every version, newest first, with its number of items (``item_count``)."""
    return CatalogVersion.objects.annotate(item_count=Count("items")).order_by("-number")


def catalog_version_by_number(number: int) -> CatalogVersion | None:
    """The version with this number, or None."""
    return CatalogVersion.objects.filter(number=number).first()


def catalog_version_before(version: CatalogVersion) -> CatalogVersion | None:
    """The version numbered just below ``version`` (the one a draft was copied from), or None."""
    return CatalogVersion.objects.filter(number__lt=version.number).order_by("-number").first()


# What a change to an item is: any attribute a service sets but its place in the list.
COMPARED_FIELDS = tuple(name for name in ITEM_FIELDS if name != "sort_order")


def catalog_version_changes(version: CatalogVersion, previous: CatalogVersion) -> EditionDiff:
    """The items ``version`` adds, removes and changes against ``previous``, by code."""
    return edition_diff(
        catalog_items(previous), catalog_items(version), key="code", fields=COMPARED_FIELDS
    )


def catalog_items(version: CatalogVersion | None = None) -> QuerySet[CatalogItem]:
    """The items of ``version`` (the version in force today by default), in catalog order."""
    if version is None:
        version = current_catalog_version()
        if version is None:
            return CatalogItem.objects.none()
    return CatalogItem.objects.filter(version=version).order_by("sort_order", "code")


def catalog_item_by_code(code: str, as_of: datetime.date | None = None) -> CatalogItem | None:
    """The item with this code in the version in force on ``as_of`` (today by default)."""
    version = current_catalog_version(as_of)
    if version is None:
        return None
    return (
        CatalogItem.objects.select_related("version")
        .filter(version=version, code=code.strip())
        .first()
    )


def catalog_item_by_public_id(public_id: str) -> CatalogItem | None:
    """Any version's item by its public id, or None (also for a malformed id)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return CatalogItem.objects.select_related("version").filter(public_id=key).first()


def items_recordable_by(items: QuerySet[CatalogItem], organisation: Any) -> QuerySet[CatalogItem]:
    """``items`` narrowed to those staff of ``organisation`` may record (``recorder_kinds``).

    The catalog has a few dozen items, so the kinds are checked in Python (a JSON list
    "contains" differs between SQLite and PostgreSQL) and the answer is a queryset again.
    """
    allowed = [
        item.pk for item in items.only("pk", "recorder_kinds") if item.recordable_by(organisation)
    ]
    return items.filter(pk__in=allowed)
