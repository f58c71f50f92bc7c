"""Authentication of API calls: business systems by key, staff by session.

Each operation declares who may call it, e.g. ``auth=api_auth("accounts:read")``, which accepts
an API client holding that scope (key in ``Authorization: Bearer <key>`` or ``X-Api-Key``) or a
signed-in staff user with an organisation. ``request.auth`` is then the ``ApiClient`` or the
``User``; both carry ``organisation`` and work with ``visible_to(...)``.

A presented key that is wrong, revoked, lacks the scope or is over its rate limit is refused
outright (401 / 403 / 429, the last with ``Retry-After``) rather than falling through to the
session. A call with neither a key nor a staff session is 401 whatever its method. Only a staff
session's writes are CSRF-checked (403 without the token), after it has been recognised: a
browser sends the session cookie by itself, never a key.
"""

from __future__ import annotations

import copy
import hmac
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf
from redis.exceptions import RedisError

from educredit.accounts.access import VersionedMemo, access_version
from educredit.accounts.models import ApiClient
from educredit.accounts.services import API_KEY_PREFIX, api_key_hash
from educredit.core.refusals import DatabaseUnavailableError

# What a cache that cannot answer raises: Redis's errors, or the socket's.
CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)

# Every scope some operation requires; the ``apiclient`` command lists these.
KNOWN_SCOPES: set[str] = set()

NOT_AUTHENTICATED = (
    "需要有效的接口密钥或已登录的工作人员会话 / A valid API key or a signed-in staff session "
    "is required"
)
CSRF_REFUSED = (
    "缺少或无效的 CSRF 令牌：请刷新页面后重试 / Missing or invalid CSRF token: reload the page "
    "and try again"
)


class ApiErrorOut(Schema):
    """Why the API refused a request: ``detail`` in Chinese and English, or, for a request
    that does not fit the operation's schema, the list of its problems; ``retry_after`` (also
    in the ``Retry-After`` header) with 429 and 503: the seconds to wait before trying again."""

    detail: str | list[dict[str, Any]]
    retry_after: int | None = None


class RateLimitedError(HttpError):
    """Over the client's per-minute limit: 429, with the seconds until the next window."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(429, message)
        self.retry_after = retry_after


# Each process's memory of the active clients by key prefix (with their organisation), valid
# for one access version (ADR 0043): a request reads the version's token, nothing else, unless
# a client changed since.
_clients: VersionedMemo[ApiClient] = VersionedMemo()


def _active_client(prefix: str) -> ApiClient | None:
    return (
        ApiClient.objects.select_related("organisation")
        .filter(key_prefix=prefix, is_active=True)
        .first()
    )


def _own_copy(client: ApiClient) -> ApiClient:
    """A request's own instance of a remembered client (and of its organisation), so that
    nothing a request does to it reaches the next request."""
    fresh = copy.copy(client)
    fresh.scopes = list(client.scopes)
    organisation = client._state.fields_cache.get("organisation")
    if organisation is not None:
        fresh._state.fields_cache["organisation"] = copy.copy(organisation)
    return fresh


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is (constant-time comparison), else None.

    Read from this process's memory while the access version is unchanged: revoking a key,
    changing its scopes or limit changes the version in the same transaction, so the first
    request after that commits reads the client again (ADR 0043)."""
    key = key.strip()
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    prefix = parts[1]
    client = _clients.get(access_version(), prefix, lambda: _active_client(prefix))
    if client is None or not hmac.compare_digest(client.key_hash, api_key_hash(key)):
        return None
    return _own_copy(client)


def api_client_remembered(key: str) -> tuple[ApiClient, int] | None:
    """The client this process remembers for ``key`` and the access version it was read
    under, WITHOUT reading anything; None when not remembered or the key does not match.

    For an operation that reads the access version anyway in a statement of its own (the
    check): it must compare that version with this one before it answers, and authenticate
    again with ``api_client_for_key`` when they differ (ADR 0043)."""
    key = key.strip()
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    held = _clients.peek(parts[1])
    if held is None or not hmac.compare_digest(held[1].key_hash, api_key_hash(key)):
        return None
    return _own_copy(held[1]), held[0]


# The rate limit counts requests per client in fixed one-minute windows in Django's cache
# (ADR 0043): Redis in production (EDUCREDIT_CACHE_URL), shared by every process and machine;
# local memory when no cache is configured, where each process counts on its own. A window's
# counter outlives its minute a little, then the cache drops it.
RATE_WINDOW_SECONDS = 60
_RATE_KEY_SECONDS = 2 * RATE_WINDOW_SECONDS
# How stale ``ApiClient.last_used_at`` may get: each process writes it at most once a minute
# per client, so a busy client's requests never queue on its row.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_last_noted: dict[int, float] = {}


def seconds_to_next_window() -> int:
    """Seconds until the next one-minute rate window opens (at least 1)."""
    now = timezone.now()
    return max(1, 60 - now.second - (1 if now.microsecond else 0))


def _window_key(client: ApiClient) -> str:
    # By key prefix, not primary key: a prefix is never reused, an id may be (SQLite, tests).
    window = int(timezone.now().timestamp()) // RATE_WINDOW_SECONDS
    return f"api-rate:{client.key_prefix}:{window}"


def _cache_count(key: str) -> int:
    """Add one to the counter ``key`` and return it: one round trip to Redis, or two
    in-memory operations."""
    store = caches["default"]
    if isinstance(store, RedisCache):
        # Django's ``incr`` asks EXISTS first (two round trips, and a race with the expiry).
        # INCR creates the counter or adds to it; the request that created it gives it its
        # expiry (a window's key names its minute, so a key left without one is never
        # counted again: it only takes a few bytes until Redis is flushed).
        full = store.make_and_validate_key(key)
        redis = store._cache.get_client(full, write=True)  # type: ignore[attr-defined]
        count = int(redis.incr(full))
        if count == 1:
            redis.expire(full, _RATE_KEY_SECONDS)
        return count
    store.add(key, 0, _RATE_KEY_SECONDS)
    try:
        return int(store.incr(key))
    except ValueError:  # expired between the two calls
        store.add(key, 1, _RATE_KEY_SECONDS)
        return 1


def api_rate_allow(client: ApiClient) -> bool:
    """Count one request in the client's current one-minute window; False when over the limit.
    A cache that cannot answer fails closed: ``DatabaseUnavailableError`` (503)."""
    try:
        count = _cache_count(_window_key(client))
    except CACHE_ERRORS as exc:
        raise DatabaseUnavailableError(f"rate-limit cache: {exc}") from exc
    return count <= client.rate_limit_per_minute


def _note_use(client: ApiClient) -> None:
    moment = time.monotonic()
    last = _last_noted.get(client.pk)
    if last is not None and moment - last < LAST_USED_RESOLUTION.total_seconds():
        return
    _last_noted[client.pk] = moment
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())


class ApiKeyAuth(HttpAuthBase):
    """An API client's key, with the scope the operation needs and the client's rate limit."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        KNOWN_SCOPES.add(scope)
        super().__init__()

    @staticmethod
    def key_of(request: HttpRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip() or None
        return request.headers.get("X-Api-Key") or None

    def client_for(self, request: HttpRequest, key: str) -> ApiClient | None:
        """The active client of ``key`` (a subclass may take it from memory, see
        ``api_client_remembered``)."""
        return api_client_for_key(key)

    def __call__(self, request: HttpRequest) -> ApiClient | None:
        key = self.key_of(request)
        if key is None:
            return None  # no key: let the session auth try
        client = admit_key(self.client_for(request, key), self.scope)
        if not api_rate_allow(client):
            raise RateLimitedError(
                f"请求过于频繁，每分钟最多 {client.rate_limit_per_minute} 次 / "
                f"Rate limit exceeded: {client.rate_limit_per_minute} requests per minute",
                retry_after=seconds_to_next_window(),
            )
        _note_use(client)
        return client


def admit_key(client: ApiClient | None, scope: str) -> ApiClient:
    """The client, if there is one and it holds ``scope``; else 401 or 403."""
    if client is None:
        raise HttpError(401, "接口密钥无效或已停用 / Invalid or revoked API key")
    if not client.has_scope(scope):
        raise HttpError(403, f"接口密钥缺少权限范围 {scope} / The API key lacks the scope {scope}")
    return client


class StaffSessionAuth(APIKeyCookie):
    """A signed-in, active staff user who belongs to an organisation (CSRF-checked on writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # Not ninja's check before authentication: that answered a write with no key and no
        # session 403 "CSRF check Failed" instead of 401. The check runs in ``__call__``, once
        # the session is known to be a staff user's.
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        caller = super().__call__(request)
        if (
            caller
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, CSRF_REFUSED)
        return caller

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active and getattr(user, "organisation_id", None):
            return user
        return None


staff_session = StaffSessionAuth()


def api_auth(scope: str) -> list[Any]:
    """Auth for an operation business systems (with ``scope``) and staff may both call."""
    return [ApiKeyAuth(scope), staff_session]
