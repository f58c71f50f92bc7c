"""Reading the audit log: entries of one object, positions, tree heads, proofs.

Proofs read the stored tree (``AuditNode``, ``SequencedLeaf``): each hash a proof needs is
the fold of at most two aligned perfect subtrees per level, so a proof in a log of n entries
reads O(log n) rows (ADR 0044), never every leaf.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models

from educredit.audit.merkle import (
    consistency_ranges,
    fold_pieces,
    inclusion_ranges,
    perfect_pieces,
)
from educredit.audit.models import AuditEntry, AuditNode, SequencedLeaf, TreeHead
from educredit.audit.services import entry_leaf_bytes, target_type_of


class ProofUnavailableError(LookupError):
    """No proof can be given (no such entry, or no tree head covers it yet)."""


def audit_entries_for(target: models.Model) -> models.QuerySet[AuditEntry]:
    """The single entries written for ``target``, oldest first (bulk loads not included)."""
    return AuditEntry.objects.filter(
        target_type=target_type_of(target), target_id=str(target.pk)
    ).order_by("id")


def entry_for(target: models.Model) -> AuditEntry | None:
    """The latest single entry written for ``target``."""
    return audit_entries_for(target).order_by("-id").first()


def entry_position(entry_id: int) -> int | None:
    """The entry's ``seq`` once the sequencer has integrated it, else None."""
    found = SequencedLeaf.objects.filter(entry_id=entry_id).values_list("seq", flat=True).first()
    return None if found is None else int(found)


def audit_last_change_of(model: type[models.Model]) -> datetime.datetime | None:
    """When any row of ``model`` last got a single audit entry (None if never)."""
    latest = AuditEntry.objects.filter(target_type=target_type_of(model)).aggregate(
        at=models.Max("created_at")
    )["at"]
    return latest if isinstance(latest, datetime.datetime) else None


def tree_head_latest() -> TreeHead | None:
    """The newest signed tree head, if any."""
    return TreeHead.objects.order_by("-size").first()


class StoredTree:
    """Range hashes of the sequenced tree from stored nodes, with a count of the rows read."""

    def __init__(self) -> None:
        self.rows_read = 0

    def _read(self, pieces: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = set(pieces)
        found: dict[tuple[int, int], bytes] = {}
        leaves = [position + 1 for level, position in wanted if level == 0]
        if leaves:
            for seq, value in SequencedLeaf.objects.filter(seq__in=leaves).values_list(
                "seq", "leaf_hash"
            ):
                found[(0, seq - 1)] = bytes.fromhex(value)
                self.rows_read += 1
        inner = models.Q()
        for level, position in wanted:
            if level:
                inner |= models.Q(level=level, position=position)
        if inner:
            for level, position, value in AuditNode.objects.filter(inner).values_list(
                "level", "position", "hash"
            ):
                found[(level, position)] = bytes.fromhex(value)
                self.rows_read += 1
        missing = wanted - found.keys()
        if missing:
            raise ProofUnavailableError(
                f"审计树缺少 {len(missing)} 个节点，请运行 educredit audit verify / the stored "
                f"tree lacks {len(missing)} nodes: run educredit audit verify"
            )
        return found

    def range_hashes(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        """MTH(D[lo:hi]) for each range, reading every stored piece once."""
        pieces = [perfect_pieces(lo, hi) for lo, hi in ranges]
        found = self._read(piece for group in pieces for piece in group)
        return [fold_pieces([found[piece] for piece in group]) for group in pieces]


def tree_head_of_size(size: int) -> TreeHead:
    """The signed tree head of exactly ``size`` entries."""
    head = TreeHead.objects.filter(size=size).first()
    if head is None:
        raise ProofUnavailableError(
            f"没有覆盖 {size} 条的签名树头 / no signed tree head of size {size}"
        )
    return head


def entry_inclusion_proof(
    entry_id: int, *, head: TreeHead | None = None, tree: StoredTree | None = None
) -> dict[str, Any]:
    """The RFC 9162 inclusion proof of an entry in a signed tree head (the latest).

    Everything an outsider needs: the entry's canonical bytes (``entry``), its leaf hash, its
    index (``seq - 1``), the audit path and the signed checkpoint of the tree it is in.
    """
    entry = AuditEntry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise ProofUnavailableError(f"条目 {entry_id} 不存在 / entry {entry_id} does not exist")
    seq = entry_position(entry_id)
    head = head or tree_head_latest()
    if seq is None or head is None or head.size < seq:
        raise ProofUnavailableError(
            f"条目 {entry_id} 尚未并入已签名的树（通常在几秒内完成）/ entry {entry_id} is not "
            "in a signed tree head yet (the sequencer integrates entries within seconds)"
        )
    tree = tree or StoredTree()
    path = tree.range_hashes(inclusion_ranges(seq - 1, head.size))
    return {
        "entry_id": entry.pk,
        "leaf_index": seq - 1,
        "tree_size": head.size,
        "entry": entry_leaf_bytes(entry).decode(),
        "leaf_hash": entry.leaf_hash,
        "audit_path": [node.hex() for node in path],
        "root_hash": head.root_hash,
        "checkpoint": head.checkpoint,
    }


def consistency_proof_between(first: int, second: int) -> dict[str, Any]:
    """The RFC 9162 consistency proof that the signed tree of ``first`` entries is a prefix of
    the signed tree of ``second``, with both checkpoints."""
    if not 0 < first <= second:
        raise ProofUnavailableError(
            f"需要 0 < A ≤ B，而不是 {first}、{second} / need 0 < A ≤ B, not {first}, {second}"
        )
    old, new = tree_head_of_size(first), tree_head_of_size(second)
    path = StoredTree().range_hashes(consistency_ranges(first, second))
    return {
        "first": first,
        "second": second,
        "consistency_path": [node.hex() for node in path],
        "first_root_hash": old.root_hash,
        "second_root_hash": new.root_hash,
        "first_checkpoint": old.checkpoint,
        "second_checkpoint": new.checkpoint,
    }
