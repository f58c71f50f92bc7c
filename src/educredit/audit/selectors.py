"""Reading the audit log: entries of one object, tree heads, inclusion proofs."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from educredit.audit.merkle import inclusion_proof
from educredit.audit.models import AuditEntry, TreeHead
from educredit.audit.services import entry_leaf_bytes, target_type_of


class ProofUnavailableError(LookupError):
    """No proof can be given (no such entry, or no tree head covers it yet)."""


def audit_entries_for(target: models.Model) -> models.QuerySet[AuditEntry]:
    """The single entries written for ``target``, oldest first (bulk loads not included)."""
    return AuditEntry.objects.filter(
        target_type=target_type_of(target), target_id=str(target.pk)
    ).order_by("seq")


def audit_last_change_of(model: type[models.Model]) -> datetime.datetime | None:
    """When any row of ``model`` last got a single audit entry (None if never)."""
    latest = AuditEntry.objects.filter(target_type=target_type_of(model)).aggregate(
        at=models.Max("created_at")
    )["at"]
    return latest if isinstance(latest, datetime.datetime) else None


def tree_head_latest() -> TreeHead | None:
    """The newest signed tree head, if any."""
    return TreeHead.objects.order_by("-size").first()


def entry_inclusion_proof(seq: int, *, head: TreeHead | None = None) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of entry ``seq`` in a signed tree head (the latest).

    Everything an outsider needs: the entry's canonical bytes (``entry``), its leaf hash, its
    index (``seq - 1``), the audit path and the signed checkpoint of the tree it is in.
    """
    head = head or tree_head_latest()
    entry = AuditEntry.objects.filter(seq=seq).first()
    if entry is None:
        raise ProofUnavailableError(f"条目 #{seq} 不存在 / entry #{seq} does not exist")
    if head is None or head.size < seq:
        raise ProofUnavailableError(
            f"条目 #{seq} 尚未被签名树头覆盖，请先运行 educredit audit seal / "
            f"entry #{seq} is not covered by a signed tree head yet: run educredit audit seal"
        )
    leaves = [
        bytes.fromhex(value)
        for value in AuditEntry.objects.filter(seq__lte=head.size)
        .order_by("seq")
        .values_list("leaf_hash", flat=True)
        .iterator(chunk_size=10_000)
    ]
    if len(leaves) != head.size:
        raise ProofUnavailableError(
            f"签名树头覆盖 {head.size} 条，但只找到 {len(leaves)} 条：请运行 educredit audit "
            f"verify / the tree head covers {head.size} entries but {len(leaves)} exist: run "
            "educredit audit verify"
        )
    path = inclusion_proof(leaves, seq - 1, head.size)
    return {
        "leaf_index": seq - 1,
        "tree_size": head.size,
        "entry": entry_leaf_bytes(entry).decode(),
        "leaf_hash": entry.leaf_hash,
        "audit_path": [node.hex() for node in path],
        "root_hash": head.root_hash,
        "checkpoint": head.checkpoint,
    }
