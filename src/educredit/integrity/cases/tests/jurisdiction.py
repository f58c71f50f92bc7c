"""Objects of the cases app for the jurisdiction walk (``testing/jurisdiction.py``): a case of
``county`` and one of its notices (``person_id`` is the subjects app's: a person in the county)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_SERIAL = itertools.count()


def _accepted_case(county: Organisation) -> Any:
    """A kindergarten teacher's ethics case the county bureau accepted (its notice issued)."""
    from educredit.accounts.choices import UserRole
    from educredit.core.clock import today
    from educredit.integrity.cases import services
    from educredit.integrity.cases.choices import CaseSource
    from educredit.subjects.choices import InstitutionKind
    from educredit.subjects.tests.factories import make_institution, make_person, resident_id
    from educredit.testing.factories import make_user

    n = next(_SERIAL) % 200
    clerk = make_user(
        organisation=county, username=f"walk.case.{county.pk}.{n}", roles=[UserRole.CLERK]
    )
    kindergarten = make_institution(
        supervisor=county,
        name=f"巡检案件幼儿园{county.pk}-{n}",
        serial=600 + n,
        kind=InstitutionKind.KINDERGARTEN,
    )
    teacher = make_person(
        institution=kindergarten, name="巡检案件教师", number=resident_id(700 + n % 300)
    )
    case = services.case_open(
        actor=clerk,
        regime_code="ethics_kindergarten",
        person=teacher,
        institution=kindergarten,
        source=CaseSource.REPORT,
        reported_on=today() - dt.timedelta(days=3),
        allegation="巡检：反映的问题",
    )
    return services.case_accept(actor=clerk, case=case)


def _case_in(county: Organisation) -> Any:
    return _accepted_case(county).public_id


def _notice_in(county: Organisation) -> Any:
    return _accepted_case(county).notices.get().public_id


JURISDICTION_FIXTURES["case_id"] = _case_in
JURISDICTION_FIXTURES["case_notice_id"] = _notice_in
