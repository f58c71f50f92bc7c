"""Objects of ``county`` for the jurisdiction walk, one factory per URL kwarg of this app."""

from __future__ import annotations

import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_serials = itertools.count(1)


def _decision_import_in(county: Organisation) -> Any:
    """A finished import run (with a rejected row, so its error report exists) of ``county``."""
    from educredit.accounts.choices import UserRole
    from educredit.disclosure.models import DecisionImportError, DecisionImportRun
    from educredit.subjects.choices import ImportStatus
    from educredit.testing.factories import make_user

    clerk = make_user(
        organisation=county, username=f"walk-import-clerk-{next(_serials)}", roles=[UserRole.CLERK]
    )
    run = DecisionImportRun.objects.create(
        kind="penalty",
        catalog_item_code="JY-CF-02",
        original_filename="walk.csv",
        status=ImportStatus.FINISHED,
        total_rows=1,
        processed_rows=1,
        failed_rows=1,
        created_by=clerk,
        organisation=county,
    )
    DecisionImportError.objects.create(run=run, row_number=2, reason="x / x")
    return run.public_id


JURISDICTION_FIXTURES["decision_import_id"] = _decision_import_in
