"""Deadlines, 及时率 / 合规率 / 完整率 and the 迟报 and due-soon lists, on a fixed calendar.

The calendar is 2025's published one: National Day 10-01…10-08, make-up working days on
Sunday 09-28 and Saturday 10-11. Every selector takes ``as_of``, so no clock is patched.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from educredit.core.clock import BEIJING
from educredit.disclosure import selectors
from educredit.disclosure.models import Decision
from educredit.records.tests.factories import make_record

pytestmark = pytest.mark.django_db

SEPTEMBER = dt.date(2025, 9, 1)
AS_OF = dt.date(2025, 10, 14)


def decided(actor: Any, day: dt.date, **flags: Any) -> Decision:
    record = make_record(actor=actor, status="effective", decision_date=day)
    decision = Decision.objects.get(record=record)
    if flags:
        Decision.objects.filter(pk=decision.pk).update(**flags)
        decision.refresh_from_db()
    return decision


def beijing(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def september(county_clerk: Any, outsider: Any) -> dict[str, Decision]:
    friday = dt.date(2025, 9, 26)
    return {
        # reported late in the evening of its deadline day (Beijing): on time
        "on_time": decided(
            county_clerk,
            friday,
            first_reported_at=beijing(2025, 10, 13, 23),
            compliant=True,
            complete=True,
        ),
        # reported half an hour after midnight Beijing time (still the 13th in UTC): late
        "late": decided(
            county_clerk,
            friday,
            first_reported_at=beijing(2025, 10, 14, 0, 30),
            compliant=False,
            complete=True,
        ),
        # never reported, deadline passed: late as well
        "missing": decided(county_clerk, friday, compliant=False, complete=False),
        # decided 09-30, due 10-16: pending, and due within two working days
        "pending": decided(county_clerk, dt.date(2025, 9, 30), compliant=True, complete=True),
        # another county's, reported in time
        "other": decided(
            outsider,
            friday,
            first_reported_at=beijing(2025, 10, 9, 10),
            compliant=True,
            complete=True,
        ),
    }


def test_the_deadline_is_the_seventh_working_day_on_the_official_calendar(
    county_clerk: Any,
) -> None:
    decision = decided(county_clerk, dt.date(2025, 9, 26))
    # 09-28 (make-up Sunday), 09-29, 09-30, 10-09, 10-10, 10-11 (make-up Saturday), 10-13
    assert decision.deadline == dt.date(2025, 10, 13)
    assert not decision.deadline_provisional


def test_quality_of_a_county_for_a_month(county: Any, september: dict[str, Decision]) -> None:
    q = selectors.quality(county, SEPTEMBER, as_of=AS_OF)
    assert (q.count, q.on_time, q.late, q.pending) == (4, 1, 2, 1)
    assert q.timeliness_rate == Decimal("33.3")  # pending items are not judged yet
    assert q.compliance_rate == Decimal("50.0")
    assert q.completeness_rate == Decimal("75.0")


def test_a_pending_item_becomes_late_once_its_deadline_passes(
    county: Any, september: dict[str, Decision]
) -> None:
    q = selectors.quality(county, SEPTEMBER, as_of=dt.date(2025, 10, 17))
    assert (q.on_time, q.late, q.pending) == (1, 3, 0)
    assert q.timeliness_rate == Decimal("25.0")


def test_the_city_sees_its_subtree_and_drills_into_its_counties(
    city: Any, county: Any, other_county: Any, september: dict[str, Decision]
) -> None:
    assert selectors.quality(city, SEPTEMBER, as_of=AS_OF).count == 5
    assert selectors.quality(city, SEPTEMBER, as_of=AS_OF, subtree=False).count == 0
    rows = selectors.quality_by_child(city, SEPTEMBER, as_of=AS_OF)
    assert [(r.organisation, r.count, r.on_time) for r in rows] == [
        (city, 0, 0),
        (county, 4, 1),
        (other_county, 1, 1),
    ]
    assert rows[0].compliance_rate is None


def test_other_months_are_not_counted(county: Any, september: dict[str, Decision]) -> None:
    assert selectors.quality(county, dt.date(2025, 10, 1), as_of=AS_OF).count == 0
    assert selectors.quality(county, dt.date(2025, 9, 17), as_of=AS_OF).count == 4


def test_late_and_due_soon_lists(
    county: Any, other_county: Any, september: dict[str, Decision]
) -> None:
    late = list(selectors.late_decisions(county, as_of=AS_OF))
    assert {d.pk for d in late} == {september["late"].pk, september["missing"].pk}
    assert list(selectors.due_soon(county, as_of=AS_OF)) == [september["pending"]]
    # On Friday 10-10 the unreported one due Monday 10-13 (after make-up Saturday) is near.
    assert list(selectors.due_soon(county, as_of=dt.date(2025, 10, 10))) == [september["missing"]]
    assert list(selectors.organisations_to_warn(as_of=AS_OF)) == [county]
    assert list(selectors.late_decisions(other_county, as_of=AS_OF)) == []
