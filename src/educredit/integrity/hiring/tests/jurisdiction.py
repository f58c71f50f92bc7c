"""Objects of the hiring-check app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _hiring_check_in(county: Organisation) -> Any:
    """A hiring check of a school of ``county``, its statutory part recorded with a PDF."""
    from educredit.accounts.choices import UserRole
    from educredit.core.clock import today
    from educredit.integrity.hiring.choices import StatutoryOutcome
    from educredit.integrity.hiring.services import hiring_check_record_statutory
    from educredit.integrity.hiring.tests.factories import check_by_number, pdf
    from educredit.sanctions.tests.factories import shipped_measure_list
    from educredit.subjects.tests.factories import make_institution, resident_id
    from educredit.testing.factories import make_user

    shipped_measure_list()
    clerk = make_user(
        organisation=county, username=f"walk.hiring.{county.pk}", roles=[UserRole.CLERK]
    )
    school = make_institution(
        supervisor=county, name=f"巡检入职查询学校{county.pk}", serial=770 + county.pk
    )
    check = check_by_number(
        clerk, school, name="巡检应聘人", number=resident_id(600 + county.pk % 300)
    )
    hiring_check_record_statutory(
        actor=clerk,
        check=check,
        checked_by="巡检经办人",
        checked_on=today(),
        outcome=StatutoryOutcome.NOT_FOUND,
        attachment=pdf(),
    )
    return check.public_id


JURISDICTION_FIXTURES["hiring_check_id"] = _hiring_check_in
