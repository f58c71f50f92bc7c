"""Writing to the audit log. Every audited service calls ``audit_append`` in its transaction.

An append takes no lock (ADR 0044): it writes the entry — canonical content, leaf hash, MAC —
and a queue row (``AuditQueuedLeaf``) in the caller's transaction, so a rolled-back write
leaves nothing, and no request waits in line behind another one's commit. The sequencer
(``audit.sequencer``) later gives committed entries their place in the hash chain and the
Merkle tree, in batches, and signs tree heads. A writer that hands out a receipt appends with
``receipt=True``: the entry then carries a merge deadline, and its signed entry timestamp
(``audit.timestamps``) is the log's promise to integrate it by then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from educredit.audit.canonical import (
    canonical_json,
    digest,
    row_digest,
    row_digest_from_values,
    row_digester,
)
from educredit.audit.checkpoint import entry_mac
from educredit.audit.models import AuditBulkMember, AuditedModel, AuditEntry, AuditQueuedLeaf

__all__ = [
    "AuditIntegrityError",
    "audit_append",
    "audit_append_bulk",
    "chain_next",
    "compute_leaf_hash",
    "entry_leaf_bytes",
    "members_digest",
    "merge_delay",
    "row_digest",
    "row_digest_from_values",
    "row_digester",
    "target_type_of",
]

GENESIS_CHAIN_HASH = "0" * 64
DEFAULT_MERGE_DELAY_SECONDS = 2.0
_MEMBER_BATCH = 5000


class AuditIntegrityError(RuntimeError):
    """The log does not add up (an entry edited, missing or forged); nothing was signed."""


def merge_delay() -> dt.timedelta:
    """The maximum merge delay: how soon after its write the log promises to integrate an
    entry whose writer handed out a signed entry timestamp."""
    seconds = float(getattr(settings, "EDUCREDIT_AUDIT_MMD_SECONDS", DEFAULT_MERGE_DELAY_SECONDS))
    return dt.timedelta(seconds=seconds)


def _leaf_payload(entry: AuditEntry) -> dict[str, Any]:
    """The canonical content of an entry that its leaf hash covers."""
    payload = {
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "before": entry.before_digest,
        "after": entry.after_digest,
        "changed": entry.changed_fields,
        "members": entry.member_count,
        "reason": entry.reason,
        "request_id": entry.request_id,
    }
    if entry.merge_deadline is not None:
        payload["merge_deadline"] = entry.merge_deadline.isoformat()
    return payload


def entry_leaf_bytes(entry: AuditEntry) -> bytes:
    """Bytes that stand for an entry in the chain and the Merkle tree (its leaf data)."""
    return canonical_json(_leaf_payload(entry))


def compute_leaf_hash(entry: AuditEntry) -> str:
    """RFC 6962 leaf hash of an entry, hex: SHA-256(0x00 ‖ canonical entry)."""
    return hashlib.sha256(b"\x00" + entry_leaf_bytes(entry)).hexdigest()


def chain_next(previous_chain_hash: str, leaf_hash: str) -> str:
    """chain_i = SHA-256(chain_{i-1} ‖ leaf_i), over the raw 32-byte values."""
    return hashlib.sha256(bytes.fromhex(previous_chain_hash) + bytes.fromhex(leaf_hash)).hexdigest()


def members_digest(members: Iterable[tuple[str, str]]) -> str:
    """Digest of a batch: SHA-256 over "<target pk>\\t<row digest>\\n" lines, in order."""
    hasher = hashlib.sha256()
    for target_pk, member_digest in members:
        hasher.update(f"{target_pk}\t{member_digest}\n".encode())
    return hasher.hexdigest()


def target_type_of(target: models.Model | type[models.Model]) -> str:
    """The label entries carry for a model (its concrete model, so proxies share it)."""
    return target._meta.concrete_model._meta.label_lower  # type: ignore[union-attr]


def _actor_fields(actor: Any) -> tuple[Any, str]:
    if hasattr(actor, "pk") and hasattr(actor, "get_username"):
        return actor, str(actor.get_username())
    return None, str(actor)


def _finish(entry: AuditEntry, *, receipt: bool) -> AuditEntry:
    """Time, hash and MAC ``entry``, store it and queue it for the sequencer."""
    entry.created_at = timezone.now()
    entry.merge_deadline = entry.created_at + merge_delay() if receipt else None
    entry.leaf_hash = compute_leaf_hash(entry)
    entry.mac = entry_mac(entry.leaf_hash)
    entry.save(force_insert=True)
    AuditQueuedLeaf.objects.create(entry_id=entry.pk)
    return entry


# No savepoint: an entry that cannot be written must fail the caller's whole write anyway.
@transaction.atomic(savepoint=False)
def audit_append(
    *,
    actor: Any,
    action: str,
    target: AuditedModel,
    before: dict[str, Any] | None,
    reason: str = "",
    request_id: str = "",
    receipt: bool = False,
) -> AuditEntry:
    """Append an entry for a write to ``target`` that has just been saved (or deleted).

    ``before`` is ``target.audit_snapshot()`` taken before the change (``None`` on create);
    the after-snapshot is taken now. ``actor`` is a user or a label such as ``"system:synth"``.
    For a deletion call it after ``target.delete()`` with the snapshot taken before: Django
    has cleared the primary key, and the entry records the row as gone (empty after digest).
    ``receipt``: the caller will hand out the entry's signed entry timestamp, so the entry
    carries the merge deadline that the timestamp promises.
    """
    pk_attname = target._meta.pk.attname
    if target.pk is None and before is not None and before.get(pk_attname) is not None:
        target_id, after = str(before[pk_attname]), None
    elif target.pk is None:
        raise ValueError("audit_append needs a saved target (or a deleted one with before)")
    else:
        target_id, after = str(target.pk), target.audit_snapshot()
    old, new = before or {}, after or {}
    changed = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
    user, label = _actor_fields(actor)
    entry = AuditEntry(
        actor=user,
        actor_label=label,
        action=action,
        target_type=target_type_of(target),
        target_id=target_id,
        before_digest=digest(before) if before is not None else "",
        after_digest=digest(after) if after is not None else "",
        changed_fields=changed,
        reason=reason,
        request_id=request_id,
    )
    return _finish(entry, receipt=receipt)


def _reserve_entry_id() -> int:
    """An entry id for a bulk entry whose members are written before it."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            # SQLite: the IMMEDIATE transaction this runs in is the only writer, so the next
            # id stays free until the entry is written with it.
            cursor.execute(
                "SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM "  # noqa: S608 (quoted name)
                f"{table} UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
                [AuditEntry._meta.db_table],
            )
        row = cursor.fetchone()
    value = int(row[0] or 0) if row else 0
    return value if connection.vendor == "postgresql" else value + 1


def _write_members(entry_id: int, members: Iterable[tuple[Any, str]]) -> tuple[int, str]:
    """Store a batch's members under entry ``entry_id``; return (count, members digest)."""
    hasher = hashlib.sha256()
    count = 0
    table = connection.ops.quote_name(AuditBulkMember._meta.db_table)
    columns = "entry_id, position, target_pk, row_digest"

    def rows() -> Iterable[tuple[int, int, str, str]]:
        nonlocal count
        for target_pk, member_digest in members:
            text_pk = str(target_pk)
            if len(member_digest) != 64:
                raise ValueError(f"row digest of {text_pk} is not a SHA-256 hex digest")
            hasher.update(f"{text_pk}\t{member_digest}\n".encode())
            yield entry_id, count, text_pk, member_digest
            count += 1

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: the members of a million-row load cost about what the rows themselves do.
            sql = f"COPY {table} ({columns}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows():
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)"  # noqa: S608
            batch: list[tuple[int, int, str, str]] = []
            for row in rows():
                batch.append(row)
                if len(batch) >= _MEMBER_BATCH:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
    return count, hasher.hexdigest()


@transaction.atomic
def audit_append_bulk(
    *,
    actor: Any,
    action: str,
    model: type[AuditedModel],
    members: Iterable[tuple[Any, str]],
    reason: str = "",
    request_id: str = "",
    receipt: bool = False,
) -> AuditEntry:
    """Append ONE entry for a batch of rows of ``model`` just inserted (bulk load, import).

    ``members`` yields (primary key, ``row_digest``) per row, in the order they should be
    listed; they are streamed into ``AuditBulkMember`` under the entry's id (reserved first)
    and the entry's after digest is ``members_digest`` of them.
    """
    user, label = _actor_fields(actor)
    entry_id = _reserve_entry_id()
    count, batch_digest = _write_members(entry_id, members)
    entry = AuditEntry(
        id=entry_id,
        actor=user,
        actor_label=label,
        action=action,
        target_type=target_type_of(model),
        target_id="",
        before_digest="",
        after_digest=batch_digest,
        changed_fields=[],
        member_count=count,
        reason=reason,
        request_id=request_id,
    )
    return _finish(entry, receipt=receipt)
