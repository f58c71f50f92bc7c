"""Request-level refusals in one place (ADR 0039): input no database can store, and a database
that cannot answer.

- **Unstorable characters → 400.** U+0000 (PostgreSQL text cannot hold it) and lone surrogates
  (no UTF-8 encoding exists for them; they arrive only as ``\\udXXX`` escapes in JSON) are
  refused in the path, the query string, form fields (URL-encoded or multipart; never a file's
  content) and JSON bodies, for every page and API route, before any view runs.
  ``RequestRefusalMiddleware`` sits before everything that reads the database, so such a value
  never reaches it (it failed there with a 500 on PostgreSQL).
- **The database cannot answer → 503 with ``Retry-After``.** ``OperationalError`` and
  ``InterfaceError`` (no connection, connection lost, lock or statement time-out, serialisation
  failure, deadlock, SQLite's "database is locked") from a view are answered by the
  middleware's ``process_exception``; raised earlier, by another middleware (the session read
  for ``request.user``, a session save), they reach the site's 500 handler, which answers the
  same 503 (``web.errors.server_error``). Pages get the site's 503 page (the URL conf's
  ``handler503``, rendered without the database), ``/api/`` the API's JSON
  (``detail`` in Chinese and English, ``retry_after``).
- **Fail closed.** Code that must never guess when the database fails in any way (the
  sanctions check: never "clear") runs inside ``fail_closed()``: every database error in it,
  an integrity or data error included, becomes ``DatabaseUnavailable`` and so the same 503.

Other database errors (integrity, data, programming) are bugs and stay 500s.

- **Recovery needs no restart.** A request whose connection failed leaves it closed (Django
  drops a connection an error left unusable when the request ends), and a kept connection the
  server ended while it sat idle is dropped before the next request uses it
  (``core.db_timeouts``): once the database is back, the same server processes answer again.
  ``sanctions/tests/test_check_outage.py`` stops and starts a PostgreSQL cluster under
  ``educredit serve`` while checks run.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db import Error as DatabaseError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver, get_urlconf

logger = logging.getLogger("educredit.refusals")

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30

# U+0000 and the surrogate code points, which no database text column can store.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

UNSTORABLE_DETAIL = (
    "请求含有数据库无法保存的字符（空字符 U+0000 或单独的代理码位） / The request contains a "
    "character that cannot be stored: a NUL (U+0000) or a lone surrogate"
)
UNREACHABLE_DETAIL = (
    "数据库暂时无法访问，请稍后重试 / The database cannot be reached now: try again later"
)
BUSY_DETAIL = (
    "数据库繁忙，本次请求未能在限定时间内完成，请稍后重试 / The database is busy and the "
    "request could not finish in time: try again later"
)

# SQLSTATEs of a database that is there but could not serve this request in time: lock not
# available (lock_timeout), query cancelled (statement_timeout), serialisation failure, deadlock.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01"})


class UnstorableInputError(BadRequest):
    """The request holds a character no database can store (answered 400)."""


class DatabaseUnavailableError(Exception):
    """The database could not answer; raised by ``fail_closed`` for any database error."""


# --- unstorable characters ------------------------------------------------------------------


def contains_unstorable(value: Any) -> bool:
    """Whether a string, or any key or string inside lists and dicts, holds U+0000 or a lone
    surrogate."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(contains_unstorable(key) or contains_unstorable(v) for key, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_unstorable(item) for item in value)
    return False


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _json_body_unstorable(request: HttpRequest) -> bool:
    try:
        body = request.body
    except (SuspiciousOperation, BadRequest):
        return False  # too big, or already read: the view refuses it as it always did
    # JSON can carry U+0000 or a surrogate only as a \\u escape (raw control characters are
    # invalid JSON, and UTF-8 has no surrogates): a body without one needs no parse.
    if b"\\u" not in body and b"\x00" not in body:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return b"\x00" in body  # not JSON: the view answers that, unless it holds a NUL byte
    return contains_unstorable(parsed)


def request_unstorable(request: HttpRequest) -> bool:
    """Whether the path, query string, form fields or JSON body hold an unstorable character."""
    if contains_unstorable(request.path_info):
        return True
    try:
        if contains_unstorable(list(request.GET.lists())):
            return True
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            # Field names and values only: uploaded files are in request.FILES, not here
            # (their names are cleaned by Django's parser).
            return contains_unstorable(list(request.POST.lists()))
    except (SuspiciousOperation, BadRequest):
        return False  # too many fields, a broken body: the view's own refusal applies
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and _is_json(content_type):
        return _json_body_unstorable(request)
    return False


def _handler(status: int) -> Callable[[HttpRequest, BaseException | None], HttpResponse]:
    """The URL conf's ``handler<status>`` (the site's error page in its layout)."""
    return get_resolver(get_urlconf()).resolve_error_handler(status)  # type: ignore[return-value]


def refused_response(request: HttpRequest) -> HttpResponse:
    """400 for a request with unstorable characters: the API's JSON, or the site's 400 page."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": UNSTORABLE_DETAIL}, status=400)
    return _handler(400)(request, UnstorableInputError(UNSTORABLE_DETAIL))


# --- a database that cannot answer ----------------------------------------------------------


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the database could not answer (as opposed to a bug)."""
    return isinstance(exc, OperationalError | InterfaceError | DatabaseUnavailableError)


def database_busy(exc: BaseException | None) -> bool:
    """Whether the database was reached but could not serve in time (a lock or statement
    time-out, a serialisation failure, a deadlock, SQLite's lock)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "sqlstate", None) in BUSY_SQLSTATES:
            return True
        if "database is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextmanager
def fail_closed() -> Iterator[None]:
    """Any database error inside becomes ``DatabaseUnavailableError`` (answered 503): for
    answers that must never be guessed."""
    try:
        yield
    except DatabaseUnavailableError:
        raise
    except DatabaseError as exc:
        raise DatabaseUnavailableError(str(exc)) from exc


def unavailable_response(request: HttpRequest, exc: BaseException | None) -> HttpResponse:
    """503 with ``Retry-After``: the API's JSON, or the site's 503 page (``handler503``)."""
    busy = database_busy(exc)
    logger.warning(
        "%s %s: database %s (%s)",
        request.method,
        request.path,
        "busy" if busy else "unavailable",
        type(exc.__cause__ or exc).__name__ if exc is not None else "-",
    )
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse(
            {
                "detail": BUSY_DETAIL if busy else UNREACHABLE_DETAIL,
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        response = _handler(503)(request, exc)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class RequestRefusalMiddleware:
    """Refuses unstorable characters (400) before anything reads the database, and answers a
    view's database failure with 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_unstorable(request):
            return refused_response(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None
