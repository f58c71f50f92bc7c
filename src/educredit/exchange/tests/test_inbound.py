"""Pulling the platform's grades and other departments' lists from the real simulator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from educredit.audit.models import AuditEntry
from educredit.exchange.inbound import InboundError, inbound_pull
from educredit.exchange.models import InboundEvaluation, InboundListing
from educredit.subjects.tests.factories import make_institution, uscc

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
STRANGER = uscc(9999, "410100")  # a valid credit code of no institution of ours


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="中原区实验学校", serial=71)


def _listing(code: str, listed_on: str = "2026-10-01") -> dict[str, str]:
    return {
        "uscc": code,
        "name": "中原区实验学校",
        "list_name": "重大税收违法失信主体",
        "department": "国家税务总局郑州市税务局",
        "listed_on": listed_on,
    }


def test_pull_keeps_what_names_our_institutions(platform: Any, school: Any) -> None:
    platform.set_inbound(
        evaluations=[
            {"uscc": school.uscc, "grade": "B", "evaluated_on": "2026-10-31"},
            {"uscc": STRANGER, "grade": "A", "evaluated_on": "2026-10-31"},
            {"uscc": school.uscc, "grade": "E", "evaluated_on": "2026-10-31"},
        ],
        dishonesty=[_listing(school.uscc), _listing(STRANGER)],
    )
    entries = AuditEntry.objects.count()
    result = inbound_pull(base_url=platform.url + "/api/v1", now=NOW)
    assert (result.evaluations_added, result.listings_added, result.not_ours) == (1, 1, 2)
    assert len(result.invalid) == 1  # grade E
    grade = InboundEvaluation.objects.get()
    assert (grade.institution, grade.grade, grade.evaluated_on) == (
        school,
        "B",
        dt.date(2026, 10, 31),
    )
    listing = InboundListing.objects.get()
    assert (listing.institution, listing.department, listing.removed_on) == (
        school,
        "国家税务总局郑州市税务局",
        None,
    )
    assert AuditEntry.objects.count() == entries + 2  # one bulk entry per table
    assert not InboundEvaluation.objects.filter(institution__uscc=STRANGER).exists()


def test_a_second_pull_updates_grades_and_removes_lifted_entries(
    platform: Any, school: Any
) -> None:
    url = platform.url + "/api/v1"
    platform.set_inbound(
        evaluations=[{"uscc": school.uscc, "grade": "B", "evaluated_on": "2026-10-31"}],
        dishonesty=[_listing(school.uscc)],
    )
    inbound_pull(base_url=url, now=NOW)
    unchanged = inbound_pull(base_url=url, now=NOW)
    assert unchanged.as_dict()["evaluations_added"] == 0 and unchanged.listings_added == 0
    platform.set_inbound(
        evaluations=[{"uscc": school.uscc, "grade": "C", "evaluated_on": "2026-10-31"}],
        dishonesty=[],
    )
    later = NOW + dt.timedelta(days=1)
    result = inbound_pull(base_url=url, now=later)
    assert (result.evaluations_updated, result.listings_removed) == (1, 1)
    assert InboundEvaluation.objects.get().grade == "C"
    assert InboundListing.objects.get().removed_on == dt.date(2026, 11, 28)


def test_platform_down_changes_nothing(platform: Any, school: Any) -> None:
    platform.set_inbound(dishonesty=[_listing(school.uscc)])
    url = platform.url + "/api/v1"
    platform.go_down()
    with pytest.raises(InboundError, match="无法读取省平台数据"):
        inbound_pull(base_url=url, now=NOW, timeout=2)
    assert not InboundListing.objects.exists()
    with pytest.raises(CommandError):
        call_command("exchange", "pull", "--url", url)
    platform.come_back()
    call_command("exchange", "pull", "--url", url)
    assert InboundListing.objects.count() == 1
