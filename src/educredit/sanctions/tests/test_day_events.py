"""The day a restriction starts or ends: screening answers the new verdict that day, and
subscribed business systems get an ``in_force`` / ``lapsed`` event that day, once.

The verdict is checked through the real check API with records whose decided end date
(``sanction_until``, ``disqualified_until``) is a given day; the events come from a serious
listing confirmed today to take effect in a fortnight (records and lists through their
services, so the restrictions and their change events are written as in production).
"""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from educredit.catalog.choices import Severity
from educredit.catalog.models import CatalogItem
from educredit.core import clock
from educredit.records import lists
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.records.windows import add_months
from educredit.sanctions import day_events
from educredit.sanctions.day_events import day_events_run, days_due
from educredit.sanctions.models import (
    InitiationDayRun,
    InitiationEvent,
    InitiationEventKind,
    Restriction,
)
from educredit.sanctions.subscriptions import subscription_set, webhook_deliver_due
from educredit.sanctions.tests import test_webhooks
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

# The webhook harness of ``test_webhooks``: a real HTTP server on loopback checking signatures.
receiver = test_webhooks.receiver

CHECK = "/api/sanctions/check"
FEED = "/api/sanctions/feed"
DAY = datetime.timedelta(days=1)
DECISION = datetime.date(2026, 3, 2)
BAN_END = datetime.date(2029, 3, 2)  # 惩戒期限至: the first day the researcher is clear again


@pytest.fixture
def system(other_county: Any) -> dict[str, str]:
    """A research-management system of another county (screening is province-wide)."""
    _client, key = make_api_client(
        organisation=other_county, name="科研项目管理系统", scopes=["sanctions:check"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def check(client: Any, headers: dict[str, str], scenario: str, as_of: datetime.date) -> str:
    body = {
        "document_type": "resident_id",
        "document_number": TEACHER_NUMBER,
        "scenario": scenario,
        "reference": "KY-2026-0001",
        "as_of": as_of.isoformat(),
    }
    response = client.post(CHECK, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    verdict: str = response.json()["verdict"]
    return verdict


def research_misconduct(clerk: Any, reviewer: Any, teacher: Any, until: datetime.date) -> Any:
    """科研失信行为认定 (JY-KY-01) with its ban ending on ``until``."""
    return make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=CatalogItem.objects.get(code="JY-KY-01"),
        person=teacher,
        title="科研失信行为认定",
        decision_date=DECISION,
        payload={
            "misconduct_type": "编造研究过程、伪造或篡改研究数据和结论",
            "facts": "篡改实验数据图表",
            "handling_result": "三年内禁止承担或参与财政性资金支持的科技活动",
            "handling_body": "郑州市中原区教育局",
            "handling_basis": "《科研失信行为调查处理规则》第二条第（二）项",
            "effective_on": DECISION.isoformat(),
            "sanction_until": until.isoformat(),
            "ban_tier": "情节较轻",
        },
        status=S.EFFECTIVE,
    )


def test_research_ban_restricts_from_the_decision_until_the_day_before_its_end(
    client: Any,
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    teacher: Any,
    system: dict[str, str],
) -> None:
    research_misconduct(county_clerk, reviewer, teacher, BAN_END)
    assert check(client, system, "research_project", DECISION - DAY) == "clear"
    assert check(client, system, "research_project", DECISION) == "restricted"
    assert check(client, system, "public_funding", BAN_END - DAY) == "restricted"
    assert check(client, system, "research_project", BAN_END - DAY) == "restricted"
    assert check(client, system, "research_project", BAN_END) == "clear"


def test_ethics_disqualification_ends_on_its_decided_day(
    client: Any,
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    teacher: Any,
    system: dict[str, str],
) -> None:
    until = add_months(DECISION, 30)  # beyond the 24-month minimum, so the decision's day rules
    make_record(
        actor=county_clerk,
        reviewer=reviewer,
        catalog_item=CatalogItem.objects.get(code="JY-SD-02"),
        person=teacher,
        title="师德失范行为处理",
        decision_date=DECISION,
        payload={
            "misconduct": "有偿补课",
            "handling": "通报批评",
            "disqualification": "职称评定",
            "disqualified_until": until.isoformat(),
            "employer": "中原区实验学校",
        },
        status=S.EFFECTIVE,
    )
    assert check(client, system, "title_evaluation", DECISION - DAY) == "clear"
    assert check(client, system, "title_evaluation", DECISION) == "restricted"
    assert check(client, system, "title_evaluation", until - DAY) == "restricted"
    assert check(client, system, "title_evaluation", until) == "clear"


# --- events on the day ----------------------------------------------------------------------


def serious_listing(clerk: Any, reviewer: Any, school: Any) -> tuple[Any, datetime.date, Any]:
    """The school listed as seriously dishonest today, in force from a fortnight on, listed
    for a month: (entry, first day, first clear day)."""
    basis = make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=make_catalog_item(severity=Severity.SERIOUS, name="严重失信依据"),
        institution=school,
        status=S.EFFECTIVE,
    )
    entry = lists.list_entry_propose(
        actor=clerk,
        kind=CreditListKind.SERIOUS,
        subject=school,
        basis_records=[basis],
        reason="违背公开承诺造成严重后果",
        legal_basis="《河南省社会信用条例》第三十三条",
        measures="限制参加政府采购",
        exit_conditions="整改到位",
    )
    starts = clock.today() + datetime.timedelta(days=14)
    last_listed = starts + datetime.timedelta(days=30)
    confirmed = lists.list_entry_confirm(
        actor=reviewer, entry=entry, listed_on=starts, valid_until=last_listed
    )
    return confirmed, starts, last_listed + DAY


def day_events_of(day: datetime.date) -> set[tuple[int, str]]:
    return set(InitiationEvent.objects.filter(day=day).values_list("restriction_id", "kind"))


def test_a_term_announced_ahead_gets_its_events_on_its_first_and_first_clear_day_once(
    shipped: Any, county_clerk: Any, reviewer: Any, school: Any
) -> None:
    entry, starts, clear_from = serious_listing(county_clerk, reviewer, school)
    rows = list(Restriction.objects.filter(basis_list_entry=entry))
    assert rows and {(r.starts_on, r.ends_on) for r in rows} == {(starts, clear_from)}
    assert day_events_run(day=starts - DAY).appended == 0

    first = day_events_run(day=starts)
    assert (first.in_force, first.lapsed, first.appended) == (len(rows), 0, len(rows))
    assert day_events_of(starts) == {(r.pk, InitiationEventKind.IN_FORCE) for r in rows}
    again = day_events_run(day=starts)
    assert (again.in_force, again.appended) == (len(rows), 0)
    assert InitiationEvent.objects.filter(day=starts).count() == len(rows)

    ended = day_events_run(day=clear_from)
    assert (ended.in_force, ended.lapsed) == (0, len(rows))
    lapsed = InitiationEvent.objects.filter(day=clear_from)
    assert all(e.kind == "lapsed" and e.ends_on == clear_from for e in lapsed)
    run = InitiationDayRun.objects.get(day=starts)
    assert (run.runs, run.in_force, run.lapsed) == (2, len(rows), 0)
    assert run.finished_at is not None


def test_a_term_announced_on_its_own_day_needs_no_day_event(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    """A record approved today that takes effect today: its ``created`` event told it."""
    made = make_record(
        actor=county_clerk,
        reviewer=reviewer,
        catalog_item=CatalogItem.objects.get(code="JY-KY-01"),
        person=teacher,
        title="科研失信行为认定",
        decision_date=clock.today(),
        payload={
            "misconduct_type": "违反署名规范",
            "facts": "无实质学术贡献署名",
            "handling_result": "一年内禁止承担财政性资金支持的科技活动",
            "handling_body": "郑州市中原区教育局",
            "handling_basis": "《科研失信行为调查处理规则》第二条第（六）项",
            "effective_on": clock.today().isoformat(),
            "sanction_until": add_months(clock.today(), 12).isoformat(),
        },
        status=S.EFFECTIVE,
    )
    assert Restriction.objects.filter(basis_record=made, starts_on=clock.today()).exists()
    assert day_events_run().appended == 0


def test_a_run_that_crashed_midway_resumes_without_repeating_an_event(
    shipped: Any, county_clerk: Any, reviewer: Any, school: Any, monkeypatch: Any
) -> None:
    _entry, starts, _clear = serious_listing(county_clerk, reviewer, school)
    monkeypatch.setattr(day_events, "CHUNK", 2)
    real = day_events._append_chunk
    calls: list[int] = []

    def crash_on_second_chunk(ids: list[int], day: datetime.date) -> int:
        calls.append(len(ids))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(ids, day)

    monkeypatch.setattr(day_events, "_append_chunk", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        day_events_run(day=starts)
    assert InitiationEvent.objects.filter(day=starts).count() == 2  # the first chunk committed
    assert InitiationDayRun.objects.get(day=starts).finished_at is None
    monkeypatch.setattr(day_events, "_append_chunk", real)
    resumed = day_events_run(day=starts)
    total = Restriction.objects.filter(starts_on=starts).count()
    assert (resumed.in_force, resumed.appended) == (total, total - 2)
    # The nightly task goes on from the day after the last finished one.
    assert days_due(starts + 3 * DAY) == [starts + DAY, starts + 2 * DAY, starts + 3 * DAY]


def test_the_command_runs_a_day_by_hand_and_twice_appends_nothing_more(
    shipped: Any, county_clerk: Any, reviewer: Any, school: Any
) -> None:
    _entry, starts, _clear = serious_listing(county_clerk, reviewer, school)
    first, second = StringIO(), StringIO()
    call_command("sanctions", "day-events", "--date", starts.isoformat(), stdout=first)
    call_command("sanctions", "day-events", "--date", starts.isoformat(), stdout=second)
    rows = Restriction.objects.filter(starts_on=starts).count()
    assert f"appended now {rows}" in first.getvalue()
    assert f"in force {rows}" in second.getvalue() and "appended now 0" in second.getvalue()


def test_the_feed_and_a_webhook_carry_the_day_events(
    client: Any,
    shipped: Any,
    county: Any,
    county_clerk: Any,
    reviewer: Any,
    school: Any,
    receiver: tuple[test_webhooks.Receiver, str],
) -> None:
    state, url = receiver
    feed_client, key = make_api_client(
        organisation=county, name="政府采购系统", scopes=["sanctions:feed"]
    )
    _subscription, secret = subscription_set(
        actor="system:test",
        client=feed_client,
        scenarios=["government_procurement"],
        webhook_url=url,
    )
    assert secret is not None
    state.secret = secret
    _entry, starts, clear_from = serious_listing(county_clerk, reviewer, school)
    now = timezone.now()
    assert webhook_deliver_due(now=now).events == 1  # the listing's ``created``

    day_events_run(day=starts)
    day_events_run(day=clear_from)
    delivered = webhook_deliver_due(now=now + datetime.timedelta(minutes=1))
    assert (delivered.events, delivered.failures, state.bad_signatures) == (2, 0, 0)
    pushed = [e for post in state.received for e in post["body"]["events"]]
    assert [e["kind"] for e in pushed] == ["created", "in_force", "lapsed"]
    assert pushed[1]["starts_on"] == starts.isoformat()
    assert pushed[2]["ends_on"] == clear_from.isoformat()
    assert school.uscc in json.dumps(pushed, ensure_ascii=False)

    body = client.get(FEED, {"after": 0}, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [e["kind"] for e in body["events"]] == ["created", "in_force", "lapsed"]
    assert [e["event_id"] for e in body["events"]] == [e["event_id"] for e in pushed]
