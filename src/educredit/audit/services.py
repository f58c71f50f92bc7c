"""Writing to the audit log. Every audited service calls ``audit_append`` in its transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from educredit.audit.canonical import canonical_json, digest
from educredit.audit.models import AuditChainHead, AuditedModel, AuditEntry


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
        "reason": entry.reason,
        "request_id": entry.request_id,
    }


def entry_leaf_bytes(entry: AuditEntry) -> bytes:
    """Bytes that stand for an entry in the chain and the Merkle tree."""
    return canonical_json(_leaf_payload(entry))


def chain_next(previous_chain_hash: str, leaf_hash: str) -> str:
    """chain_i = SHA-256(chain_{i-1} ‖ leaf_i), over the raw 32-byte values."""
    return hashlib.sha256(bytes.fromhex(previous_chain_hash) + bytes.fromhex(leaf_hash)).hexdigest()


def target_type_of(target: AuditedModel) -> str:
    return target._meta.label_lower


@transaction.atomic
def audit_append(
    *,
    actor: Any,
    action: str,
    target: AuditedModel,
    before: dict[str, Any] | None,
    reason: str = "",
    request_id: str = "",
) -> AuditEntry:
    """Append an entry for a write to ``target`` that has just been saved.

    ``before`` is ``target.audit_snapshot()`` taken before the change (``None`` on create);
    the after-snapshot is taken now. ``actor`` is a user or a label such as ``"system:synth"``.
    """
    after = target.audit_snapshot()
    changed = sorted(
        key for key in set(after) | set(before or {}) if (before or {}).get(key) != after.get(key)
    )
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    user = actor if hasattr(actor, "pk") else None
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=user,
        actor_label=str(actor.get_username()) if user is not None else str(actor),
        action=action,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        before_digest=digest(before) if before is not None else "",
        after_digest=digest(after),
        changed_fields=changed,
        reason=reason,
        request_id=request_id,
    )
    entry.leaf_hash = hashlib.sha256(b"\x00" + entry_leaf_bytes(entry)).hexdigest()
    entry.chain_hash = chain_next(head.last_chain_hash, entry.leaf_hash)
    entry.save()
    head.last_seq = entry.seq
    head.last_chain_hash = entry.chain_hash
    head.save(update_fields=["last_seq", "last_chain_hash"])
    return entry
