"""Fixtures of the accounts tests: browser tests run on the narrowest phone we support."""

from __future__ import annotations

import pytest

from educredit.testing.browser import DESKTOP, Viewport

# 375 px is the narrowest phone the workspace must stay readable on (iPhone SE / mini).
NARROW_PHONE = Viewport("phone-375", 375, 667, is_mobile=True)


@pytest.fixture(params=(NARROW_PHONE, DESKTOP), ids=lambda viewport: viewport.name)
def viewport(request: pytest.FixtureRequest) -> Viewport:
    """The device size of this run of a browser test."""
    value: Viewport = request.param
    return value
