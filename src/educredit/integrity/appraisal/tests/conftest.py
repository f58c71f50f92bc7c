"""Fixtures of the 师德考核 tests: a 中原区 primary school with its own account and teachers,
its supervising county's reviewer, and a 金水区 school outside it."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects import services as subjects_services
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing import factories

TEACHER_NUMBER = resident_id(41)
COLLEAGUE_NUMBER = resident_id(42)


def school_with_account(*, supervisor: Any, account: Any, name: str, serial: int) -> Any:
    """An institution supervised by ``supervisor`` whose own account is ``account``."""
    school = make_institution(supervisor=supervisor, name=name, serial=serial)
    return subjects_services.institution_update(
        actor="system:test", institution=school, organisation=account, reason="学校账户"
    )


@pytest.fixture
def shipped(province: Any) -> Any:
    """The shipped catalog, scenarios and measure list (JY-SD-01 and its veto)."""
    return shipped_measure_list()


@pytest.fixture
def school(shipped: Any, county: Any, county_school: Any) -> Any:
    """中原区第一小学, supervised by 中原区教育局, signing in as ``county_school``."""
    return school_with_account(
        supervisor=county, account=county_school, name="中原区第一小学", serial=4101
    )


@pytest.fixture
def teacher(school: Any) -> Any:
    """王老师, a teacher of the school."""
    return make_person(institution=school, name="王老师", number=TEACHER_NUMBER)


@pytest.fixture
def colleague(school: Any) -> Any:
    """赵老师, another teacher of the school."""
    return make_person(institution=school, name="赵老师", number=COLLEAGUE_NUMBER)


@pytest.fixture
def school_head(county_school: Any) -> Any:
    """The school's own administrator and reviewer: still not the level above."""
    return factories.make_user(
        organisation=county_school,
        username="zy1x.head",
        full_name="一小校长",
        roles=[UserRole.ADMIN, UserRole.REVIEWER],
    )


@pytest.fixture
def county_reviewer(county: Any) -> Any:
    """中原区教育局's reviewer: the level above the school."""
    return factories.make_user(
        organisation=county,
        username="zy.reviewer",
        full_name="中原审核员",
        roles=[UserRole.REVIEWER],
    )


@pytest.fixture
def other_school(shipped: Any, other_county: Any) -> Any:
    """金水区实验小学 with its own account, outside 中原区."""
    account = factories.make_organisation(
        parent=other_county,
        name="金水区实验小学",
        kind=OrganisationKind.SCHOOL,
        region_code="410105",
    )
    return school_with_account(
        supervisor=other_county, account=account, name="金水区实验小学", serial=4105
    )


@pytest.fixture
def other_clerk(other_school: Any) -> Any:
    return factories.make_user(
        organisation=other_school.organisation,
        username="js1x.clerk",
        full_name="金水一小录入员",
        roles=[UserRole.CLERK],
    )


@pytest.fixture
def other_reviewer(other_county: Any) -> Any:
    return factories.make_user(
        organisation=other_county,
        username="js.reviewer",
        full_name="金水审核员",
        roles=[UserRole.REVIEWER],
    )
