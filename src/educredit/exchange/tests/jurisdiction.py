"""Objects of ``county`` for the jurisdiction walk, one factory per URL kwarg of this app."""

from __future__ import annotations

import itertools
from typing import Any

from educredit.accounts.models import Organisation
from educredit.testing.jurisdiction import JURISDICTION_FIXTURES

_serials = itertools.count(9000)


def _outbox_item_in(county: Organisation) -> Any:
    """A rejected item of ``county`` (so its fix page answers the owner, not only its detail)."""
    from educredit.exchange.tests.test_views import rejected_items

    return rejected_items(county, 1, start=next(_serials))[0].pk


JURISDICTION_FIXTURES["outbox_item_id"] = _outbox_item_in
