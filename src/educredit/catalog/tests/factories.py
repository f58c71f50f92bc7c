"""Test helpers of the catalog: the shipped catalog and draft versions, through the services.

Other apps' tests use ``shipped_item(code)`` to get an item of the catalog in force (version 1
as shipped, loaded on first use).
"""

from __future__ import annotations

import datetime

from educredit.catalog import services
from educredit.catalog.models import CatalogItem, CatalogVersion

TEST_ACTOR = "system:test"


def shipped_catalog() -> CatalogVersion:
    """Version 1 as shipped, published (loaded once per test database)."""
    return services.catalog_version_seed(actor=TEST_ACTOR)


def shipped_item(code: str) -> CatalogItem:
    """The item ``code`` of the shipped version 1 (e.g. ``"JY-CF-02"``)."""
    return shipped_catalog().items.get(code=code)


def make_draft(
    *, effective_from: datetime.date = datetime.date(2027, 1, 1), title: str = "2027年版"
) -> CatalogVersion:
    """A draft copied from the version published now."""
    shipped_catalog()
    return services.catalog_version_create(
        actor=TEST_ACTOR, title=title, effective_from=effective_from
    )
