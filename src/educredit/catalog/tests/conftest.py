"""Fixtures of the catalog tests."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.catalog.tests import factories


@pytest.fixture
def shipped(db: Any) -> Any:
    """Version 1 as shipped."""
    return factories.shipped_catalog()


@pytest.fixture
def draft(shipped: Any) -> Any:
    """A draft version 2 (施行 2027-01-01) copied from version 1."""
    return factories.make_draft()
