"""Fixtures of the measure-list tests."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.sanctions.tests import factories


@pytest.fixture
def shipped(db: Any) -> Any:
    """Version 1 as shipped (with the shipped catalog and scenarios)."""
    return factories.shipped_measure_list()


@pytest.fixture
def draft(shipped: Any) -> Any:
    """A draft version 2 copied from version 1."""
    return factories.make_draft()
