"""Subscriptions to initiations (发起) and their webhook delivery (ADR 0023).

A business system subscribes (``subscription_set``, from ``educredit sanctions subscribe``)
to some scenarios; it reads the events from ``GET /api/sanctions/feed`` or, with a webhook
URL, receives them pushed: ``webhook_deliver_due`` claims due subscriptions (``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL, a lease in ``next_attempt_at``), POSTs the next batch of
events after the subscription's cursor, signed, and advances the cursor on a 2xx answer, or
backs off exponentially. The same short-transactions shape as the exchange outbox (ADR 0016):
nothing is held open across the network.

Signature: ``X-EduCredit-Signature: sha256=<hex>``, the HMAC-SHA256 under the subscription's
secret of ``<X-EduCredit-Timestamp>.<body>`` (the timestamp, a dot, the raw body bytes), so a
captured request cannot be replayed later with a new timestamp. The receiver recomputes it,
compares in constant time and refuses timestamps older than a few minutes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from educredit.accounts.models import ApiClient
from educredit.audit.services import audit_append
from educredit.core.crypto import decrypt_text, encrypt_text
from educredit.sanctions.initiations import event_payload, events_after
from educredit.sanctions.models import Scenario, Subscription
from educredit.subjects.query_log import query_log_write

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-EduCredit-Signature"
TIMESTAMP_HEADER = "X-EduCredit-Timestamp"
WEBHOOK_BATCH = 100
WEBHOOK_TIMEOUT_SECONDS = 10
LEASE = dt.timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
_AAD = b"sanctions.subscription"


class SubscriptionError(ValueError):
    """The subscription was refused as given ("中文 / English")."""


def _secret_of(subscription: Subscription) -> str:
    return decrypt_text(subscription.secret_cipher, associated_data=_AAD)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, timestamp + "." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (constant-time); the receiver also bounds the timestamp's age."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


@transaction.atomic
def subscription_set(
    *,
    actor: Any,
    client: ApiClient,
    scenarios: list[str],
    webhook_url: str = "",
    rotate_secret: bool = False,
) -> tuple[Subscription, str | None]:
    """Create or change a client's subscription, audited; the clear secret when it was made
    (or rotated), else None — it is shown once and kept only encrypted."""
    codes = list(dict.fromkeys(code.strip() for code in scenarios if code.strip()))
    known = set(Scenario.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if not codes or unknown:
        raise SubscriptionError(
            f"未知或缺少业务场景代码：{'、'.join(unknown) or '—'} / "
            f"unknown or missing scenario codes: {', '.join(unknown) or '—'}"
        )
    if webhook_url and urlsplit(webhook_url).scheme not in {"http", "https"}:
        raise SubscriptionError("回调地址须为 http(s) / the webhook URL must be http(s)")
    existing = Subscription.objects.select_for_update().filter(client=client).first()
    secret = secrets.token_hex(32) if existing is None or rotate_secret else None
    before = existing.audit_snapshot() if existing else None
    subscription = existing or Subscription(client=client)
    subscription.scenarios = codes
    subscription.webhook_url = webhook_url
    subscription.active = True
    if secret is not None:
        subscription.secret_cipher = encrypt_text(secret, associated_data=_AAD)
    if webhook_url and subscription.next_attempt_at is None:
        subscription.next_attempt_at = timezone.now()
    subscription.save()
    audit_append(
        actor=actor,
        action="sanctions.subscription_set",
        target=subscription,
        before=before,
        reason=f"订阅 / subscribe {','.join(codes)}",
    )
    return subscription, secret


# --- webhook delivery -----------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure in a row: 30 s doubling, capped at an hour."""
    return dt.timedelta(
        seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    )


def _due(now: dt.datetime) -> Q:
    return Q(active=True, next_attempt_at__lte=now) & ~Q(webhook_url="")


@transaction.atomic
def webhook_claim(*, now: dt.datetime) -> Subscription | None:
    """Take one due subscription for ``LEASE`` (skipping rows another worker holds)."""
    candidates = list(
        Subscription.objects.select_for_update(skip_locked=True)
        .filter(_due(now))
        .order_by("next_attempt_at", "pk")[:5]
    )
    for subscription in candidates:
        # The conditional update keeps SQLite's single writer honest, as the outbox does.
        if Subscription.objects.filter(_due(now), pk=subscription.pk).update(
            next_attempt_at=now + LEASE
        ):
            subscription.refresh_from_db()
            return subscription
    return None


@dataclass(frozen=True)
class Delivery:
    """One POST: how many events, up to which id, and what came back."""

    events: int
    last_event: int
    ok: bool
    status: int | None
    error: str


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked when subscribed
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return int(answer.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, str(exc)[:500]


# What a webhook delivery's query-log rows say (Henan §18 government sharing).
WEBHOOK_PURPOSE = "联合奖惩措施推送（订阅场景）"
WEBHOOK_BASIS = "《河南省社会信用条例》第十八条（政务共享）"


def webhook_send(subscription: Subscription, *, now: dt.datetime) -> Delivery:
    """POST the next batch after the cursor (none due: an empty success, nothing sent)."""
    events = events_after(list(subscription.scenarios), subscription.webhook_cursor, WEBHOOK_BATCH)
    if not events:
        return Delivery(0, subscription.webhook_cursor, True, None, "")
    body = json.dumps(
        {"events": [event_payload(event) for event in events], "next_cursor": events[-1].id},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(_secret_of(subscription), timestamp, body),
        "User-Agent": "EduCredit-webhook/1",
    }
    status, error = _post(subscription.webhook_url, body, headers)
    if status is not None:
        # The receiver got the events, which name subjects under measures: a read of
        # non-public information by the subscribed client, logged like the pull feed.
        query_log_write(
            reader=subscription.client,
            purpose=WEBHOOK_PURPOSE,
            legal_basis=WEBHOOK_BASIS,
            fields=("webhook",),
            route="sanctions:webhook",
            persons=[event.person for event in events if event.person is not None],
            institutions=[event.institution for event in events if event.institution is not None],
        )
    ok = status is not None and 200 <= status < 300
    return Delivery(
        len(events), events[-1].id, ok, status, error or ("" if ok else f"HTTP {status}")
    )


@transaction.atomic
def webhook_record(subscription: Subscription, delivery: Delivery, *, now: dt.datetime) -> None:
    """Advance the cursor after a 2xx (and come back at once if a full batch went), or back
    off. Delivery bookkeeping only: the subscription's audited fields do not change."""
    rows = Subscription.objects.filter(pk=subscription.pk)
    if delivery.ok:
        more = delivery.events >= WEBHOOK_BATCH
        rows.update(
            webhook_cursor=delivery.last_event,
            attempts=0,
            last_error="",
            last_delivered_at=now if delivery.events else F("last_delivered_at"),
            # Nothing more now: look again at the next pass (the job runs every 30 s).
            next_attempt_at=now if more else now + dt.timedelta(seconds=1),
        )
        return
    attempts = subscription.attempts + 1
    rows.update(
        attempts=attempts, last_error=delivery.error[:2000], next_attempt_at=now + backoff(attempts)
    )
    logger.warning(
        "webhook %s failed (%s), attempt %s", subscription.public_id, delivery.error, attempts
    )


@dataclass
class WebhookRun:
    posts: int = 0
    events: int = 0
    failures: int = 0


def webhook_deliver_due(*, now: dt.datetime | None = None, max_posts: int = 50) -> WebhookRun:
    """One pass: claim, send and record until nothing is due (or ``max_posts`` were made)."""
    run = WebhookRun()
    # One instant for the pass: a subscription settled in it is not due again within it.
    moment = now or timezone.now()
    while run.posts < max_posts:
        subscription = webhook_claim(now=moment)
        if subscription is None:
            break
        delivery = webhook_send(subscription, now=moment)
        webhook_record(subscription, delivery, now=moment)
        if delivery.events == 0:
            continue
        run.posts += 1
        if delivery.ok:
            run.events += delivery.events
        else:
            run.failures += 1
    return run
