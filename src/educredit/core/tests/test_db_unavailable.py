"""A database that cannot answer gives 503 with ``Retry-After`` on every page (the site's 503
page, rendered without the database) and every API operation (JSON), never 500 (ADR 0039).

In-process, on both engines, every route of the URL conf is requested GET and POST while every
query fails as a lost connection does (``connection.execute_wrapper``): as a signed-in staff
member (the session's read is the first query), with an API key, and anonymously. A request
that tried the database must answer 503; one that did not need it answers as usual, never 5xx.
On PostgreSQL the production server is started against a port where nothing listens and the
same walk is made over HTTP. A kept connection the server ended while it sat idle is replaced
before the next request uses it (``core.db_timeouts``), so a database restart costs no request
a 503; ``sanctions/tests/test_check_outage.py`` stops and starts a whole cluster under load.
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
from django.db import IntegrityError, OperationalError, connection, connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tasks import task

from educredit.core import db_timeouts, refusals
from educredit.testing.factories import make_api_client
from educredit.testing.workers import wait_until

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


# --- sessions of their own (PostgreSQL) ---------------------------------------------------

pg_sessions = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL sessions: row and table locks, backends ended by the server, names",
)


def _check(checker: tuple[str, str], reference: str) -> Any:
    key, uscc = checker
    return Client(raise_request_exception=False).post(
        "/api/sanctions/check",
        json.dumps({"uscc": uscc, "scenario": "teacher_qualification", "reference": reference}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


@pytest.fixture
def checker(settings: Any) -> tuple[str, str]:
    """A business system's key and a school to check (committed: other sessions see them)."""
    from educredit.sanctions.tests import factories
    from educredit.subjects.tests.factories import make_institution
    from educredit.testing.factories import make_province

    settings.EDUCREDIT_DB_LOCK_TIMEOUT_MS = 200
    factories.shipped_measure_list()
    province = make_province()
    school = make_institution(supervisor=province, name="郑州市第一中学", serial=7302)
    _client, key = make_api_client(organisation=province, scopes=["sanctions:check"])
    return key, str(school.uscc)


@pg_sessions
@pytest.mark.django_db(transaction=True)
def test_pg_a_check_answers_while_the_sequencer_holds_the_chain_head(
    checker: tuple[str, str],
) -> None:
    """The sequencer holds the chain head while it integrates a batch (ADR 0044): a check
    queues its entry and answers at once — with the request's lock time-out at 200 ms, a check
    that waited for the head would answer 503 — and the sequencer integrates it afterwards."""
    from educredit.audit.selectors import entry_for, entry_position
    from educredit.audit.sequencer import sequence_pending
    from educredit.sanctions.models import ScreeningCheck
    from educredit.testing.workers import chain_head_held

    with chain_head_held():
        response = _check(checker, "H-1")
        assert response.status_code == 200, response.content
        assert response.json()["verdict"] == "clear"
    check = ScreeningCheck.objects.get(public_id=response.json()["check_id"])
    entry = entry_for(check)
    assert entry is not None and entry_position(entry.pk) is None  # queued, not yet placed
    sequence_pending()
    assert entry_position(entry.pk) is not None


@pg_sessions
@pytest.mark.django_db(transaction=True)
def test_pg_a_check_behind_a_lock_answers_503_within_the_lock_time_out(
    checker: tuple[str, str],
) -> None:
    """A session holds a lock the check's log needs (a migration or index build on the query
    log's table): the check gives up after the request's lock time-out with 503 — no verdict,
    nothing logged — instead of waiting for as long as the lock is held."""
    from educredit.sanctions.models import ScreeningCheck

    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ScreeningCheck._meta.db_table} IN SHARE MODE")
        # Answered while the lock is still held (by this very thread: without the time-out
        # the request would wait for ever).
        response = _check(checker, "L-1")
    finally:
        holder.rollback()
        holder.close()
    _assert_unavailable(response, "/api/sanctions/check", busy=True)
    assert not ScreeningCheck.objects.exists()
    response = _check(checker, "L-2")  # once the lock is free the same check answers
    assert response.status_code == 200 and response.json()["verdict"] == "clear"


# --- a kept connection the server ended (PostgreSQL) ---------------------------------------


def _backend_pid() -> int:
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


def _terminate(pid: int) -> None:
    """End a backend from another session, as a database restart or fail-over does."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pg_sessions
@pytest.mark.django_db(transaction=True)
def test_pg_a_kept_connection_the_server_ended_is_replaced_before_the_next_request() -> None:
    """Persistent connections (``educredit serve``): the server ends an idle one; the next
    request is answered from a fresh connection instead of 503 on the dead one."""
    client = Client(raise_request_exception=False)
    assert client.get("/disclosure/").status_code == 200
    kept = _backend_pid()
    assert client.get("/disclosure/").status_code == 200
    assert _backend_pid() == kept  # a live connection is kept
    _terminate(kept)
    wait_until(
        lambda: db_timeouts.connection_dead(connection), timeout=10, what="the notice to arrive"
    )
    response = client.get("/disclosure/")
    assert response.status_code == 200, response.content[:300]
    assert _backend_pid() != kept


@pg_sessions
@pytest.mark.django_db(transaction=True)
def test_pg_a_request_answers_503_while_the_database_is_still_away() -> None:
    """The dead connection is dropped, and a new one cannot be made: 503, no 500."""
    kept = _backend_pid()
    _terminate(kept)
    wait_until(
        lambda: db_timeouts.connection_dead(connection), timeout=10, what="the notice to arrive"
    )
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(_free_port())  # the database is not back yet
    try:
        response = Client(raise_request_exception=False).get("/disclosure/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    _assert_unavailable(response, "/disclosure/")


# --- connections named by role ---------------------------------------------------------------


def _application_name() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('application_name')")
        return str(cursor.fetchone()[0])


@task()
def report_name_task() -> str:
    """What a task's connection is called."""
    return _application_name()


@pg_sessions
@pytest.mark.django_db
def test_pg_connections_are_named_by_the_role_of_their_work(settings: Any) -> None:
    """What ``pg_stat_activity`` shows an operator: a request's session from a task's."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    outside = _application_name()
    with db_timeouts.work(db_timeouts.WEB):
        assert _application_name() == "educredit web"
        assert report_name_task.enqueue().return_value == "educredit worker"
        assert _application_name() == "educredit web"
    with db_timeouts.work(db_timeouts.SEQUENCER):
        assert _application_name() == "educredit sequencer"
    assert _application_name() == outside == db_timeouts.application_name(None)


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["/srv/venv/bin/educredit", "db_worker", "--interval", "1"], "educredit worker"),
        (["/srv/src/educredit/cli.py", "audit", "sequence", "--loop"], "educredit sequencer"),
        (["/srv/venv/bin/educredit", "audit", "verify"], "educredit audit"),
        (["manage.py", "migrate"], "educredit migrate"),
        (["/usr/bin/granian"], "educredit granian"),
        (["/srv/venv/bin/educredit", "导入" * 40], "educredit " + "?" * 53),
    ],
)
def test_a_command_names_its_connections(monkeypatch: Any, argv: list[str], name: str) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    assert db_timeouts.application_name(None) == name
