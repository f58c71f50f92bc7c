"""Fixtures of the UI shell's tests: the browser harness (personas come from the root conftest)."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.testing.browser import browser, browser_page, screenshot, viewport  # noqa: F401


@pytest.fixture
def no_totp(settings: Any) -> None:
    """Sign in with the password alone (the second factor has its own tests in accounts)."""
    settings.EDUCREDIT_REQUIRE_TOTP = False
