"""Approving many submitted records from the review queue at once, each checked on its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_record
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reviewer_approves_the_ticked_records(
    county: Any, county_clerk: Any, city_reviewer: Any, outsider: Any
) -> None:
    mine = [make_record(actor=county_clerk, status=S.SUBMITTED) for _ in range(3)]
    # A county admin's own submission: the two-person rule keeps the admin from approving it.
    admin = make_user(organisation=county, username="bulk-admin", roles=[UserRole.ADMIN])
    own = make_record(actor=admin, status=S.SUBMITTED)
    elsewhere = make_record(actor=outsider, status=S.SUBMITTED)

    page = _client(admin).get(reverse("records:review_queue"))
    assert 'name="records"' in page.content.decode()
    response = _client(admin).post(
        reverse("records:review_approve"),
        {"records": [str(r.public_id) for r in [*mine[:2], own, elsewhere]], "reason": "核实无误"},
        follow=True,
    )
    text = response.content.decode()
    assert "已审核通过 2 条记录" in text
    assert "2 条未通过" in text and "双人审核" in text
    statuses = dict(CreditRecord.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in mine] == [S.EFFECTIVE, S.EFFECTIVE, S.SUBMITTED]
    assert statuses[own.pk] == S.SUBMITTED
    assert statuses[elsewhere.pk] == S.SUBMITTED  # outside the jurisdiction: untouched
    approved = CreditRecord.objects.get(pk=mine[0].pk)
    assert approved.transitions.order_by("-pk")[0].reason == "核实无误"


def test_clerks_cannot_approve_in_bulk(county_clerk: Any) -> None:
    record = make_record(actor=county_clerk, status=S.SUBMITTED)
    response = _client(county_clerk).post(
        reverse("records:review_approve"), {"records": [str(record.public_id)]}
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == S.SUBMITTED
