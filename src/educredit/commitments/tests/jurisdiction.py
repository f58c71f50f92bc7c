"""Objects of the commitments app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

import io
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _commitment_in(county: Organisation) -> Any:
    """A commitment accepted by ``county`` (staff signing with a scanned letter)."""
    from educredit.accounts.choices import UserRole
    from educredit.accounts.services import organisation_update
    from educredit.commitments.selectors import matter_in_force
    from educredit.commitments.services import commitment_sign, matter_list_seed
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
    scan = io.BytesIO(b"%PDF-walk")
    scan.name = "walk.pdf"
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    admin.refresh_from_db()
    made = commitment_sign(actor=admin, matter=matter, institution=school, scan=scan)
    return made.commitment.public_id


JURISDICTION_FIXTURES["commitment_id"] = _commitment_in
