"""Sign-in throttling: failed attempts counted per username and per client address.

Attempts live in ``LoginAttempt`` (the database, not the per-process cache) so every web
process sees the same count. A username is locked when it has had
``EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME`` failures (wrong password or wrong code) in the
window since its last success; an address when it has had
``EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP`` failures in the window. The lock lifts by itself when
the window has passed the oldest counted failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from educredit.accounts.models import LoginAttempt, LoginAttemptOutcome

FAILURE_OUTCOMES = (LoginAttemptOutcome.FAILED, LoginAttemptOutcome.TOTP_FAILED)


def client_ip(request: HttpRequest) -> str | None:
    """The peer address (a proxy in front must set REMOTE_ADDR, e.g. via the WSGI server)."""
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> datetime:
    return timezone.now() - timedelta(seconds=settings.EDUCREDIT_LOGIN_WINDOW_SECONDS)


def login_is_locked(*, username: str, ip_address: str | None) -> bool:
    """Whether sign-in for this username, or from this address, is locked right now."""
    since = _window_start()
    username = username.strip().lower()
    last_success = LoginAttempt.objects.filter(
        username=username, outcome=LoginAttemptOutcome.SUCCEEDED, at__gte=since
    ).aggregate(last=Max("at"))["last"]
    user_failures = LoginAttempt.objects.filter(
        username=username, outcome__in=FAILURE_OUTCOMES, at__gte=last_success or since
    ).count()
    if user_failures >= settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME:
        return True
    if ip_address is None:
        return False
    ip_failures = LoginAttempt.objects.filter(
        ip_address=ip_address, outcome__in=FAILURE_OUTCOMES, at__gte=since
    ).count()
    return ip_failures >= settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP


def login_attempt_record(*, username: str, ip_address: str | None, outcome: str) -> LoginAttempt:
    """Record one attempt (the sign-in event log; successes are also in the audit chain)."""
    return LoginAttempt.objects.create(
        username=username.strip().lower()[:150],
        ip_address=ip_address,
        outcome=outcome,
        at=timezone.now(),
    )
