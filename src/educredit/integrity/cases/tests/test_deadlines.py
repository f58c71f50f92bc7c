"""Every regime's deadlines at their boundary days: the body's (overdue the day after, not on
its last day) and the statutory ones of 教育部令第40号 (30 days to object, 15 to accept) and
学位法 §41 (30 days to answer), counted in their own units."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.core.workdays import add_working_days
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseSource
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.regimes import REGIMES, Deadline
from educredit.integrity.cases.selectors import is_overdue
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.services import institution_update
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing import factories

pytestmark = pytest.mark.django_db
REPORTED = dt.date(2026, 3, 2)  # a Monday; every regime is in force


def expected(day: dt.date, deadline: Deadline) -> dt.date:
    if deadline.working:
        return add_working_days(day, deadline.days).date
    return day + dt.timedelta(days=deadline.days)


@pytest.fixture
def body(province: Any, county: Any) -> dict[str, Any]:
    """One organisation of every kind that decides cases, each seeing one person."""
    kinds = {
        OrganisationKind.UNIVERSITY: InstitutionKind.UNIVERSITY,
        OrganisationKind.COUNTY_BUREAU: None,
        OrganisationKind.KINDERGARTEN: InstitutionKind.KINDERGARTEN,
    }
    made: dict[str, Any] = {}
    for serial, (kind, institution_kind) in enumerate(kinds.items(), start=1):
        if institution_kind is None:
            org = county
            institution = make_institution(supervisor=county, name="中原区第二小学", serial=760)
        else:
            org = factories.make_organisation(parent=county, name=f"单位{serial}", kind=kind)
            institution = institution_update(
                actor="system:test",
                institution=make_institution(
                    supervisor=county,
                    name=f"学校{serial}",
                    serial=760 + serial,
                    kind=institution_kind,
                ),
                organisation=org,
                reason="学校账户",
            )
        person = make_person(institution=institution, name="钱某", number=resident_id(760 + serial))
        clerk = factories.make_user(
            organisation=org, username=f"dl.{serial}", roles=[UserRole.ADMIN]
        )
        made[kind] = (clerk, person)
    return made


def _opened(body: dict[str, Any], regime_code: str) -> Case:
    regime = next(r for r in REGIMES if r.code == regime_code)
    kind = next(
        k
        for k in (
            OrganisationKind.COUNTY_BUREAU,
            OrganisationKind.UNIVERSITY,
            OrganisationKind.KINDERGARTEN,
        )
        if k in regime.deciding_kinds
    )
    clerk, person = body[kind]
    return services.case_open(
        actor=clerk,
        regime_code=regime_code,
        person=person,
        source=CaseSource.REPORT,
        reported_on=REPORTED,
        allegation="反映的问题",
    )


@pytest.mark.parametrize("regime", REGIMES, ids=lambda r: r.code)
def test_a_report_not_accepted_is_overdue_the_day_after_its_deadline(
    shipped: Any, body: dict[str, Any], regime: Any
) -> None:
    case = _opened(body, regime.code)
    deadline = regime.deadline("accept")
    assert case.due_on == expected(REPORTED, deadline)
    assert not is_overdue(case, today=case.due_on)
    assert is_overdue(case, today=case.due_on + dt.timedelta(days=1))


def test_academic_misconduct_objection_in_30_days_and_acceptance_in_15() -> None:
    regime = next(r for r in REGIMES if r.code == "academic_misconduct")
    delivered = dt.date(2026, 3, 2)
    assert expected(delivered, regime.deadline("appeal")) == dt.date(2026, 4, 1)  # type: ignore[arg-type]
    filed = dt.date(2026, 4, 1)
    assert expected(filed, regime.deadline("appeal_accept")) == dt.date(2026, 4, 16)  # type: ignore[arg-type]


def test_the_degree_review_is_answered_within_30_days_of_acceptance() -> None:
    regime = next(r for r in REGIMES if r.code == "degree_revocation")
    assert expected(dt.date(2026, 2, 1), regime.deadline("appeal_decide")) == dt.date(2026, 3, 3)  # type: ignore[arg-type]


def test_an_unconfirmed_deadline_follows_the_setting_and_a_statutory_one_does_not(
    settings: Any,
) -> None:
    research = next(r for r in REGIMES if r.code == "research_misconduct")
    academic = next(r for r in REGIMES if r.code == "academic_misconduct")
    settings.EDUCREDIT_CASE_DEADLINES = {
        "research_misconduct.appeal": 20,
        "academic_misconduct.appeal": 10,
    }
    assert research.deadline("appeal").days == 20  # type: ignore[union-attr]
    assert academic.deadline("appeal").days == 30  # type: ignore[union-attr]
