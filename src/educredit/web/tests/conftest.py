"""Fixtures of the UI shell's tests (personas and the browser come from the root conftest)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def no_totp(settings: Any) -> None:
    """Sign in with the password alone (the second factor has its own tests in accounts)."""
    settings.EDUCREDIT_REQUIRE_TOTP = False
