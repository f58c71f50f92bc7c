"""Fixtures of the edition base's tests: the catalog's edition model serves as the example."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.catalog.tests import factories


@pytest.fixture
def shipped(db: Any) -> Any:
    """Catalog version 1 as shipped (published, in force from 2026-01-01)."""
    return factories.shipped_catalog()
