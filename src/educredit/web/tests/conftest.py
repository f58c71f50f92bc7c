"""Fixtures of the UI shell's tests: a staff persona and the browser harness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import User
from educredit.testing.browser import browser, browser_page, screenshot, viewport  # noqa: F401

PASSWORD = "Zhengwu-2026-test"  # valid under the password validators; a fixture, not a secret


@dataclass
class Persona:
    """A staff user the tests sign in as."""

    user: User
    password: str


@pytest.fixture
def city_clerk(db: None) -> Persona:
    """王芳, clerk and reviewer at 郑州市教育局 under the provincial department."""
    from educredit.accounts import services

    province = services.organisation_bootstrap(name="河南省教育厅")
    city = services.organisation_create(
        actor="system:test",
        name="郑州市教育局",
        kind=OrganisationKind.CITY_BUREAU,
        parent=province,
        region_code="410100",
    )
    user = services.user_create(
        actor="system:test",
        organisation=city,
        username="wang.fang",
        full_name="王芳",
        password=PASSWORD,
        roles=[UserRole.CLERK, UserRole.REVIEWER],
    )
    return Persona(user=user, password=PASSWORD)


@pytest.fixture
def no_totp(settings: Any) -> None:
    """Sign in with the password alone (the second factor has its own tests in accounts)."""
    settings.EDUCREDIT_REQUIRE_TOTP = False
