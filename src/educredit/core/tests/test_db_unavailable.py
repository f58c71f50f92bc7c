"""A database that cannot answer gives 503 with ``Retry-After`` on every page (the site's 503
page, rendered without the database) and every API operation (JSON), never 500 (ADR 0039).

In-process, on both engines, every route of the URL conf is requested GET and POST while every
query fails as a lost connection does (``connection.execute_wrapper``): as a signed-in staff
member (the session's read is the first query), with an API key, and anonymously. A request
that tried the database must answer 503; one that did not need it answers as usual, never 5xx.
On PostgreSQL the production server is started against a port where nothing listens and the
same walk is made over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from educredit.core import refusals
from educredit.testing.factories import make_api_client

RETRY_AFTER = str(refusals.RETRY_AFTER_SECONDS)
UNREACHABLE_PAGE = "平台暂时无法访问数据库"
BUSY_PAGE = "数据库繁忙"

# Values for the regex routes' groups (the others are filled by converter and name).
REGEX_VALUES = {"code": "ABCD-EFGH-JKLM-NPQR", "fmt": "csv"}


def _routes(resolver: URLResolver | None = None, prefix: str = "/") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete(route: str) -> str:
    """The route with every parameter filled (an id that names nothing: the database is asked)."""

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if converter == "int":
            return "1"
        if converter == "uuid" or name.endswith("id"):
            return str(uuid.UUID(int=1))
        return "x"

    while (start := route.find("(?P<")) >= 0:  # a regex group: skip to its closing bracket
        name = route[start + 4 : route.index(">", start)]
        depth, end = 0, start
        while True:
            depth += {"(": 1, ")": -1}.get(route[end], 0)
            if depth == 0:
                break
            end += 1
        route = route[:start] + REGEX_VALUES[name] + route[end + 1 :]
    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, route).replace("\\.", ".")


ALL_URLS = sorted({_concrete(route) for route in _routes()})


def test_every_route_is_walked() -> None:
    assert len(ALL_URLS) > 100
    assert not [url for url in ALL_URLS if re.search(r"[<>()\\?]", url)]
    assert "/api/.*" in ALL_URLS  # the API's catch-all for paths that are no operation
    assert {"/", "/query/", "/api/sanctions/check", "/accounts/users/"} <= set(ALL_URLS)


# --- in-process ----------------------------------------------------------------------------


class _Outage:
    """Every query fails like a connection the server dropped; remembers whether one ran."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error or OperationalError("server closed the connection unexpectedly")
        self.tried = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.tried = True
        raise self.error


@contextmanager
def outage(error: Exception | None = None) -> Iterator[_Outage]:
    failing = _Outage(error)
    with connection.execute_wrapper(failing):
        yield failing


def _assert_unavailable(response: Any, url: str, *, busy: bool = False) -> None:
    assert response.status_code == 503, (url, response.status_code, response.content[:300])
    assert response["Retry-After"] == RETRY_AFTER, url
    assert response["Cache-Control"] == "no-store", url
    if url.startswith("/api/"):
        body = response.json()
        assert body["retry_after"] == refusals.RETRY_AFTER_SECONDS, url
        assert ("busy" if busy else "cannot be reached") in body["detail"], url
    else:
        assert response["Content-Type"].startswith("text/html"), url
        text = response.content.decode()
        assert "503" in text and (BUSY_PAGE if busy else UNREACHABLE_PAGE) in text, url


def _walk(client: Client, **headers: Any) -> list[str]:
    """Request every URL GET and POST under an outage; the URLs that answered 503."""
    unavailable = []
    for url in ALL_URLS:
        for method in (client.get, client.post):
            with outage() as failing:
                response = method(url, **headers)
            if failing.tried:
                _assert_unavailable(response, url)
                unavailable.append(url)
            else:
                assert response.status_code < 500, (url, response.status_code)
    return unavailable


@pytest.mark.django_db
def test_signed_in_every_route_answers_503(county_admin: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(county_admin)
    unavailable = _walk(client)
    # The session is read before any page: every page needs the database.
    assert {url for url in ALL_URLS if not url.startswith("/api/")} <= set(unavailable)


@pytest.mark.django_db
def test_with_an_api_key_every_operation_answers_503(county: Any) -> None:
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    unavailable = _walk(Client(raise_request_exception=False), HTTP_AUTHORIZATION=f"Bearer {key}")
    assert "/api/sanctions/check" in unavailable and "/api/records/" in unavailable


@pytest.mark.django_db
def test_anonymous_pages_that_need_the_database_answer_503() -> None:
    unavailable = _walk(Client(raise_request_exception=False))
    assert {"/", "/disclosure/", "/lists/"} <= set(unavailable)


@pytest.mark.django_db
def test_the_503_page_is_in_the_readers_language(client: Client) -> None:
    client.cookies["django_language"] = "en"
    with outage():
        response = client.get("/query/?q=x")
    assert response.status_code == 503
    text = response.content.decode()
    assert "cannot reach its database" in text and "try again in 30 seconds" in text
    assert UNREACHABLE_PAGE not in text


class _LockNotAvailableError(Exception):
    sqlstate = "55P03"  # as psycopg reports lock_timeout


def _timed_out() -> OperationalError:
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = _LockNotAvailableError("canceling statement due to lock timeout")
    return error


@pytest.mark.django_db
def test_a_lock_time_out_says_the_database_is_busy(client: Client, county: Any) -> None:
    with outage(_timed_out()):
        _assert_unavailable(client.get("/query/?q=x"), "/query/", busy=True)
    _client, key = make_api_client(organisation=county, scopes=["subjects:read"])
    with outage(_timed_out()):
        response = client.get("/api/subjects/institutions", HTTP_AUTHORIZATION=f"Bearer {key}")
    _assert_unavailable(response, "/api/subjects/institutions", busy=True)


@pytest.mark.django_db
def test_a_bug_stays_a_500() -> None:
    client = Client(raise_request_exception=False)
    with outage(IntegrityError("duplicate key value violates unique constraint")):
        response = client.get("/query/?q=x")
    assert response.status_code == 500


@pytest.mark.django_db
def test_the_check_fails_closed_on_any_database_error(county: Any) -> None:
    """Other operations answer a bug with 500; the check never guesses: 503, no verdict."""
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    client = Client(raise_request_exception=False)
    body = {"document_type": "resident_id", "document_number": "x", "scenario": "s"}
    with outage(IntegrityError("duplicate key value violates unique constraint")):
        response = client.post(
            "/api/sanctions/check",
            json.dumps({**body, "reference": "r"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
    assert response.status_code == 503 and "verdict" not in response.json()
    assert response["Retry-After"] == RETRY_AFTER


# --- the production server with no database behind it (PostgreSQL) -------------------------

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the server needs PostgreSQL's driver settings"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, method: str, headers: dict[str, str]) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=b"" if method == "POST" else None, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


NO_DATABASE_NEEDED = {"/api/openapi.json", "/api/docs", "/api/", "/api/.*"}


@pg_only
def test_pg_with_postgresql_unreachable_every_route_answers_503(tmp_path: Any) -> None:
    """``educredit serve`` against a port where nothing listens: every page (with a session
    cookie) and every API operation (with a key) answers 503 with Retry-After, the page in
    HTML and the API in JSON; anonymous pages that need no database answer as usual."""
    urllib.request.install_opener(urllib.request.build_opener(_NoRedirect))
    nowhere = _free_port()
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")  # a pipe nobody reads would fill and block it
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "educredit.cli", "serve", f"127.0.0.1:{port}", "--workers", "1"],
        env={
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{nowhere}/educredit_nowhere",
            "EDUCREDIT_VAR_DIR": str(tmp_path),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(base + "/api/openapi.json", "GET", {})
                break
            except (ConnectionError, urllib.error.URLError):
                output = (tmp_path / "server.log").read_text(errors="replace")[-2000:]
                assert server.poll() is None, output
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        session = {"Cookie": "sessionid=" + "s" * 32}
        key = {"Authorization": "Bearer ek_abcdefgh_" + "k" * 43}
        for url in ALL_URLS:
            for method in ("GET", "POST"):
                status, headers, body = _request(
                    base + url, method, key if url.startswith("/api/") else session
                )
                if url in NO_DATABASE_NEEDED or status == 405:
                    # Documentation, the API's answer for a path that is no operation, and a
                    # method the route does not take: no database involved.
                    assert status < 500, (method, url, status)
                    continue
                assert status == 503, (method, url, status, body[:300])
                assert headers.get("Retry-After") == RETRY_AFTER, url
                if url.startswith("/api/"):
                    assert json.loads(body)["retry_after"] == refusals.RETRY_AFTER_SECONDS
                else:
                    assert headers.get("Content-Type", "").startswith("text/html"), url
                    assert UNREACHABLE_PAGE in body.decode(), url
        status, _headers, body = _request(base + "/", "GET", {})
        assert status == 503 and UNREACHABLE_PAGE in body.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        urllib.request.install_opener(urllib.request.build_opener())
