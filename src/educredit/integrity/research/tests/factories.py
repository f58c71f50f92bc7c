"""Test helpers of research integrity: a university with its own account, its clerk, its
researchers and their activities, all through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import Organisation
from educredit.integrity.research.models import ResearchActivity
from educredit.integrity.research.services import research_activity_create
from educredit.subjects import services as subjects_services
from educredit.subjects.choices import AffiliationRole, InstitutionKind
from educredit.subjects.models import Institution, Person
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing import factories

STARTS = dt.date(2026, 9, 1)
ENDS = dt.date(2028, 8, 31)
KEPT_UNTIL = dt.date(2033, 8, 31)


def university_with_account(
    *, supervisor: Organisation, name: str, serial: int
) -> tuple[Institution, Organisation]:
    """A university supervised by ``supervisor`` signing in as its own account under it."""
    account = factories.make_organisation(
        parent=supervisor,
        name=name,
        kind=OrganisationKind.UNIVERSITY,
        region_code=supervisor.region_code,
    )
    university = make_institution(
        supervisor=supervisor, name=name, serial=serial, kind=InstitutionKind.UNIVERSITY
    )
    university = subjects_services.institution_update(
        actor="system:test", institution=university, organisation=account, reason="学校账户"
    )
    return university, account


def university_clerk(account: Organisation, username: str) -> Any:
    """A clerk of the university's own account (enters its research activities)."""
    return factories.make_user(
        organisation=account, username=username, full_name="科研处录入员", roles=[UserRole.CLERK]
    )


def researcher(university: Institution, name: str, serial: int) -> Person:
    """A researcher of ``university``."""
    return make_person(
        institution=university,
        name=name,
        number=resident_id(serial),
        role=AffiliationRole.RESEARCHER,
    )


def make_activity(clerk: Any, university: Institution, person: Person, **extra: Any) -> Any:
    """An activity entered by the university's clerk (a two-year project kept five years)."""
    values: dict[str, Any] = {
        "project_name": "黄河流域土壤重金属迁移机理研究",
        "project_number": "HNKJ-2026-017",
        "funder": "河南省科学技术厅",
        "starts_on": STARTS,
        "ends_on": ENDS,
        "data_location": "本校科研数据平台（数据集 SOIL-017）",
        "retention_until": KEPT_UNTIL,
        **extra,
    }
    activity: ResearchActivity = research_activity_create(
        actor=clerk, institution=university, responsible_person=person, **values
    )
    return activity
