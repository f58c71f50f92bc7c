"""Writes of the exchange app: enqueue a row for the provincial platform, resend a fixed one.

The worker's own writes (claiming, recording receipts, backing off) live in ``worker.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction

from educredit.accounts.models import Organisation
from educredit.audit.services import audit_append, target_type_of
from educredit.core import clock
from educredit.exchange.choices import Kind, Operation, OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import clear_identity_fields


class OutboxError(ValueError):
    """A row cannot enter the outbox as given (unknown kind, clear identity number …)."""


def _check_row(*, kind: str, operation: str, key: str, row: dict[str, Any]) -> None:
    if kind not in Kind.values:
        raise OutboxError(f"unknown kind {kind!r}; expected one of {Kind.values}")
    if operation not in Operation.values:
        raise OutboxError(f"unknown operation {operation!r}; expected one of {Operation.values}")
    if not key or len(key) > OutboxItem._meta.get_field("key").max_length:  # type: ignore[operator]
        raise OutboxError("the idempotency key must be 1-300 characters")
    if not isinstance(row, dict) or not row:
        raise OutboxError("the row must be a non-empty dict of national field codes")
    clear = clear_identity_fields(row)
    if clear:
        raise OutboxError(f"identity numbers must be sealed before enqueueing: {', '.join(clear)}")


# Who enqueues, in the audit log: the outbox itself, inside the caller's audited write.
OUTBOX_ACTOR = "system:outbox"


@transaction.atomic
def outbox_enqueue(
    *,
    kind: str,
    operation: str,
    key: str,
    row: dict[str, Any],
    organisation: Organisation,
    source: models.Model,
    now: dt.datetime | None = None,
) -> OutboxItem:
    """Put a national-layout row in the outbox, in the caller's transaction.

    Idempotent by ``key``: the same key again returns the existing item; if it has not been
    delivered yet its row and operation are replaced by the new ones and it is pending again
    (a fixed row for a rejected item). A delivered item is never changed: a correction is a
    new version, hence a new key. Audited as ``system:outbox`` (the caller's own entry records
    the write that caused it); the item names its source.
    """
    _check_row(kind=kind, operation=operation, key=key, row=row)
    now = now or clock.now()
    item = OutboxItem.objects.select_for_update().filter(key=key).first()
    if item is None:
        item = OutboxItem.objects.create(
            kind=kind,
            operation=operation,
            key=key,
            row=row,
            organisation=organisation,
            source_type=target_type_of(source),
            source_id=str(source.pk),
            next_attempt_at=now,
        )
        audit_append(actor=OUTBOX_ACTOR, action="outbox_item.enqueue", target=item, before=None)
        return item
    if item.status == OutboxStatus.DELIVERED:
        return item
    before = item.audit_snapshot()
    item.kind, item.operation, item.row = kind, operation, row
    if item.status == OutboxStatus.REJECTED:
        item.status = OutboxStatus.PENDING
        item.next_attempt_at = now
    item.save(update_fields=["kind", "operation", "row", "status", "next_attempt_at", "updated_at"])
    audit_append(actor=OUTBOX_ACTOR, action="outbox_item.replace", target=item, before=before)
    return item


@transaction.atomic
def outbox_resend(
    *, actor: Any, item: OutboxItem, row: dict[str, Any], now: dt.datetime | None = None
) -> OutboxItem:
    """Put a fixed row for a rejected item back in the outbox as a new pending attempt.

    The key stays (the platform stored nothing under it); earlier receipts are kept.
    """
    item = OutboxItem.objects.select_for_update().get(pk=item.pk)
    if item.status != OutboxStatus.REJECTED:
        raise OutboxError("only a rejected item can be resent")
    _check_row(kind=item.kind, operation=item.operation, key=item.key, row=row)
    before = item.audit_snapshot()
    item.row = row
    item.status = OutboxStatus.PENDING
    item.attempts = 0
    item.last_error = ""
    item.next_attempt_at = now or clock.now()
    item.save()
    audit_append(actor=actor, action="outbox_item.resend", target=item, before=before)
    return item
