"""Issue 5's done-when story over real HTTP, through the vendorable Python client
(``clients/python``): a revoked teacher qualification, a teacher-qualification system that
checks the same person, the feedback on the dashboard — and the client's failure paths
(errors never become a "clear") and its webhook signature check.

``live_server`` serves the application on loopback in a thread of this process, so a
``monkeypatch`` of server code below reaches the server.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
import uuid
from typing import Any

import pytest
from django.db import OperationalError
from educredit_client import Client, EduCreditError, verify_proof, verify_webhook
from educredit_client import client as client_module

from educredit.audit.canonical import canonical_json
from educredit.audit.checkpoint import verifier_key
from educredit.audit.sequencer import sequence_pending
from educredit.sanctions import screening, subscriptions
from educredit.sanctions.models import CheckFeedback, ScreeningCheck
from educredit.sanctions.tests.test_dashboard import row_of
from educredit.sanctions.tests.test_restrictions import DECISION, REAPPLY
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db(transaction=True)

TEACHER = {"document_type": "resident_id", "document_number": resident_id(71), "name": "李老师"}
BASIS = "《教师资格条例》第十九条"


@pytest.fixture
def system(live_server: Any, loop_teacher: Any, county: Any) -> Client:
    """中原区's teacher-qualification system, holding a key with the scopes it needs."""
    _client, key = make_api_client(
        organisation=county,
        name="中原区教师资格系统",
        scopes=["sanctions:check", "sanctions:read", "sanctions:feed"],
    )
    return Client(live_server.url, key, timeout=10, verifier_key=verifier_key())


def test_revoked_teacher_is_refused_then_clear_elsewhere_and_after_the_ban(
    system: Client, client: Any, county_clerk: Any
) -> None:
    # A teacher-qualification system checks the person whose qualification was revoked.
    hit = system.check(scenario="teacher_qualification", reference="JS-2026-0001", **TEACHER)
    assert (hit.verdict, hit.subject_found, hit.name_match) == ("restricted", True, "current")
    assert not hit.is_clear
    (measure,) = hit.measures
    assert BASIS in measure.legal_basis
    assert (measure.starts_on, measure.ends_on) == (DECISION, REAPPLY)
    # The receipt's signed entry timestamp was checked on arrival, with the platform's key.
    assert hit.entry_timestamp is not None
    assert hit.entry_timestamp.leaf_hash == hit.receipt["entry_timestamp"]["leaf_hash"]
    assert hit.entry_timestamp.merge_deadline > hit.entry_timestamp.timestamp

    # An unrelated scenario: clear, the subject is known.
    other = system.check(scenario="government_procurement", reference="ZC-2026-0001", **TEACHER)
    assert (other.verdict, other.measures, other.subject_found) == ("clear", [], True)

    # After the ban period (re-application allowed from REAPPLY): clear; the day before: not.
    after = system.check(
        scenario="teacher_qualification", reference="JS-2031-0001", as_of=REAPPLY, **TEACHER
    )
    assert (after.verdict, after.measures, after.as_of) == ("clear", [], REAPPLY)
    day_before = REAPPLY - dt.timedelta(days=1)
    last_day = system.check(
        scenario="teacher_qualification", reference="JS-2031-0000", as_of=day_before, **TEACHER
    )
    assert last_day.verdict == "restricted"

    # The system reports what it did with the hit; feedback on a clear check is refused.
    recorded = system.feedback(hit.check_id, "refused")
    assert (recorded["check_id"], recorded["outcome"]) == (hit.check_id, "refused")
    with pytest.raises(EduCreditError) as not_a_hit:
        system.feedback(other.check_id, "refused")
    assert not_a_hit.value.status == 422
    assert CheckFeedback.objects.get().screening_check.public_id == uuid.UUID(hit.check_id)

    # The feedback appears on the dashboard of the system's organisation.
    client.force_login(county_clerk)
    page = client.get("/sanctions/loop/").content.decode()
    # hits, feedback, rate, refused: the two restricted checks are hits, one reported
    assert row_of(page, "scenario", "教师资格认定")[1:5] == ["2", "1", "50.0%", "1"]
    hits = page.split("data-loop-hits", 1)[1]
    assert hit.check_id in hits and last_day.check_id in hits
    assert "拒绝" in hits and "未反馈" in hits
    assert other.check_id not in hits and after.check_id not in hits


def test_the_receipt_is_proved_once_integrated(system: Client) -> None:
    hit = system.check(scenario="teacher_qualification", reference="JS-2026-0002", **TEACHER)
    with pytest.raises(EduCreditError) as not_yet:
        system.proof(hit.check_id, hit.receipt)
    assert not_yet.value.status == 409 and "merge_deadline" in not_yet.value.detail
    sequence_pending()  # what `educredit audit sequence --loop` does within the merge delay
    proof = system.proof(hit.check_id, hit.receipt)  # checked against the receipt
    assert proof["check_id"] == hit.check_id
    assert hashlib.sha256(canonical_json(proof["record"])).hexdigest() == hit.receipt["digest"]
    assert proof["leaf_hash"] == hit.receipt["entry_timestamp"]["leaf_hash"]
    # A proof of another check, a record altered or a checkpoint under another key fail.
    other = system.check(scenario="government_procurement", reference="ZC-2", **TEACHER)
    sequence_pending()
    other_proof = system.proof(other.check_id)
    assert verify_proof(other_proof, receipt=hit.receipt, verifier_key=verifier_key()) is not None
    altered = {**proof, "record": {**proof["record"], "verdict": "clear"}}
    assert "digest" in str(verify_proof(altered, receipt=hit.receipt, verifier_key=verifier_key()))
    stranger = verifier_key(public_key=bytes(32 * [7]))
    assert verify_proof(proof, receipt=hit.receipt, verifier_key=stranger) is not None
    with pytest.raises(EduCreditError) as missing:
        system.proof("00000000-0000-0000-0000-000000000000")
    assert missing.value.status == 404


def test_a_receipt_whose_signature_does_not_verify_is_an_error_not_an_answer(
    live_server: Any, loop_teacher: Any, county: Any
) -> None:
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    # A client given another platform's key refuses every answer: it cannot trust the receipt.
    wrong = Client(live_server.url, key, verifier_key=verifier_key(public_key=bytes(32 * [7])))
    with pytest.raises(EduCreditError) as refused:
        wrong.check(scenario="teacher_qualification", reference="r", **TEACHER)
    assert "signature" in refused.value.detail
    # The standard-library Ed25519 (for systems without `cryptography`) checks the same.
    right = Client(live_server.url, key, verifier_key=verifier_key())
    answer = right.check(scenario="teacher_qualification", reference="r", **TEACHER)
    note = answer.receipt["entry_timestamp"]["note"]
    body, _, line = note.partition("\n\n")
    blob = base64.b64decode(line.split(" ")[2])
    public = client_module.VerifierKey.parse(verifier_key()).public_key
    assert client_module._ed25519_verify_pure(public, (body + "\n").encode(), blob[4:])
    assert not client_module._ed25519_verify_pure(public, body.encode(), blob[4:])


def test_reference_reads_scenarios_measures_and_the_feed(system: Client, county: Any) -> None:
    codes = {scenario["code"] for scenario in system.scenarios()}
    assert {"teacher_qualification", "government_procurement"} <= codes
    in_force = system.measures(as_of=DECISION)
    assert in_force["as_of"] == DECISION.isoformat() and in_force["version"] == 1
    assert any(BASIS in m["legal_basis"] for m in in_force["measures"])

    assert system.feed() == {"events": [], "next_cursor": 0, "has_more": False}  # no subscription
    from educredit.accounts.models import ApiClient

    subscriber = ApiClient.objects.get(name="中原区教师资格系统")
    subscriptions.subscription_set(
        actor="system:test", client=subscriber, scenarios=["teacher_qualification"]
    )
    page = system.feed(limit=10)
    (event,) = page["events"]
    assert (event["kind"], event["scenario"], event["ends_on"]) == (
        "created",
        "teacher_qualification",
        REAPPLY.isoformat(),
    )
    # Persons by masked number only.
    assert TEACHER["document_number"] not in json.dumps(page, ensure_ascii=False)
    assert system.feed(after=page["next_cursor"])["events"] == []


def test_errors_raise_with_the_servers_message_never_a_clear(
    system: Client, live_server: Any, monkeypatch: Any
) -> None:
    with pytest.raises(EduCreditError) as wrong_key:
        Client(live_server.url, "ek_00000000_" + "x" * 43).check(
            scenario="teacher_qualification", reference="r", **TEACHER
        )
    assert wrong_key.value.status == 401 and "API key" in wrong_key.value.detail

    with pytest.raises(EduCreditError) as bad:
        system.check(scenario="no_such_scenario", reference="r", **TEACHER)
    assert bad.value.status == 422 and "scenario" in bad.value.errors

    def broken(**kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(screening, "audit_append", broken)
    with pytest.raises(EduCreditError) as unavailable:
        system.check(scenario="teacher_qualification", reference="r", **TEACHER)
    assert (unavailable.value.status, unavailable.value.retry_after) == (503, 30)
    assert "try again later" in unavailable.value.detail
    assert not ScreeningCheck.objects.exists()

    # Nobody answering at all is an error too, not a verdict.
    with pytest.raises(EduCreditError) as down:
        Client("http://127.0.0.1:9", "ek_x", timeout=2).check(
            scenario="teacher_qualification", reference="r", **TEACHER
        )
    assert down.value.status == 0


def test_verify_webhook_matches_the_platforms_signature() -> None:
    secret = "s" * 64
    body = json.dumps({"events": [{"event_id": 1}]}).encode()
    now = int(time.time())
    signature = subscriptions.sign(secret, str(now), body)
    assert verify_webhook(secret, str(now), body, signature)
    assert verify_webhook(secret, now, body, signature)
    assert not verify_webhook(secret, str(now), body + b" ", signature)  # tampered body
    assert not verify_webhook("t" * 64, str(now), body, signature)  # another secret
    old = str(now - 301)
    assert not verify_webhook(secret, old, body, subscriptions.sign(secret, old, body))
    assert verify_webhook(secret, old, body, subscriptions.sign(secret, old, body), tolerance=600)
    assert not verify_webhook(secret, "yesterday", body, signature)
