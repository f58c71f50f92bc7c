"""Access rules by role AND by the organisation's powers (ADR 0037), and the buttons that ask
the same rules (``{% url_if_allowed %}``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from educredit.accounts.choices import OrganisationKind, Power, UserRole
from educredit.accounts.permissions import (
    BUREAU_KINDS,
    KIND_POWERS,
    AccessRule,
    access_staff,
    has_power,
    kinds_with,
)
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db


def test_every_kind_has_its_powers_and_schools_none() -> None:
    assert set(KIND_POWERS) == set(OrganisationKind.values)
    assert kinds_with(Power.ADMINISTRATIVE_DECISIONS) == BUREAU_KINDS
    assert kinds_with(Power.CREDIT_LISTS) == BUREAU_KINDS
    assert kinds_with(Power.PROVINCIAL_OFFICE) == {OrganisationKind.PROVINCIAL_DEPARTMENT}
    for kind in (OrganisationKind.SCHOOL, OrganisationKind.UNIVERSITY, OrganisationKind.OTHER):
        assert KIND_POWERS[kind] == frozenset()


def test_a_rule_needs_the_role_and_the_power(
    county_clerk: Any, county_viewer: Any, school_clerk: Any, province_admin: Any
) -> None:
    entry = AccessRule(
        roles=frozenset({UserRole.CLERK}), powers=frozenset({Power.ADMINISTRATIVE_DECISIONS})
    )
    assert entry.allows_user(county_clerk)
    assert not entry.allows_user(county_viewer)  # the power, not the role
    assert not entry.allows_user(school_clerk)  # the role, not the power
    assert not entry.allows_user(province_admin)  # the power, not the role
    reading = AccessRule(powers=frozenset({Power.ADMINISTRATIVE_DECISIONS}))
    assert reading.allows_user(county_viewer) and not reading.allows_user(school_clerk)
    assert has_power(school_clerk, Power.CREDIT_LISTS) is False
    assert has_power(province_admin, Power.PROVINCIAL_OFFICE) is True


def test_unknown_powers_are_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="unknown powers"):
        access_staff(UserRole.CLERK, powers=["impose_anything"])


def test_the_button_tag_asks_the_views_rule(
    county_clerk: Any, county_viewer: Any, school_clerk: Any, county: Any
) -> None:
    template = Template(
        "{% load educredit_ui %}"
        "{% url_if_allowed 'records:record_create' as create %}"
        "{% url_if_allowed 'disclosure:entry_penalty' as penalty %}"
        "{% url_if_allowed 'accounts:organisation_add' org_id=org as add %}"
        "[{{ create }}|{{ penalty }}|{{ add }}]"
    )
    admin = make_user(organisation=county, username="zy.admin.tag", roles=[UserRole.ADMIN])
    school_admin = make_user(
        organisation=school_clerk.organisation, username="yx.admin.tag", roles=[UserRole.ADMIN]
    )
    seen = {}
    for user in (county_clerk, county_viewer, school_clerk, admin, school_admin):
        request = RequestFactory().get("/")
        request.user = user
        assert user.organisation is not None
        seen[user.username] = template.render(
            Context({"request": request, "org": user.organisation.public_id})
        )
    assert seen["zy.clerk"] == "[/records/new/|/disclosure/entry/penalty/|]"
    assert seen["zy.viewer"] == "[||]"
    assert seen["zy1x.clerk"] == "[/records/new/||]"  # a school records, but no penalty
    assert seen["zy.admin.tag"].endswith(f"|/accounts/organisations/{county.public_id}/add/]")
    assert seen["yx.admin.tag"].endswith("||]")  # a school has no subordinate organisations
