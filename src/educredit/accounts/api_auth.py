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

import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from educredit.accounts.models import ApiClient, ApiRateWindow
from educredit.accounts.services import API_KEY_PREFIX, api_key_hash

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


def api_client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is (constant-time comparison), else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    client = (
        ApiClient.objects.select_related("organisation")
        .filter(key_prefix=parts[1], is_active=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, api_key_hash(key.strip())):
        return None
    return client


# One statement counts a request: insert the window's row or add one to it, and read the count
# back. PostgreSQL and SQLite (3.35+) both speak this upsert; it holds the row's lock only for
# the statement, so a busy client's requests do not queue behind each other's transactions.
_RATE_UPSERT = (
    "INSERT INTO {table} (client_id, window_start, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (client_id, window_start) DO UPDATE SET count = {table}.count + 1 "
    "RETURNING count"
)
# How stale ``ApiClient.last_used_at`` may get: writing it on every call would make each
# request of a busy client wait for the previous one's lock on the client row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def seconds_to_next_window() -> int:
    """Seconds until the next one-minute rate window opens (at least 1)."""
    now = timezone.now()
    return max(1, 60 - now.second - (1 if now.microsecond else 0))


def api_rate_allow(client: ApiClient) -> bool:
    """Count one request in the client's current one-minute window; False when over the limit."""
    window = timezone.now().replace(second=0, microsecond=0)
    table = connection.ops.quote_name(ApiRateWindow._meta.db_table)
    # As the ORM would store it (SQLite keeps naive UTC text).
    stored = ApiRateWindow._meta.get_field("window_start").get_db_prep_value(window, connection)
    with connection.cursor() as cursor:
        cursor.execute(_RATE_UPSERT.format(table=table), [client.pk, stored])
        (count,) = cursor.fetchone()
    if count == 1:
        # A new window: old ones are no longer needed.
        ApiRateWindow.objects.filter(
            client=client, window_start__lt=window - timedelta(minutes=1)
        ).delete()
    return int(count) <= client.rate_limit_per_minute


def _note_use(client: ApiClient) -> None:
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)


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

    def __call__(self, request: HttpRequest) -> ApiClient | None:
        key = self.key_of(request)
        if key is None:
            return None  # no key: let the session auth try
        client = api_client_for_key(key)
        if client is None:
            raise HttpError(401, "接口密钥无效或已停用 / Invalid or revoked API key")
        if not client.has_scope(self.scope):
            raise HttpError(
                403,
                f"接口密钥缺少权限范围 {self.scope} / The API key lacks the scope {self.scope}",
            )
        if not api_rate_allow(client):
            raise RateLimitedError(
                f"请求过于频繁，每分钟最多 {client.rate_limit_per_minute} 次 / "
                f"Rate limit exceeded: {client.rate_limit_per_minute} requests per minute",
                retry_after=seconds_to_next_window(),
            )
        _note_use(client)
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
