"""Objects of students' integrity for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _county_school(county: Organisation) -> tuple[Any, Any]:
    """A vocational school of ``county`` and the county's administrator: (admin, school)."""
    from educredit.accounts.choices import UserRole
    from educredit.subjects.choices import InstitutionKind
    from educredit.subjects.tests.factories import make_institution
    from educredit.testing.factories import make_user

    admin = make_user(
        organisation=county, username=f"walk.students.{county.pk}", roles=[UserRole.ADMIN]
    )
    school = make_institution(
        supervisor=county,
        name=f"巡检卫生职业学校{county.pk}",
        serial=770 + county.pk % 200,
        kind=InstitutionKind.VOCATIONAL_SCHOOL,
        region_code=county.region_code or "410102",
    )
    return admin, school


def _contract_in(county: Organisation) -> Any:
    """A directed medical student's contract kept by ``county``."""
    from educredit.integrity.students.choices import ContractProgramme
    from educredit.integrity.students.services import training_contract_create
    from educredit.subjects.choices import AffiliationRole
    from educredit.subjects.tests.factories import make_person, resident_id

    admin, school = _county_school(county)
    student = make_person(
        institution=school,
        name="巡检学生",
        number=resident_id(400 + county.pk % 500, born="20040101"),
        role=AffiliationRole.STUDENT,
    )
    return training_contract_create(
        actor=admin,
        person=student,
        school=school,
        programme=ContractProgramme.RURAL_MEDICAL,
        agreement_number=f"WALK-{county.pk}",
        signed_on=dt.date(2021, 9, 1),
        expected_graduation=dt.date(2026, 7, 1),
        service_region_code="410102",
    ).public_id


def _activity_in(county: Organisation) -> Any:
    """An integrity-education activity of a ``county`` school, with an attachment."""
    from educredit.integrity.students.choices import ActivityKind
    from educredit.integrity.students.services import integrity_activity_record

    admin, school = _county_school(county)
    attachment = io.BytesIO(b"%PDF-1.4\n% walk\n%%EOF\n")
    attachment.name = "walk.pdf"
    return integrity_activity_record(
        actor=admin,
        school=school,
        held_on=dt.date(2026, 3, 1),
        title="诚信主题班会",
        kind=ActivityKind.CLASS_MEETING,
        participants=40,
        organiser="学生处",
        attachment=attachment,
    ).public_id


JURISDICTION_FIXTURES["contract_id"] = _contract_in
JURISDICTION_FIXTURES["education_activity_id"] = _activity_in
