"""Fixtures of the students' integrity tests: a medical college of Zhengzhou with its own
account and clerk, the city's reviewer above it, a directed medical student and a
state-funded normal student, and their contracts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.integrity.students.choices import ContractProgramme
from educredit.integrity.students.services import training_contract_create
from educredit.subjects import services as subject_services
from educredit.subjects.choices import AffiliationRole, InstitutionKind
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing import factories

MEDICAL_NUMBER = resident_id(21, born="20030512")
NORMAL_NUMBER = resident_id(22, born="20030918")
SIGNED = dt.date(2020, 9, 1)
GRADUATION = dt.date(2025, 7, 1)


@pytest.fixture
def shipped(db: Any) -> Any:
    """The shipped catalog, scenarios and measure list (version 1)."""
    from educredit.sanctions.services import measure_list_seed

    return measure_list_seed(actor="system:test")


@pytest.fixture
def college_org(city: Any) -> Any:
    """郑州医学院's own account, under the city bureau."""
    return factories.make_organisation(
        parent=city, name="郑州医学院", kind=OrganisationKind.UNIVERSITY, region_code="410100"
    )


@pytest.fixture
def college(city: Any, college_org: Any) -> Any:
    """郑州医学院 as a credit subject, linked to its account."""
    institution = make_institution(
        supervisor=city,
        name="郑州医学院",
        serial=4501,
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
    )
    return subject_services.institution_update(
        actor="system:test", institution=institution, organisation=college_org, reason="账户"
    )


@pytest.fixture
def college_clerk(college_org: Any) -> Any:
    return factories.make_user(
        organisation=college_org,
        username="zzyx.clerk",
        full_name="医学院录入员",
        roles=[UserRole.CLERK],
    )


@pytest.fixture
def medical_student(college: Any) -> Any:
    """张医生, a 农村订单定向医学生 of the college."""
    return make_person(
        institution=college, name="张医生", number=MEDICAL_NUMBER, role=AffiliationRole.STUDENT
    )


@pytest.fixture
def normal_student(college: Any) -> Any:
    """王老师, a 地方公费师范生 of the college."""
    return make_person(
        institution=college, name="王老师", number=NORMAL_NUMBER, role=AffiliationRole.STUDENT
    )


def contract_for(actor: Any, person: Any, school: Any, programme: str, **extra: Any) -> Any:
    """A contract signed on SIGNED, graduating on GRADUATION, serving in 中原区."""
    values: dict[str, Any] = {
        "agreement_number": f"XY-{person.pk}-{programme}",
        "signed_on": SIGNED,
        "expected_graduation": GRADUATION,
        "service_region_code": "410102",
        "tuition_received": "20000",
        "accommodation_received": "4000",
        "living_subsidy_received": "6000",
        **extra,
    }
    return training_contract_create(
        actor=actor, person=person, school=school, programme=programme, **values
    )


@pytest.fixture
def medical_contract(shipped: Any, college_clerk: Any, medical_student: Any, college: Any) -> Any:
    return contract_for(college_clerk, medical_student, college, ContractProgramme.RURAL_MEDICAL)


@pytest.fixture
def normal_contract(shipped: Any, college_clerk: Any, normal_student: Any, college: Any) -> Any:
    return contract_for(college_clerk, normal_student, college, ContractProgramme.LOCAL_NORMAL)
