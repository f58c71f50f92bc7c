"""Objects of the research-integrity app for the jurisdiction walk (``testing/jurisdiction.py``)."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES


def _activity_in(county: Organisation) -> Any:
    """A research activity of a university supervised by ``county``."""
    from educredit.integrity.research.tests.factories import (
        make_activity,
        researcher,
        university_clerk,
        university_with_account,
    )

    university, account = university_with_account(
        supervisor=county, name=f"巡检科技学院{county.pk}", serial=8600 + county.pk
    )
    clerk = university_clerk(account, f"walk.research.{county.pk}")
    person = researcher(university, "巡检研究员", 860 + county.pk % 100)
    return make_activity(clerk, university, person).public_id


JURISDICTION_FIXTURES["activity_id"] = _activity_in
