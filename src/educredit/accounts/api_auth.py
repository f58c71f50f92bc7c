"""Authentication of API calls: business systems by key, staff by session.

Each operation declares who may call it, e.g. ``auth=api_auth("accounts:read")``, which accepts
an API client holding that scope (key in ``Authorization: Bearer <key>`` or ``X-Api-Key``) or a
signed-in staff user with an organisation. ``request.auth`` is then the ``ApiClient`` or the
``User``; both carry ``organisation`` and work with ``visible_to(...)``.

A presented key that is wrong, revoked, lacks the scope or is over its rate limit is refused
outright (401 / 403 / 429) rather than falling through to the session.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpAuthBase

from educredit.accounts.models import ApiClient, ApiRateWindow
from educredit.accounts.services import API_KEY_PREFIX, api_key_hash

# Every scope some operation requires; the ``apiclient`` command lists these.
KNOWN_SCOPES: set[str] = set()


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


def api_rate_allow(client: ApiClient) -> bool:
    """Count one request in the client's current one-minute window; False when over the limit."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    windows = ApiRateWindow.objects.filter(client=client, window_start=window)
    with transaction.atomic():
        if not windows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ApiRateWindow.objects.create(client=client, window_start=window, count=1)
            except IntegrityError:
                # Another process opened the window first: count in it.
                windows.update(count=F("count") + 1)
            else:
                # A new window: old ones are no longer needed.
                ApiRateWindow.objects.filter(
                    client=client, window_start__lt=window - timedelta(minutes=1)
                ).delete()
        count = windows.values_list("count", flat=True).get()
    return count <= client.rate_limit_per_minute


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
            raise HttpError(
                429,
                f"请求过于频繁，每分钟最多 {client.rate_limit_per_minute} 次 / "
                f"Rate limit exceeded: {client.rate_limit_per_minute} requests per minute",
            )
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client


class StaffSessionAuth(APIKeyCookie):
    """A signed-in, active staff user who belongs to an organisation (CSRF-checked on writes)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active and getattr(user, "organisation_id", None):
            return user
        return None


staff_session = StaffSessionAuth()


def api_auth(scope: str) -> list[Any]:
    """Auth for an operation business systems (with ``scope``) and staff may both call."""
    return [ApiKeyAuth(scope), staff_session]
