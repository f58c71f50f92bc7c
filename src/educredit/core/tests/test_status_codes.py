"""The API's status codes as the integration guide and the OpenAPI document give them.

Without a valid key every operation answers 401, writes included (a browser-style CSRF check
comes only once a staff session is recognised, and then refuses a write without the token,
403); a key is never asked for a CSRF token. Every operation declares the refusals around its
handler in the shared error shape, and a path under /api/ that is no operation, or names a
malformed id, answers 404 in JSON, never the site's HTML page (a method the operation does
not take: 405 in JSON).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from educredit.accounts.api_auth import KNOWN_SCOPES
from educredit.api import ERROR_SCHEMA, api
from educredit.testing.api_fuzz import send_checked
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]
WRITES = [(method, path) for method, path, _op in OPERATIONS if method == "POST"]
EVERYWHERE = {"400", "401", "403", "429", "503"}


def _concrete(path: str) -> str:
    """The path with a well-formed id that names nothing in place of each parameter."""
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + "00000000-0000-0000-0000-000000000000" + path[end + 1 :]
    return path


def _json(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body: dict[str, Any] = json.loads(response.content)
    return body


def _declared(method: str, path: str) -> set[str]:
    """The statuses the served document declares for the operation."""
    document = json.loads(Client().get("/api/openapi.json").content)
    return set(document["paths"][path][method.lower()]["responses"])


def _bilingual(detail: str) -> bool:
    return " / " in detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail)


@pytest.fixture
def browser() -> Client:
    """A client that, as a browser does, has the CSRF check applied to it."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def all_scopes_key(county: Any) -> str:
    _client, key = make_api_client(organisation=county, scopes=sorted(KNOWN_SCOPES))
    return key


def test_the_walk_has_writes_to_try() -> None:
    assert ("POST", "/api/sanctions/check") in WRITES
    assert ("POST", "/api/records/") in WRITES


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_a_write_without_a_key_is_401_not_a_csrf_refusal(
    browser: Client, method: str, path: str
) -> None:
    response = browser.post(_concrete(path), {}, content_type="application/json")
    assert response.status_code == 401
    assert _bilingual(_json(response)["detail"])
    # A session cookie of nobody signed in is no staff session either.
    browser.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    again = browser.post(_concrete(path), {}, content_type="application/json")
    assert again.status_code == 401


@pytest.mark.parametrize("key", ["ek_00000000_not-a-real-key", "garbage"])
def test_a_write_with_a_wrong_key_is_401(browser: Client, key: str) -> None:
    response = browser.post(
        "/api/sanctions/check", {}, content_type="application/json", HTTP_AUTHORIZATION=key
    )
    assert response.status_code == 401


def test_a_key_needs_no_csrf_token(browser: Client, all_scopes_key: str) -> None:
    response = browser.post(
        "/api/sanctions/check",
        {"uscc": "", "scenario": "teacher_qualification", "reference": "T-1"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {all_scopes_key}",
    )
    assert response.status_code == 422  # reached the check, which refuses the empty identifier


def test_a_staff_session_write_needs_the_csrf_token(browser: Client, county_clerk: Any) -> None:
    browser.force_login(county_clerk)
    refused = browser.post("/api/records/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in _json(refused)["detail"]
    # Reads need no token.
    assert browser.get("/api/accounts/me").status_code == 200
    # With the token the write reaches the operation (which refuses the empty body).
    token = "f" * 32
    browser.cookies[settings.CSRF_COOKIE_NAME] = token
    accepted = browser.post(
        "/api/records/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 422


def test_the_rate_limit_says_when_to_retry(county: Any) -> None:
    _client, key = make_api_client(
        organisation=county, scopes=["accounts:read"], rate_limit_per_minute=1
    )
    client = Client()
    bearer = f"Bearer {key}"
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=bearer).status_code == 200
    limited = client.get("/api/accounts/me", HTTP_AUTHORIZATION=bearer)
    assert limited.status_code == 429
    body = _json(limited)
    wait = int(limited["Retry-After"])
    assert 0 < wait <= 60
    assert body["retry_after"] == wait
    assert _bilingual(body["detail"])


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{method} {path}" for method, path, _op in OPERATIONS],
)
def test_every_operation_declares_its_refusals(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    document = json.loads(Client().get("/api/openapi.json").content)
    responses = document["paths"][path][method.lower()]["responses"]
    expected = set(EVERYWHERE)
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        expected.add("404")
    if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
        expected.add("422")
    assert expected <= set(responses), sorted(expected - set(responses))
    for status in expected:
        assert "application/json" in responses[status]["content"], (status, responses[status])
    for status in ("429", "503"):
        assert "Retry-After" in responses[status]["headers"]


def test_the_shared_error_schema_is_in_the_document() -> None:
    document = json.loads(Client().get("/api/openapi.json").content)
    schema = document["components"]["schemas"][ERROR_SCHEMA]
    assert schema["required"] == ["detail"]
    me = document["paths"]["/api/accounts/me"]["get"]["responses"]
    assert me["401"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{ERROR_SCHEMA}"
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/nothing-here",
        "/api/records",  # no trailing slash: not redirected to a page
        "/api/sanctions/bulk-checks/not-a-uuid",
        "/api/sanctions/bulk-checks/not-a-uuid/result",
        "/api/accounts/organisations/1/2",
    ],
)
def test_a_path_that_is_no_operation_answers_json_404(browser: Client, path: str) -> None:
    for response in (browser.get(path), browser.post(path, {})):
        assert response.status_code == 404
        body = _json(response)
        assert _bilingual(body["detail"])
        assert "<html" not in response.content.decode()


def test_a_method_an_operation_does_not_take_is_405_in_json(
    browser: Client, all_scopes_key: str
) -> None:
    response = browser.get("/api/sanctions/check", HTTP_AUTHORIZATION=f"Bearer {all_scopes_key}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert _bilingual(_json(response)["detail"])


@pytest.mark.parametrize(
    ("operation", "url"),
    [
        ("/api/sanctions/checks/{check_id}/proof", "/api/sanctions/checks/not-a-uuid/proof"),
        ("/api/records/{credit_record_id}", "/api/records/not-a-uuid"),
        ("/api/subjects/institutions/{institution_id}", "/api/subjects/institutions/x"),
        ("/api/accounts/organisations/{org_id}", "/api/accounts/organisations/x"),
    ],
)
def test_a_malformed_id_is_a_declared_json_404(
    all_scopes_key: str, operation: str, url: str
) -> None:
    # A declared status, with the body in the shape declared for it.
    response = send_checked("GET", operation, url, key=all_scopes_key)
    assert response.status_code == 404
    assert "404" in _declared("GET", operation)
    assert response.headers["Content-Type"].startswith("application/json")
    assert _bilingual(response.json["detail"])


def test_an_unknown_organisation_in_a_query_is_a_declared_404(all_scopes_key: str) -> None:
    url = "/api/disclosure/quality?organisation=00000000-0000-0000-0000-000000000000"
    response = send_checked("GET", "/api/disclosure/quality", url, key=all_scopes_key)
    assert response.status_code == 404
    assert "404" in _declared("GET", "/api/disclosure/quality")
    assert _bilingual(response.json["detail"])
