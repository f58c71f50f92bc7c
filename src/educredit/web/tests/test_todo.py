"""The workspace home lists what waits for the user, within their jurisdiction only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from educredit.core.clock import today
from educredit.disclosure.tests.pages import effective_decision, prepare_county, school_of
from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_record

pytestmark = pytest.mark.django_db


def _home(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get("/workspace/").content.decode()


def test_home_lists_reviews_deadlines_and_refused_reports(
    county: Any, county_clerk: Any, county_admin: Any, city_reviewer: Any, outsider: Any
) -> None:
    assert "暂无待办事项" in _home(county_clerk)
    prepare_county(county)
    make_record(actor=county_clerk, status=S.SUBMITTED)
    school = school_of(county)
    # Decided long ago and never reported: late.
    late = effective_decision(
        county_clerk, school, number="郑中教罚〔2026〕1号", decided=today() - dt.timedelta(days=30)
    )
    OutboxItem.objects.filter(source_id=str(late.pk)).update(status=OutboxStatus.REJECTED)

    reviewer_home = _home(city_reviewer)
    assert "条信用记录待审核" in reviewer_home
    assert "迟报" in reviewer_home
    admin_home = _home(county_admin)
    assert "条报送被省平台退回" in admin_home
    assert "条信用记录待审核" not in _home(county_clerk)  # clerks do not review
    assert "暂无待办事项" in _home(outsider)  # another county sees none of it
