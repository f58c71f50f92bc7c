"""Factories for organisations, users and API clients, through the services (so audited)."""

from __future__ import annotations

from collections.abc import Iterable

from educredit.accounts import services
from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import ApiClient, Organisation, User

TEST_ACTOR = "system:test"
# Passes the configured validators (length 10, not common, not numeric).
TEST_PASSWORD = "Zhengzhou-2026-kaoshi"  # noqa: S105


def make_province(name: str = "河南省教育厅") -> Organisation:
    """The root provincial department (reuses it when one exists)."""
    existing = Organisation.objects.filter(parent=None).first()
    return existing or services.organisation_bootstrap(name=name)


def make_organisation(
    *, parent: Organisation, name: str, kind: str = OrganisationKind.SCHOOL, region_code: str = ""
) -> Organisation:
    """An organisation under ``parent``."""
    return services.organisation_create(
        actor=TEST_ACTOR, parent=parent, name=name, kind=kind, region_code=region_code
    )


def make_user(
    *,
    organisation: Organisation,
    username: str,
    roles: Iterable[str],
    full_name: str = "",
    password: str = TEST_PASSWORD,
) -> User:
    """A staff user with roles in ``organisation``."""
    return services.user_create(
        actor=TEST_ACTOR,
        organisation=organisation,
        username=username,
        full_name=full_name or username,
        password=password,
        roles=roles,
    )


def make_api_client(
    *,
    organisation: Organisation,
    name: str = "业务系统",
    scopes: Iterable[str] = ("accounts:read",),
    rate_limit_per_minute: int = 60,
) -> tuple[ApiClient, str]:
    """An API client and its clear key."""
    return services.api_client_create(
        actor=TEST_ACTOR,
        organisation=organisation,
        name=name,
        scopes=scopes,
        rate_limit_per_minute=rate_limit_per_minute,
    )
