"""The outbox worker: claim due items, send them in batches, store every receipt.

Three short transactions per batch, none held across the network:

1. **claim** — due items (pending, or ``sending`` whose lease ran out because a worker died)
   are selected with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers
   take different items, and each is moved to ``sending`` with a lease (``next_attempt_at`` =
   now + lease) by a conditional update (which also keeps SQLite's single writer honest);
2. **send** — identity numbers unsealed in memory, the batch handed to the transport;
3. **record** — one ``Receipt`` per row; accepted → delivered, refused → rejected (the owning
   organisation's queue); or, when the transport failed, every item back to pending with an
   exponential backoff.

A worker killed between 2 and 3 leaves its items ``sending``; once the lease ends they are due
again and re-sent. The platform deduplicates by key ("already received", accepted), so every
record is stored there exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from educredit.core import clock
from educredit.core.crypto import FieldDecryptionError
from educredit.exchange.choices import BatchOutcome, OutboxStatus
from educredit.exchange.models import Batch, OutboxItem, Receipt
from educredit.exchange.rows import unseal_row
from educredit.exchange.signals import outbox_delivered, outbox_rejected
from educredit.exchange.transports import (
    BatchTransport,
    PlatformReceipt,
    SendResult,
    SendRow,
    TransportError,
    configured_transport,
)

logger = logging.getLogger(__name__)

DUE_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def batch_size() -> int:
    return int(settings.EDUCREDIT_EXCHANGE_BATCH_SIZE)


def lease() -> dt.timedelta:
    """How long a claimed item is left to its worker before another may take it."""
    return dt.timedelta(seconds=settings.EDUCREDIT_EXCHANGE_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed try: base × 2^(attempts-1), capped."""
    base = settings.EDUCREDIT_EXCHANGE_BACKOFF_BASE_SECONDS
    cap = settings.EDUCREDIT_EXCHANGE_BACKOFF_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass
class RunResult:
    batches: int = 0
    sent: int = 0
    delivered: int = 0
    rejected: int = 0
    failed_batches: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@transaction.atomic
def outbox_claim(
    *, now: dt.datetime, transport_name: str, size: int
) -> tuple[Batch, list[OutboxItem]] | None:
    """Take up to ``size`` due items for one batch (see the module's step 1)."""
    candidates = list(
        OutboxItem.objects.select_for_update(skip_locked=True)
        .filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .order_by("pk")[:size]
    )
    until = now + lease()
    claimed = [
        item
        for item in candidates
        if OutboxItem.objects.filter(
            pk=item.pk, status__in=DUE_STATUSES, next_attempt_at__lte=now
        ).update(
            status=OutboxStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=until,
            updated_at=timezone.now(),
        )
    ]
    if not claimed:
        return None
    for item in claimed:
        item.refresh_from_db(fields=["status", "attempts", "next_attempt_at"])
    batch = Batch.objects.create(transport=transport_name, sent_at=now, size=len(claimed))
    batch.items.set(claimed)
    return batch, claimed


@transaction.atomic
def outbox_record_failure(
    *, batch: Batch, items: list[OutboxItem], error: str, now: dt.datetime
) -> None:
    """The transport failed: the batch is marked failed, its items pending with backoff."""
    Batch.objects.filter(pk=batch.pk).update(
        outcome=BatchOutcome.FAILED, response_excerpt=error[:2000], finished_at=now
    )
    for item in OutboxItem.objects.select_for_update().filter(
        pk__in=[i.pk for i in items], status=OutboxStatus.SENDING
    ):
        item.status = OutboxStatus.PENDING
        item.next_attempt_at = now + backoff(item.attempts)
        item.last_error = error[:2000]
        item.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])


@transaction.atomic
def outbox_record_receipts(
    *, batch: Batch, receipts: list[PlatformReceipt], excerpt: str, now: dt.datetime
) -> tuple[int, int]:
    """Store every receipt and settle each item; returns (delivered, rejected)."""
    by_key = {
        item.key: item
        for item in OutboxItem.objects.select_for_update().filter(key__in=[r.key for r in receipts])
    }
    delivered = rejected = 0
    for answer in receipts:
        item = by_key[answer.key]
        receipt = Receipt.objects.create(
            batch=batch,
            item=item,
            accepted=answer.accepted,
            duplicate=answer.duplicate,
            platform_reference=answer.reference[:100],
            reasons=answer.reasons,
            received_at=now,
        )
        if item.status == OutboxStatus.DELIVERED:
            continue  # a stale worker's late answer: the item is settled already
        if answer.accepted:
            item.status = OutboxStatus.DELIVERED
            item.delivered_at = now
            item.last_error = ""
            item.save(update_fields=["status", "delivered_at", "last_error", "updated_at"])
            outbox_delivered.send(sender=OutboxItem, item=item, receipt=receipt)
            delivered += 1
        elif item.status == OutboxStatus.SENDING:
            item.status = OutboxStatus.REJECTED
            item.last_error = "; ".join(_reason_text(r) for r in answer.reasons)[:2000]
            item.save(update_fields=["status", "last_error", "updated_at"])
            outbox_rejected.send(sender=OutboxItem, item=item, receipt=receipt)
            rejected += 1
    if delivered == len(receipts):
        outcome = BatchOutcome.ACCEPTED
    elif rejected == len(receipts):
        outcome = BatchOutcome.REJECTED
    else:
        outcome = BatchOutcome.PARTIAL
    Batch.objects.filter(pk=batch.pk).update(
        outcome=outcome, response_excerpt=excerpt, finished_at=now
    )
    return delivered, rejected


def _reason_text(reason: Any) -> str:
    if isinstance(reason, dict):
        return f"{reason.get('field', '')}: {reason.get('message', '')}"
    return str(reason)


def _rows(items: list[OutboxItem]) -> tuple[list[SendRow], list[PlatformReceipt]]:
    """Rows to send, and local refusals for rows that cannot even be unsealed."""
    rows, refused = [], []
    for item in items:
        try:
            rows.append(SendRow(item.key, item.kind, item.operation, unseal_row(item.row)))
        except FieldDecryptionError:
            reason = {
                "field": "row",
                "message": "证件号码无法解密 / identity number cannot be unsealed",
            }
            refused.append(PlatformReceipt(key=item.key, accepted=False, reasons=[reason]))
    return rows, refused


def send_one_batch(
    *, transport: BatchTransport, now: dt.datetime, size: int, result: RunResult
) -> bool:
    """Claim, send and record one batch; False when nothing was due or the transport failed."""
    claim = outbox_claim(now=now, transport_name=transport.name, size=size)
    if claim is None:
        return False
    batch, items = claim
    result.batches += 1
    rows, refused = _rows(items)
    try:
        answer = transport.send(rows) if rows else SendResult(receipts=[])
    except TransportError as exc:
        logger.warning("outbox batch %s failed: %s", batch.pk, exc)
        outbox_record_failure(batch=batch, items=items, error=str(exc), now=now)
        result.failed_batches += 1
        return False
    result.sent += len(rows)
    delivered, rejected = outbox_record_receipts(
        batch=batch, receipts=answer.receipts + refused, excerpt=answer.excerpt, now=now
    )
    result.delivered += delivered
    result.rejected += rejected
    return True


def outbox_send_due(
    *,
    now: dt.datetime | None = None,
    transport: BatchTransport | None = None,
    size: int | None = None,
    max_batches: int | None = None,
) -> RunResult:
    """One pass: send batches until nothing is due, the transport fails, or ``max_batches``.

    ``now`` is the moment the pass runs at (tests drive time through it).
    """
    now = now or clock.now()
    transport = transport or configured_transport()
    size = size or batch_size()
    result = RunResult()
    while max_batches is None or result.batches < max_batches:
        if not send_one_batch(transport=transport, now=now, size=size, result=result):
            break
    return result
