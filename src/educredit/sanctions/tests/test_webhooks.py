"""Webhooks: initiations POSTed to a subscriber, signed, retried with backoff after a failure.

The receiver is a real HTTP server on loopback that checks the signature as the ADR tells a
business system to.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from educredit.audit.verification import verify_audit_log
from educredit.sanctions.models import InitiationEvent, Subscription
from educredit.sanctions.subscriptions import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    backoff,
    subscription_set,
    verify,
    webhook_deliver_due,
)
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


class Receiver:
    """What the business system's endpoint saw, and the status codes it answers with."""

    def __init__(self) -> None:
        self.secret = ""
        self.answers: list[int] = []
        self.received: list[dict[str, Any]] = []
        self.bad_signatures = 0


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            timestamp = self.headers[TIMESTAMP_HEADER]
            if not verify(state.secret, timestamp, body, self.headers[SIGNATURE_HEADER]):
                state.bad_signatures += 1
                self.send_response(401)
            else:
                status = state.answers.pop(0) if state.answers else 200
                state.received.append({"status": status, "body": json.loads(body)})
                self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}/hooks/educredit"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def subscribed(receiver: tuple[Receiver, str], shipped: Any, county: Any) -> Subscription:
    state, url = receiver
    client, _key = make_api_client(organisation=county, scopes=["sanctions:feed"])
    subscription, secret = subscription_set(
        actor="system:test",
        client=client,
        scenarios=["teacher_qualification"],
        webhook_url=url,
    )
    assert secret is not None
    state.secret = secret
    return subscription


def test_signed_delivery_retried_after_a_500(
    receiver: tuple[Receiver, str], subscribed: Subscription, loop_teacher: Any
) -> None:
    state, _url = receiver
    state.answers = [500]
    now = timezone.now()
    first = webhook_deliver_due(now=now)
    assert (first.posts, first.failures) == (1, 1)
    subscribed.refresh_from_db()
    assert subscribed.webhook_cursor == 0 and subscribed.attempts == 1
    assert subscribed.next_attempt_at == now + backoff(1)
    # Not due again before the backoff ends.
    assert webhook_deliver_due(now=now + dt.timedelta(seconds=5)).posts == 0
    second = webhook_deliver_due(now=now + backoff(1))
    assert (second.posts, second.failures) == (1, 0)
    assert state.bad_signatures == 0
    assert [r["status"] for r in state.received] == [500, 200]
    delivered = state.received[1]["body"]
    expected = list(
        InitiationEvent.objects.filter(scenario="teacher_qualification").values_list(
            "id", flat=True
        )
    )
    assert [e["event_id"] for e in delivered["events"]] == expected
    assert resident_id(71) not in json.dumps(delivered, ensure_ascii=False)
    # Each post that reached the receiver is in the query log of the subjects it named.
    logged = SubjectQueryLog.objects.filter(route="sanctions:webhook")
    assert logged.count() == 2 and {row.api_client_id for row in logged} == {subscribed.client_id}
    assert logged.filter(person=loop_teacher).count() == 2
    subscribed.refresh_from_db()
    assert (subscribed.webhook_cursor, subscribed.attempts) == (expected[-1], 0)
    # Nothing new: nothing is posted.
    assert webhook_deliver_due(now=now + backoff(1) + dt.timedelta(minutes=1)).posts == 0
    assert len(state.received) == 2
    # Delivery bookkeeping is outside the audited snapshot: the subscription still verifies.
    problems = verify_audit_log().row_problems
    assert not [p for p in problems if p.model == "sanctions.subscription"], problems


def test_a_wrong_secret_fails_verification(
    receiver: tuple[Receiver, str], subscribed: Subscription, loop_teacher: Any
) -> None:
    state, _url = receiver
    state.secret = "not-the-secret"
    run = webhook_deliver_due(now=timezone.now())
    assert (run.posts, run.failures, state.bad_signatures) == (1, 1, 1)
    subscribed.refresh_from_db()
    assert subscribed.last_error == "HTTP 401"


def test_an_unreachable_endpoint_backs_off(
    receiver: tuple[Receiver, str], shipped: Any, county: Any, loop_teacher: Any
) -> None:
    client, _key = make_api_client(organisation=county, scopes=["sanctions:feed"])
    subscription, _secret = subscription_set(
        actor="system:test",
        client=client,
        scenarios=["teacher_qualification"],
        webhook_url="http://127.0.0.1:9/nothing-listens",
    )
    now = timezone.now()
    for attempt in (1, 2):
        webhook_deliver_due(now=now)
        subscription.refresh_from_db()
        assert subscription.attempts == attempt
        assert subscription.next_attempt_at == now + backoff(attempt)
        now = subscription.next_attempt_at
    assert backoff(2) == 2 * backoff(1)
