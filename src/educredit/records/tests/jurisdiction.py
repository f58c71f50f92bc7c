"""Objects of ``county`` for the jurisdiction walk, one factory per URL kwarg of this app."""

from __future__ import annotations

import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_serials = itertools.count(1)


def _credit_record_in(county: Organisation) -> Any:
    from educredit.accounts.choices import UserRole
    from educredit.records.tests.factories import make_record
    from educredit.testing.factories import make_user

    clerk = make_user(
        organisation=county, username=f"walk-record-clerk-{next(_serials)}", roles=[UserRole.CLERK]
    )
    return make_record(actor=clerk).public_id


JURISDICTION_FIXTURES["credit_record_id"] = _credit_record_in

# List entries (``entry_id``) register in their own module.
from educredit.records.tests import jurisdiction_lists  # noqa: E402, F401
