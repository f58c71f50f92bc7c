"""TOTP for every role that can change or export credit data (ADR 0031)."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from educredit.accounts.choices import UserRole
from educredit.accounts.services import TOTP_ROLES, user_requires_totp
from educredit.testing.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("totp_required")]

ENROL = "/accounts/login/totp/enrol/"


def _login(client: Any, username: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})


def test_every_staff_role_needs_a_second_factor() -> None:
    # Clerks write and import; inspectors and read-only users can export the loop's hit list.
    assert set(UserRole) <= TOTP_ROLES


def test_a_clerk_without_enrolment_must_enrol_before_the_workspace(
    client: Any, county_clerk: Any
) -> None:
    assert user_requires_totp(county_clerk)
    assert _login(client, county_clerk.username).url == ENROL
    # The password alone opens nothing: not the workspace, not an import, not an export.
    for url in ("/workspace/", "/records/import/", "/sanctions/loop/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url, url
    client.get(ENROL)
    county_clerk.refresh_from_db()
    code = pyotp.TOTP(county_clerk.totp_secret).now()
    assert client.post(ENROL, {"code": code}).url == "/workspace/"
    assert client.get("/workspace/").status_code == 200


def test_a_viewer_enrols_too(client: Any, county_viewer: Any) -> None:
    assert _login(client, county_viewer.username).url == ENROL
    assert client.get("/workspace/").status_code == 302


def test_with_totp_switched_off_a_clerk_signs_in_with_the_password(
    client: Any, county_clerk: Any, settings: Any
) -> None:
    settings.EDUCREDIT_REQUIRE_TOTP = False
    assert _login(client, county_clerk.username).url == "/workspace/"
