"""Initiations (发起): events appended with the restrictions, the subscription command and
GET /api/sanctions/feed (cursor pagination, no full identity numbers)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from educredit.audit.models import AuditEntry
from educredit.records import services as record_services
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_reviewer
from educredit.sanctions import services
from educredit.sanctions.models import InitiationEvent, Restriction, Subscription
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

FEED = "/api/sanctions/feed"


@pytest.fixture
def reader(shipped: Any, county: Any) -> Any:
    """A business system with the feed scope, subscribed by the command to two scenarios."""
    client, key = make_api_client(
        organisation=county, name="中原区人事系统", scopes=["sanctions:feed"]
    )
    out = StringIO()
    call_command(
        "sanctions",
        "subscribe",
        client.key_prefix,
        "--scenarios",
        "teacher_qualification,exam_registration",
        stdout=out,
    )
    client.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}  # type: ignore[attr-defined]
    client.output = out.getvalue()  # type: ignore[attr-defined]
    return client


def test_events_are_appended_with_the_restrictions(loop_teacher: Any, county: Any) -> None:
    rows = Restriction.objects.filter(person=loop_teacher)
    events = InitiationEvent.objects.filter(person=loop_teacher)
    assert {(e.restriction_id, e.kind, e.scenario) for e in events} == {
        (row.pk, "created", row.scenario) for row in rows
    }
    revoke(loop_teacher, county)
    ended = InitiationEvent.objects.filter(person=loop_teacher, kind="ended")
    assert ended.count() == rows.count()
    assert all(e.ends_on is not None and e.ended_by == "revoked" for e in ended)
    # A recomputation that changes nothing appends nothing.
    before = InitiationEvent.objects.count()
    services.restrictions_recompute_all(actor="system:test")
    assert InitiationEvent.objects.count() == before


def test_the_command_subscribes_and_prints_the_secret_once(reader: Any) -> None:
    subscription = Subscription.objects.get(client=reader)
    assert subscription.scenarios == ["teacher_qualification", "exam_registration"]
    secret = reader.output.strip().splitlines()[-1]
    assert len(secret) == 64 and secret not in subscription.secret_cipher
    assert AuditEntry.objects.filter(action="sanctions.subscription_set").count() == 1
    again = StringIO()
    call_command(
        "sanctions", "subscribe", reader.key_prefix, "--scenarios", "admissions", stdout=again
    )
    assert secret not in again.getvalue() and "shown this once" not in again.getvalue()
    with pytest.raises(CommandError, match="unknown"):
        call_command("sanctions", "subscribe", reader.key_prefix, "--scenarios", "nope")


def revoke(teacher: Any, county: Any) -> None:
    record = CreditRecord.objects.get(person=teacher)
    record_services.credit_record_revoke(
        actor=make_reviewer(organisation=county), record=record, reason="复议撤销"
    )


def test_feed_pages_by_cursor_without_identity_numbers(
    client: Any, loop_teacher: Any, reader: Any, county: Any
) -> None:
    revoke(loop_teacher, county)  # a second event: ended
    expected = list(
        InitiationEvent.objects.filter(
            scenario__in=["teacher_qualification", "exam_registration"]
        ).values_list("id", flat=True)
    )
    assert len(expected) >= 2
    seen: list[int] = []
    after = 0
    while True:
        response = client.get(FEED, {"after": after, "limit": 1}, **reader.headers)
        assert response.status_code == 200, response.content
        body = response.json()
        assert resident_id(71) not in response.content.decode()
        seen += [event["event_id"] for event in body["events"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            break
    assert seen == sorted(expected)
    event = client.get(FEED, {"limit": 1}, **reader.headers).json()["events"][0]
    assert event["subject"] == {
        "kind": "person",
        "uscc": None,
        "name": None,
        "public_id": str(loop_teacher.public_id),
        "document_type": "resident_id",
        "document_number_masked": loop_teacher.id_number_masked,
    }
    assert event["kind"] == "created" and event["legal_basis"] and event["measure_code"]
    # Past the end: empty, and the cursor stays.
    last = client.get(FEED, {"after": after}, **reader.headers).json()
    assert last == {"events": [], "next_cursor": after, "has_more": False}


def test_only_subscribed_scenarios(client: Any, loop_teacher: Any, reader: Any) -> None:
    call_command("sanctions", "subscribe", reader.key_prefix, "--scenarios", "admissions")
    assert client.get(FEED, **reader.headers).json()["events"] == []


def test_scope_and_unsubscribed_clients(client: Any, loop_teacher: Any, county: Any) -> None:
    _no_scope, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    assert client.get(FEED, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
    assert client.get(FEED).status_code == 401
    _lonely, key = make_api_client(organisation=county, scopes=["sanctions:feed"])
    response = client.get(FEED, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.json()["events"] == []


def test_the_feed_costs_a_fixed_number_of_queries(
    client: Any,
    loop_teacher: Any,
    reader: Any,
    county: Any,
    django_assert_max_num_queries: Any,
) -> None:
    revoke(loop_teacher, county)
    with django_assert_max_num_queries(15) as few:
        client.get(FEED, {"limit": 1}, **reader.headers)
    baseline = len(few.captured_queries)
    with django_assert_max_num_queries(baseline):
        assert len(client.get(FEED, {"limit": 100}, **reader.headers).json()["events"]) >= 2
