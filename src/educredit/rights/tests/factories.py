"""Test helpers of subjects' rights: a county with a school, a teacher with a self-service
account, and a record about the teacher — all through the services (so audited)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.test import Client

from educredit.accounts.choices import UserRole
from educredit.accounts.models import Organisation, User
from educredit.rights.self_service import subject_account_activate, subject_account_open
from educredit.subjects.models import Institution, Person
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import TEST_PASSWORD, make_organisation, make_province, make_user

_serial = itertools.count(700_001)


@dataclass
class County:
    """A county bureau under a city under the province, with staff and one school."""

    province: Organisation
    city: Organisation
    county: Organisation
    clerk: User
    reviewer: User
    province_admin: User
    school: Institution


def make_county(*, code: str = "410102", name: str = "中原区", clerk_name: str = "") -> County:
    """A fresh county (with its city) and its staff (the clerk named ``clerk_name``, if given)."""
    n = next(_serial)
    province = make_province()
    city = make_organisation(
        parent=province, name=f"市教育局{n}", kind="city", region_code="410100"
    )
    county = make_organisation(
        parent=city, name=f"{name}教育局{n}", kind="county", region_code=code
    )
    return County(
        province=province,
        city=city,
        county=county,
        clerk=make_user(
            organisation=county,
            username=f"clerk{n}",
            roles=[UserRole.CLERK],
            full_name=clerk_name,
        ),
        reviewer=make_user(organisation=county, username=f"reviewer{n}", roles=[UserRole.REVIEWER]),
        province_admin=make_user(
            organisation=province, username=f"padmin{n}", roles=[UserRole.ADMIN]
        ),
        school=make_institution(supervisor=county, name=f"测试培训学校{n}", serial=n),
    )


def make_teacher(county: County, *, name: str = "张老师") -> Person:
    """A teacher at the county's school."""
    n = next(_serial)
    return make_person(
        institution=county.school, name=name, number=resident_id(n % 1000, born="19850101")
    )


def make_teacher_at(staff: User) -> Person:
    """A teacher at a new school supervised by ``staff``'s organisation."""
    n = next(_serial)
    assert staff.organisation is not None
    school = make_institution(supervisor=staff.organisation, name=f"测试学校{n}", serial=n)
    return make_person(institution=school, name="王老师", number=resident_id(n % 1000))


def make_subject_user(
    *, actor: User, person: Person | None = None, institution: Institution | None = None
) -> User:
    """Open and activate a self-service account; returns its user (password TEST_PASSWORD)."""
    _account, code = subject_account_open(actor=actor, person=person, institution=institution)
    account = subject_account_activate(
        code=code, username=f"subject{next(_serial)}", password=TEST_PASSWORD
    )
    assert account.user is not None
    return account.user


def signed_in(user: User) -> Client:
    """A test client signed in as ``user`` (any kind)."""
    client = Client()
    client.force_login(user)
    return client
