"""Sign-in throttling: failed attempts counted per username and per client address.

Attempts live in ``LoginAttempt`` (the database, not the per-process cache) so every web
process sees the same count. A username is locked when it has had
``EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME`` failures (wrong password or wrong code) in the
window since its last success; an address when it has had
``EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP`` failures in the window. The lock lifts by itself when
the window has passed the oldest counted failure; ``login_lock_seconds`` says when, and a
locked sign-in answers 429 with that wait (the sign-in page's message and ``Retry-After``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from educredit.accounts.models import LoginAttempt, LoginAttemptOutcome

FAILURE_OUTCOMES = (LoginAttemptOutcome.FAILED, LoginAttemptOutcome.TOTP_FAILED)


def client_ip(request: HttpRequest) -> str | None:
    """The peer address (a proxy in front must set REMOTE_ADDR, e.g. via the WSGI server)."""
    return request.META.get("REMOTE_ADDR") or None


def _window() -> timedelta:
    return timedelta(seconds=settings.EDUCREDIT_LOGIN_WINDOW_SECONDS)


def _lock_ends(failures: QuerySet[LoginAttempt], limit: int) -> datetime | None:
    """When this lock lifts, or None if there is none: locked while ``limit`` failures are in
    the window, i.e. until the ``limit``-th latest of them leaves it."""
    nth_latest = list(failures.order_by("-at").values_list("at", flat=True)[limit - 1 : limit])
    return nth_latest[0] + _window() if nth_latest else None


def login_lock_seconds(*, username: str, ip_address: str | None) -> int:
    """Seconds until sign-in for this username, and from this address, is open again (0 when
    it is not locked); the answer to wait for, as the page and ``Retry-After`` give it."""
    now = timezone.now()
    since = now - _window()
    username = username.strip().lower()
    last_success = LoginAttempt.objects.filter(
        username=username, outcome=LoginAttemptOutcome.SUCCEEDED, at__gte=since
    ).aggregate(last=Max("at"))["last"]
    ends = [
        _lock_ends(
            LoginAttempt.objects.filter(
                username=username, outcome__in=FAILURE_OUTCOMES, at__gte=last_success or since
            ),
            max(1, settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_USERNAME),
        )
    ]
    if ip_address is not None:
        ends.append(
            _lock_ends(
                LoginAttempt.objects.filter(
                    ip_address=ip_address, outcome__in=FAILURE_OUTCOMES, at__gte=since
                ),
                max(1, settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP),
            )
        )
    latest = max((end for end in ends if end is not None), default=None)
    if latest is None or latest <= now:
        return 0
    return max(1, math.ceil((latest - now).total_seconds()))


def login_is_locked(*, username: str, ip_address: str | None) -> bool:
    """Whether sign-in for this username, or from this address, is locked right now."""
    return login_lock_seconds(username=username, ip_address=ip_address) > 0


def login_attempt_record(*, username: str, ip_address: str | None, outcome: str) -> LoginAttempt:
    """Record one attempt (the sign-in event log; successes are also in the audit chain)."""
    return LoginAttempt.objects.create(
        username=username.strip().lower()[:150],
        ip_address=ip_address,
        outcome=outcome,
        at=timezone.now(),
    )
