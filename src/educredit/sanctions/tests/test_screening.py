"""The check (核查): POST /api/sanctions/check and the proof of a check (ADR 0022).

Records go through the records services (as in ``test_restrictions``), so the restrictions a
check reads come from the receivers, as in production.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.urls import get_resolver

from educredit.accounts import services as account_services
from educredit.audit.canonical import canonical_json
from educredit.audit.checkpoint import key_name, open_checkpoint, public_key_bytes
from educredit.audit.merkle import verify_inclusion
from educredit.audit.models import AuditEntry
from educredit.audit.selectors import entry_position
from educredit.audit.sequencer import sequence_pending
from educredit.audit.timestamps import open_entry_timestamp
from educredit.audit.verification import verify_audit_log
from educredit.catalog.choices import Severity
from educredit.core.crypto import blind_index
from educredit.records.choices import CreditListKind
from educredit.sanctions import screening
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.sanctions.tests.test_restrictions import DECISION, REAPPLY, _list, revocation
from educredit.sanctions.versions import screening_data_version
from educredit.subjects import services as subject_services
from educredit.subjects.tests.factories import uscc
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

CHECK = "/api/sanctions/check"
BASIS = "《教师资格条例》第十九条"


@pytest.fixture
def revoked(shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any) -> Any:
    """李老师's teacher qualification revoked on DECISION: no re-application until REAPPLY."""
    return revocation(county_clerk, reviewer, teacher)


@pytest.fixture
def system(other_county: Any) -> dict[str, str]:
    """A business system of ANOTHER county (screening is province-wide), with the check scope."""
    _client, key = make_api_client(
        organisation=other_county, name="教师资格认定系统", scopes=["sanctions:check"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def detailed(other_county: Any) -> dict[str, str]:
    """A business system holding the details scope as well."""
    _client, key = make_api_client(
        organisation=other_county,
        name="教师资格认定系统（详情）",
        scopes=["sanctions:check", "sanctions:check_details"],
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body.setdefault("reference", "RD-2026-0001")
    return client.post(CHECK, body, content_type="application/json", **headers)


def person_check(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body = {"document_type": "resident_id", "document_number": TEACHER_NUMBER, **body}
    body.setdefault("scenario", "teacher_qualification")
    return post(client, headers, **body)


def test_revoked_teacher_is_restricted_with_the_legal_basis_and_end(
    client: Any, revoked: Any, system: dict[str, str]
) -> None:
    response = person_check(client, system, name="李老师", as_of=str(DECISION))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["verdict"], body["subject_found"], body["name_match"]) == (
        "restricted",
        True,
        "current",
    )
    (measure,) = body["measures"]
    assert measure["code"] == "JY-CJ-001" and BASIS in measure["legal_basis"]
    assert (measure["starts_on"], measure["ends_on"]) == (str(DECISION), str(REAPPLY))
    assert measure["basis"] is None and body["details_given"] is False
    assert response["Cache-Control"] == "no-store"

    # Today (between the decision and the re-application date) too, without as_of.
    assert person_check(client, system).json()["verdict"] == "restricted"


def test_other_scenario_and_after_the_ban_are_clear(
    client: Any, revoked: Any, system: dict[str, str]
) -> None:
    other = person_check(client, system, scenario="government_procurement").json()
    assert (other["verdict"], other["measures"], other["subject_found"]) == ("clear", [], True)
    after = person_check(client, system, as_of=str(REAPPLY)).json()
    assert (after["verdict"], after["measures"]) == ("clear", [])
    before = person_check(client, system, as_of=str(REAPPLY - datetime.timedelta(days=1)))
    assert before.json()["verdict"] == "restricted"


def test_a_wrong_name_is_review_without_measures(
    client: Any, revoked: Any, system: dict[str, str]
) -> None:
    body = person_check(client, system, name="王老师").json()
    assert (body["verdict"], body["reason"], body["name_match"]) == (
        "review",
        "name_mismatch",
        "mismatch",
    )
    assert body["measures"] == []
    # A clear subject with a wrong name is not a silent clear either.
    other = person_check(client, system, name="王老师", scenario="government_procurement")
    assert other.json()["verdict"] == "review"
    # Spaces and width do not make a mismatch.
    assert person_check(client, system, name=" 李 老师 ").json()["name_match"] == "current"


def test_institution_by_uscc_current_and_former_names(
    client: Any,
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    school: Any,
    system: dict[str, str],
) -> None:
    listed = datetime.date(2026, 4, 1)
    _list(county_clerk, reviewer, school, CreditListKind.SERIOUS, Severity.SERIOUS, listed)
    subject_services.institution_rename(
        actor="system:test",
        institution=school,
        new_name="中原区实验中学",
        effective_on=datetime.date(2026, 5, 1),
        reason="更名",
    )
    code = school.uscc
    body = post(
        client,
        system,
        uscc=code.lower(),
        name="中原区实验学校",
        scenario="government_procurement",
        as_of=str(listed),
    ).json()
    assert (body["verdict"], body["name_match"]) == ("restricted", "former")
    assert {m["code"] for m in body["measures"]} and all(
        "第三十四条" in m["legal_basis"] for m in body["measures"]
    )
    now = post(client, system, uscc=code, name="中原区实验中学", scenario="routine_supervision")
    assert now.json()["name_match"] == "current"
    unknown = post(client, system, uscc=uscc(9999, "410102"), scenario="government_procurement")
    found = unknown.json()
    assert (found["verdict"], found["subject_found"], found["measures"]) == ("clear", False, [])


def test_details_only_with_the_scope_and_in_a_scenario_that_needs_them(
    client: Any, revoked: Any, system: dict[str, str], detailed: dict[str, str]
) -> None:
    plain = person_check(client, system).json()
    assert plain["measures"][0]["basis"] is None and not plain["details_given"]

    full = person_check(client, detailed).json()
    basis = full["measures"][0]["basis"]
    assert full["details_given"] is True
    assert basis["kind"] == "record" and basis["public_id"] == str(revoked.public_id)
    assert basis["decision_number"] == revoked.decision_number
    assert basis["issuing_body"] == revoked.issuing_body
    assert basis["catalog_item"] == "JY-ZG-01"

    assert "teacher_qualification" in screening.DETAIL_SCENARIOS
    assert "awards_honours" not in screening.DETAIL_SCENARIOS


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"document_type": "resident_id", "document_number": "410102198001010710"}, "document"),
        ({"uscc": "91410100MA12345678"}, "uscc"),
        ({"document_type": "visa", "document_number": "X1"}, "document_type"),
        ({"uscc": "x", "document_type": "resident_id", "document_number": "1"}, "identifier"),
        ({}, "identifier"),
        ({"uscc": "VALID", "scenario": "no_such_scenario"}, "scenario"),
        ({"uscc": "VALID", "reference": "   "}, "reference"),
    ],
)
def test_bad_input_is_422_and_logs_nothing(
    client: Any, shipped: Any, school: Any, system: dict[str, str], body: Any, field: str
) -> None:
    if body.get("uscc") == "VALID":
        body = {**body, "uscc": school.uscc}
    body.setdefault("scenario", "teacher_qualification")
    response = post(client, system, **body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(name.startswith(field) for name in errors), errors
    assert " / " in response.json()["detail"]  # Chinese and English
    assert not ScreeningCheck.objects.exists()


def test_schema_errors_and_unparseable_bodies(
    client: Any, shipped: Any, system: dict[str, str]
) -> None:
    missing = client.post(
        CHECK, {"uscc": "x"}, content_type="application/json", **system
    )  # no scenario, no reference
    assert missing.status_code == 422
    broken = client.post(CHECK, "{not json", content_type="application/json", **system)
    assert broken.status_code == 400


def test_keys_and_scopes(client: Any, revoked: Any, county: Any) -> None:
    assert person_check(client, {}).status_code == 401
    assert person_check(client, {"HTTP_AUTHORIZATION": "Bearer ek_00000000_x"}).status_code == 401
    _reader, key = make_api_client(organisation=county, name="只读", scopes=["sanctions:read"])
    assert person_check(client, {"HTTP_AUTHORIZATION": f"Bearer {key}"}).status_code == 403
    assert not ScreeningCheck.objects.exists()


def test_a_remembered_key_revoked_is_refused_at_once_and_logs_nothing(
    client: Any, revoked: Any, other_county: Any
) -> None:
    caller, key = make_api_client(organisation=other_county, scopes=["sanctions:check"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert person_check(client, headers).status_code == 200
    assert person_check(client, headers).status_code == 200  # from this process's memory
    account_services.api_client_revoke(actor="system:test", client=caller)
    response = person_check(client, headers)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert ScreeningCheck.objects.count() == 2
    # A change elsewhere (another client created) moves the version too: the remembered key
    # is then read again, and still answers.
    _other, other_key = make_api_client(organisation=other_county, scopes=["sanctions:check"])
    other_headers = {"HTTP_AUTHORIZATION": f"Bearer {other_key}"}
    assert person_check(client, other_headers).status_code == 200
    make_api_client(organisation=other_county, name="第三个", scopes=["sanctions:read"])
    assert person_check(client, other_headers).status_code == 200
    assert ScreeningCheck.objects.count() == 4


def test_staff_may_check_and_never_get_details(client: Any, revoked: Any, outsider: Any) -> None:
    client.force_login(outsider)  # another county: screening is province-wide
    body = person_check(client, {}).json()
    assert body["verdict"] == "restricted" and body["measures"][0]["basis"] is None
    check = ScreeningCheck.objects.get()
    assert (check.user, check.client, check.organisation) == (
        outsider,
        None,
        outsider.organisation,
    )


def test_every_check_is_logged_with_one_audit_entry_and_the_receipt_matches(
    client: Any, revoked: Any, teacher: Any, system: dict[str, str]
) -> None:
    before = AuditEntry.objects.count()
    body = person_check(client, system, name="李老师", reference="  RD  7  ").json()
    assert AuditEntry.objects.count() == before + 1
    check = ScreeningCheck.objects.get(public_id=body["check_id"])
    receipt = body["receipt"]
    assert "audit_seq" not in receipt
    entry = AuditEntry.objects.get(pk=receipt["entry_id"])
    assert (entry.action, entry.target_id) == ("sanctions.check", str(check.pk))
    assert entry.actor_label.startswith("api:") and entry.after_digest == receipt["digest"]
    # The data version is the screening data's (ADR 0042), as the answer's statement saw it.
    assert receipt["data_version"] == check.data_version == screening_data_version() > 0
    # The signed entry timestamp: the log's signed promise to integrate this very entry.
    promise = open_entry_timestamp(
        receipt["entry_timestamp"]["note"], key_name(), public_key_bytes()
    )
    assert promise is not None and promise.leaf_hash.hex() == entry.leaf_hash
    assert receipt["entry_timestamp"]["leaf_hash"] == entry.leaf_hash
    assert entry.merge_deadline is not None and promise.merge_deadline == entry.merge_deadline
    assert entry.merge_deadline > entry.created_at
    tampered = receipt["entry_timestamp"]["note"].replace(promise.origin, "x", 1)
    assert open_entry_timestamp(tampered, key_name(), public_key_bytes()) is None
    # The query log: who, about whom, for what, when — never the number.
    assert (check.person, check.institution, check.scenario, check.reference) == (
        teacher,
        None,
        "teacher_qualification",
        "RD 7",
    )
    assert (check.identifier_kind, check.name_match, check.verdict) == (
        "resident_id",
        "current",
        "restricted",
    )
    assert check.measures == [
        {
            "code": "JY-CJ-001",
            "version": 1,
            "verdict": "restricted",
            "starts_on": str(DECISION),
            "ends_on": str(REAPPLY),
        }
    ]
    stored = str(ScreeningCheck.objects.filter(pk=check.pk).values().get())
    assert TEACHER_NUMBER not in stored and blind_index(TEACHER_NUMBER) not in stored
    sequence_pending()
    assert entry_position(entry.pk) is not None
    assert verify_audit_log().ok


def test_the_proof_of_a_check_verifies_against_the_signed_tree_head(
    client: Any,
    revoked: Any,
    system: dict[str, str],
    detailed: dict[str, str],
    outsider: Any,
    county_clerk: Any,
) -> None:
    body = person_check(client, system).json()
    proof_url = f"/api/sanctions/checks/{body['check_id']}/proof"
    not_yet = client.get(proof_url, **system)
    assert not_yet.status_code == 409 and "merge_deadline" in not_yet.json()["detail"]

    sequence_pending()
    response = client.get(proof_url, **system)
    assert response.status_code == 200, response.content
    proof = response.json()
    leaf = hashlib.sha256(b"\x00" + proof["entry"].encode()).digest()
    assert leaf.hex() == proof["leaf_hash"]
    path = [bytes.fromhex(node) for node in proof["audit_path"]]
    checkpoint = open_checkpoint(proof["checkpoint"], key_name(), public_key_bytes())
    assert checkpoint is not None and checkpoint.size == proof["tree_size"]
    assert verify_inclusion(leaf, proof["leaf_index"], proof["tree_size"], path, checkpoint.root)
    assert base64.b64decode(proof["checkpoint"].split("\n")[2]) == checkpoint.root
    # The entry is this check's, with this answer: the record hashes to the entry's digest.
    entry = json.loads(proof["entry"])
    assert entry["action"] == "sanctions.check"
    # The proof's leaf is the one the receipt's signed timestamp promised.
    assert proof["leaf_hash"] == body["receipt"]["entry_timestamp"]["leaf_hash"]
    record_digest = hashlib.sha256(canonical_json(proof["record"])).hexdigest()
    assert record_digest == entry["after"] == body["receipt"]["digest"]
    assert proof["record"]["verdict"] == "restricted"
    assert proof["record"]["public_id"] == body["check_id"]

    # Another client, even of the same organisation: 404; staff see the checks of their
    # jurisdiction's clients (the system's own organisation), no one else's.
    assert client.get(proof_url, **detailed).status_code == 404
    client.force_login(county_clerk)
    assert client.get(proof_url).status_code == 404
    client.force_login(outsider)  # a clerk of the system's organisation
    assert client.get(proof_url).status_code == 200
    assert client.get("/api/sanctions/checks/not-a-uuid/proof", **system).status_code == 404


def test_identifiers_never_travel_in_urls(
    client: Any, revoked: Any, system: dict[str, str]
) -> None:
    schema = client.get("/api/openapi.json").json()
    identifying = {"uscc", "document_number", "document_type", "name", "id_number"}
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/sanctions/"):
            continue
        for operation in methods.values():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not names & identifying, (path, names)
    page_routes = [str(p.pattern) for p in get_resolver().url_patterns if "sanctions" in str(p)]
    assert page_routes and not any("<" in route for route in page_routes)
    response = client.get(
        CHECK,
        {"document_type": "resident_id", "document_number": TEACHER_NUMBER, "scenario": "x"},
        **system,
    )
    assert response.status_code == 405
    assert not ScreeningCheck.objects.exists()


def test_the_schema_lists_every_error(client: Any, shipped: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    check = paths["/api/sanctions/check"]["post"]
    assert {"200", "400", "401", "403", "422", "429", "503"} <= set(check["responses"])
    proof = paths["/api/sanctions/checks/{check_id}/proof"]["get"]
    assert {"200", "401", "403", "404", "409", "503"} <= set(proof["responses"])
    # Every operation names how a key is refused, and one taking input how that is refused.
    for path, methods in paths.items():
        if not path.startswith("/api/sanctions/"):
            continue
        for method, operation in methods.items():
            responses = set(operation["responses"])
            assert {"401", "403", "429"} <= responses, (method, path, responses)
            query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if query or operation.get("requestBody"):  # a bad value is refused with 422
                assert "422" in responses, (method, path, responses)


def test_a_check_costs_a_fixed_number_of_queries(
    revoked: Any,
    teacher: Any,
    school: Any,
    other_county: Any,
    county_clerk: Any,
    reviewer: Any,
    django_assert_num_queries: Any,
) -> None:
    caller, _key = make_api_client(organisation=other_county, scopes=["sanctions:check"])
    # More restrictions do not cost more queries.
    revocation(county_clerk, reviewer, teacher, decision=datetime.date(2026, 5, 6))
    person = screening.identifier_from(
        document_type="resident_id", document_number=TEACHER_NUMBER, name="李老师"
    )
    # The answer is ONE statement (scenario, subject, restrictions and the data version); the
    # log is the check row, the entry and its queue row — plus, inside the test's transaction,
    # the savepoint of the log's own transaction and its release.
    with django_assert_num_queries(6):
        answer = screening.screen(
            caller=caller, identifier=person, scenario="teacher_qualification", reference="r"
        )
    assert len(answer.measures) == 2
    institution = screening.identifier_from(uscc=school.uscc, name="旧名")
    with django_assert_num_queries(6):  # the former names are in the same statement
        answer = screening.screen(
            caller=caller, identifier=institution, scenario="routine_supervision", reference="r"
        )
    assert answer.verdict == "review"
    # Details (the record behind each measure) come from the same statement too.
    detailed, _key = make_api_client(
        organisation=other_county, scopes=["sanctions:check", "sanctions:check_details"]
    )
    with django_assert_num_queries(6):
        answer = screening.screen(
            caller=detailed, identifier=person, scenario="teacher_qualification", reference="r"
        )
    assert answer.details_given and all(m.basis is not None for m in answer.measures)


# --- fail closed ---------------------------------------------------------------------------


def test_a_log_that_cannot_be_written_gives_503_not_an_answer(
    client: Any, revoked: Any, system: dict[str, str], monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(screening, "audit_append", broken)
    response = person_check(client, system)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["retry_after"] == 30 and "verdict" not in response.json()
    assert not ScreeningCheck.objects.exists()


def test_a_database_that_fails_during_authentication_gives_503(
    client: Any, revoked: Any, system: dict[str, str], monkeypatch: Any
) -> None:
    from educredit.accounts import api_auth

    def broken(key: str) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(api_auth, "api_client_for_key", broken)
    response = person_check(client, system)
    assert (response.status_code, response["Retry-After"]) == (503, "30")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
def test_the_connection_killed_mid_check_gives_503_never_clear(
    client: Any, revoked: Any, system: dict[str, str], monkeypatch: Any
) -> None:
    """A second connection terminates this one's backend just before the answer's statement:
    the caller gets 503 with a retry hint, never "clear"."""
    original = screening._answer_rows
    killed: list[bool] = []

    def kill_then_answer(*args: Any) -> Any:
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.append(cursor.fetchone()[0])
        finally:
            other.close()
        return original(*args)

    monkeypatch.setattr(screening, "_answer_rows", kill_then_answer)
    try:
        response = person_check(client, system)
        assert response.status_code == 503, response.content
        assert response["Retry-After"] == "30"
        assert "clear" not in response.content.decode()
        assert killed == [True]
    finally:
        # The test's own transaction died with the backend; let teardown find a fresh one.
        connection.close()
