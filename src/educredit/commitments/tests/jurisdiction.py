"""Objects of the commitments app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

import io
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _staff_signing(county: Organisation) -> tuple[Any, Any]:
    """The county as an accepting body, with an administrator and a school: (admin, school)."""
    from educredit.accounts.choices import UserRole
    from educredit.accounts.services import organisation_update
    from educredit.commitments.services import matter_list_seed
    from educredit.subjects.tests.factories import make_institution, uscc
    from educredit.testing.factories import make_user

    matter_list_seed(actor="system:test")
    admin = make_user(
        organisation=county, username=f"walk.commit.{county.pk}", roles=[UserRole.ADMIN]
    )
    region = county.region_code or "410102"
    body = organisation_update(
        actor="system:test",
        organisation=county,
        name=county.name,
        region_code=region,
        uscc=county.uscc or uscc(990 + county.pk % 9, region),
    )
    school = make_institution(
        supervisor=body, name=f"巡检承诺学校{county.pk}", serial=880 + county.pk
    )
    admin.refresh_from_db()
    return admin, school


def _sign(admin: Any, code: str, **subject: Any) -> Any:
    from educredit.commitments.selectors import matter_in_force
    from educredit.commitments.services import commitment_sign

    scan = io.BytesIO(b"%PDF-walk")
    scan.name = "walk.pdf"
    matter = matter_in_force(code)
    assert matter is not None
    return commitment_sign(actor=admin, matter=matter, scan=scan, **subject).commitment


def _commitment_in(county: Organisation) -> Any:
    """A commitment accepted by ``county`` (staff signing with a scanned letter)."""
    admin, school = _staff_signing(county)
    return _sign(admin, "CN-MB-02", institution=school).public_id


def _draw_in(county: Organisation) -> Any:
    """A sampling draw of title-application commitments ``county`` accepted."""
    from educredit.commitments.checks.verification import verification_plan_run
    from educredit.commitments.models import CheckDraw
    from educredit.subjects.tests.factories import make_person, resident_id

    admin, school = _staff_signing(county)
    teacher = make_person(
        institution=school, name="巡检教师", number=resident_id(300 + county.pk % 600)
    )
    _sign(admin, "CN-ZC-01", person=teacher)
    verification_plan_run()
    return CheckDraw.objects.get(accepting_organisation=county).public_id


JURISDICTION_FIXTURES["commitment_id"] = _commitment_in
JURISDICTION_FIXTURES["draw_id"] = _draw_in
