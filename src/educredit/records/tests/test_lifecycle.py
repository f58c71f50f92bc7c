"""The record life cycle: every transition allowed or refused per role."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(S.values))
def test_factory_reaches_every_status(county_clerk: Any, status: str) -> None:
    record = make_record(actor=county_clerk, status=status)
    record.refresh_from_db()
    assert record.status == status
