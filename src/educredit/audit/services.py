"""Writing to the audit log. Every audited service calls ``audit_append`` in its transaction.

Appends are linear: each one locks the single ``AuditChainHead`` row, takes the next ``seq``,
chains the new leaf to the previous chain hash and moves the head, all in the caller's
transaction (a rolled-back write leaves no entry and no gap). No Merkle work happens per
append; ``tree_head_seal`` folds new leaves into a signed tree head, by itself every
``EDUCREDIT_AUDIT_SEAL_EVERY`` entries and on ``educredit audit seal``.
"""

from __future__ import annotations

import hashlib
import logging
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
from educredit.audit.checkpoint import entry_mac, entry_mac_valid, key_name, sign_checkpoint
from educredit.audit.merkle import CompactRange
from educredit.audit.models import (
    AuditBulkMember,
    AuditChainHead,
    AuditedModel,
    AuditEntry,
    TreeHead,
)

__all__ = [
    "AuditIntegrityError",
    "audit_append",
    "audit_append_bulk",
    "audit_head_locked",
    "chain_next",
    "compute_leaf_hash",
    "entry_leaf_bytes",
    "members_digest",
    "row_digest",
    "row_digest_from_values",
    "row_digester",
    "target_type_of",
    "tree_head_seal",
]

logger = logging.getLogger(__name__)

GENESIS_CHAIN_HASH = "0" * 64
DEFAULT_SEAL_EVERY = 1000
_MEMBER_BATCH = 5000


class AuditIntegrityError(RuntimeError):
    """The log does not add up (an entry edited, missing or forged); nothing was sealed."""


def _leaf_payload(entry: AuditEntry) -> dict[str, Any]:
    """The canonical content of an entry that its leaf hash covers."""
    return {
        "seq": entry.seq,
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


def _lock_head() -> AuditChainHead:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    return head


def audit_head_locked() -> AuditChainHead:
    """The chain head, locked until the caller's transaction ends: no other entry can be
    appended meanwhile, so the caller's next ``audit_append(head=…)`` is ``last_seq + 1``.
    For a write that must carry its own entry's number (a screening check's receipt)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_head_locked() outside a transaction would release the lock")
    return _lock_head()


def _append_locked(head: AuditChainHead, entry: AuditEntry) -> AuditEntry:
    """Finish, chain and store ``entry`` as the next one after ``head`` (which is locked)."""
    entry.seq = head.last_seq + 1
    entry.created_at = timezone.now()
    entry.leaf_hash = compute_leaf_hash(entry)
    entry.chain_hash = chain_next(head.last_chain_hash, entry.leaf_hash)
    entry.mac = entry_mac(entry.leaf_hash)
    entry.save(force_insert=True)
    head.last_seq = entry.seq
    head.last_chain_hash = entry.chain_hash
    head.save(update_fields=["last_seq", "last_chain_hash"])
    every = int(getattr(settings, "EDUCREDIT_AUDIT_SEAL_EVERY", DEFAULT_SEAL_EVERY))
    if every > 0 and entry.seq % every == 0:
        try:
            with transaction.atomic():
                _seal_locked(head, sealed_by="system:auto-seal")
        except AuditIntegrityError:
            # Never fail the caller's write because earlier entries were tampered with;
            # the manual seal and ``audit verify`` name the problem.
            logger.exception("audit auto-seal at #%s refused", entry.seq)
    return entry


# No savepoint: an entry that cannot be written must fail the caller's whole write anyway, and
# the savepoint's two round trips would fall inside the head lock, which serialises appends.
@transaction.atomic(savepoint=False)
def audit_append(
    *,
    actor: Any,
    action: str,
    target: AuditedModel,
    before: dict[str, Any] | None,
    reason: str = "",
    request_id: str = "",
    head: AuditChainHead | None = None,
) -> AuditEntry:
    """Append an entry for a write to ``target`` that has just been saved (or deleted).

    ``before`` is ``target.audit_snapshot()`` taken before the change (``None`` on create);
    the after-snapshot is taken now. ``actor`` is a user or a label such as ``"system:synth"``.
    For a deletion call it after ``target.delete()`` with the snapshot taken before: Django
    has cleared the primary key, and the entry records the row as gone (empty after digest).
    ``head`` is the chain head from ``audit_head_locked()`` in this transaction, if taken.
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
    head = head or _lock_head()
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
    return _append_locked(head, entry)


def _write_members(seq: int, members: Iterable[tuple[Any, str]]) -> tuple[int, str]:
    """Store a batch's members under entry ``seq``; return (count, members digest)."""
    hasher = hashlib.sha256()
    count = 0
    table = connection.ops.quote_name(AuditBulkMember._meta.db_table)
    columns = "entry_seq, position, target_pk, row_digest"

    def rows() -> Iterable[tuple[int, int, str, str]]:
        nonlocal count
        for target_pk, member_digest in members:
            text_pk = str(target_pk)
            if len(member_digest) != 64:
                raise ValueError(f"row digest of {text_pk} is not a SHA-256 hex digest")
            hasher.update(f"{text_pk}\t{member_digest}\n".encode())
            yield seq, count, text_pk, member_digest
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
) -> AuditEntry:
    """Append ONE entry for a batch of rows of ``model`` just inserted (bulk load, import).

    ``members`` yields (primary key, ``row_digest``) per row, in the order they should be
    listed; they are streamed into ``AuditBulkMember`` and the entry's after digest is
    ``members_digest`` of them. Call it last in the loading transaction: it holds the chain
    head's lock from here to commit.
    """
    user, label = _actor_fields(actor)
    head = _lock_head()
    count, batch_digest = _write_members(head.last_seq + 1, members)
    entry = AuditEntry(
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
    return _append_locked(head, entry)


def _seal_locked(head: AuditChainHead, *, sealed_by: str) -> TreeHead:
    """Seal a tree head over entries 1…head.last_seq; the caller holds the head lock."""
    latest = TreeHead.objects.order_by("-size").first()
    if latest is not None and latest.size == head.last_seq:
        return latest
    if latest is not None and latest.size > head.last_seq:
        raise AuditIntegrityError(
            f"tree head covers {latest.size} entries but the chain ends at #{head.last_seq}"
        )
    tree = CompactRange()
    previous_chain = GENESIS_CHAIN_HASH
    if latest is not None:
        tree = CompactRange(latest.size, [bytes.fromhex(h) for h in latest.frontier])
        if tree.root().hex() != latest.root_hash:
            raise AuditIntegrityError(f"tree head {latest.size}: stored frontier does not match")
        previous_chain = (
            AuditEntry.objects.filter(seq=latest.size).values_list("chain_hash", flat=True).first()
            or ""
        )
    expected = tree.size + 1
    new_entries = AuditEntry.objects.filter(seq__gt=tree.size, seq__lte=head.last_seq)
    # Recheck every new entry before vouching for it: a signature must not launder an edit.
    for entry in new_entries.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected:
            raise AuditIntegrityError(f"entry #{expected} is missing")
        if compute_leaf_hash(entry) != entry.leaf_hash or not entry_mac_valid(
            entry.leaf_hash, entry.mac
        ):
            raise AuditIntegrityError(f"entry #{entry.seq} does not match its hashes")
        if not previous_chain or chain_next(previous_chain, entry.leaf_hash) != entry.chain_hash:
            raise AuditIntegrityError(f"entry #{entry.seq} breaks the hash chain")
        tree.append(bytes.fromhex(entry.leaf_hash))
        previous_chain = entry.chain_hash
        expected += 1
    if tree.size != head.last_seq or previous_chain != head.last_chain_hash:
        raise AuditIntegrityError(f"the chain head (#{head.last_seq}) does not match the entries")
    root = tree.root()
    checkpoint, signature = sign_checkpoint(tree.size, root)
    return TreeHead.objects.create(
        size=tree.size,
        root_hash=root.hex(),
        created_at=timezone.now(),
        checkpoint=checkpoint,
        key_name=key_name(),
        signature=signature,
        sealed_by=sealed_by,
        frontier=[h.hex() for h in tree.hashes],
    )


@transaction.atomic
def tree_head_seal(*, actor: Any) -> TreeHead:
    """Sign a tree head over every entry so far (the latest one again if nothing is new)."""
    _, label = _actor_fields(actor)
    return _seal_locked(_lock_head(), sealed_by=label)
