"""Fixtures of the case tests: the shipped lists, a county kindergarten and its teacher."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.records.tests.factories import make_reviewer
from educredit.rights.tests.factories import make_subject_user
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing import factories


@pytest.fixture
def shipped(db: Any) -> Any:
    """The shipped catalog, scenarios and measure list."""
    return shipped_measure_list()


@pytest.fixture
def kindergarten(county: Any) -> Any:
    """中原区实验幼儿园, supervised by the county bureau."""
    return make_institution(
        supervisor=county, name="中原区实验幼儿园", serial=5101, kind=InstitutionKind.KINDERGARTEN
    )


@pytest.fixture
def teacher(kindergarten: Any) -> Any:
    """赵老师, a kindergarten teacher."""
    return make_person(institution=kindergarten, name="赵老师", number=resident_id(511))


@pytest.fixture
def teacher_user(teacher: Any, county_admin: Any) -> Any:
    """赵老师's self-service account."""
    return make_subject_user(actor=county_admin, person=teacher)


@pytest.fixture
def decider(county: Any) -> Any:
    """The county bureau's head of discipline, who signs decisions."""
    return factories.make_user(
        organisation=county,
        username="zy.decider",
        full_name="中原决定人",
        roles=[UserRole.REVIEWER],
    )


@pytest.fixture
def record_reviewer(county: Any) -> Any:
    """A second reviewer of the county, who approves the decision's record."""
    return make_reviewer(organisation=county)


@pytest.fixture
def kindergarten_org(county: Any) -> Any:
    """The kindergarten's own staff organisation (its credit officer's)."""
    return factories.make_organisation(
        parent=county, name="中原区实验幼儿园（机构）", kind=OrganisationKind.KINDERGARTEN
    )
