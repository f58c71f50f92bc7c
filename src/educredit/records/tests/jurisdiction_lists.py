"""Jurisdiction-walk factory for list-entry URLs (``entry_id``): an entry owned by ``county``.

Imported by ``records/tests/jurisdiction.py`` (the module the walk autodiscovers).
"""

from __future__ import annotations

import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_serials = itertools.count(1)


def _list_entry_in(county: Organisation) -> Any:
    from educredit.accounts.choices import UserRole
    from educredit.catalog.choices import Severity
    from educredit.records import lists
    from educredit.records.choices import CreditListKind
    from educredit.records.choices import CreditRecordStatus as S
    from educredit.records.tests.factories import make_catalog_item, make_record
    from educredit.testing.factories import make_user

    clerk = make_user(
        organisation=county, username=f"walk-list-clerk-{next(_serials)}", roles=[UserRole.CLERK]
    )
    record = make_record(
        actor=clerk, catalog_item=make_catalog_item(severity=Severity.SERIOUS), status=S.EFFECTIVE
    )
    assert record.institution is not None
    entry = lists.list_entry_propose(
        actor=clerk,
        kind=CreditListKind.SERIOUS,
        subject=record.institution,
        basis_records=[record],
        reason="巡检",
        legal_basis="",
        measures="巡检",
        exit_conditions="巡检",
    )
    return entry.public_id


JURISDICTION_FIXTURES["entry_id"] = _list_entry_in
