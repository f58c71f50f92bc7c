"""The sequencer: integrates queued entries into the hash chain and the Merkle tree (ADR 0044).

Writers only queue their entries (``audit.services``). A sequencer takes the committed queue
in batches, in entry order: it locks the chain head (so of several sequencers, one wins each
batch and the others wait for it), gives every entry the next ``seq``, chains it, folds it into
the compact range while storing every subtree root it completes (``AuditNode``, what proofs
read), empties those queue rows, moves the head and signs a tree head over the new size — all
in one transaction, so a sequencer that dies leaves the batch queued for the next one.

An entry whose MAC is wrong was not written by EduCredit: it is taken off the queue without a
place in the log, logged, and reported by ``audit verify`` as inserted. Refusing the batch
instead would stop the log for everyone behind it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from educredit.audit.checkpoint import entry_mac_valid, key_name, sign_checkpoint
from educredit.audit.merkle import CompactRange
from educredit.audit.models import (
    AuditChainHead,
    AuditEntry,
    AuditNode,
    AuditQueuedLeaf,
    SequencedLeaf,
    TreeHead,
)
from educredit.audit.services import chain_next

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 20_000
_WRITE_BATCH = 5_000


def batch_size() -> int:
    """How many queued entries one sequencer transaction integrates at most."""
    return max(1, int(getattr(settings, "EDUCREDIT_AUDIT_SEQUENCE_BATCH", DEFAULT_BATCH)))


def sequence_pending(*, actor: str = "system:sequencer", limit: int | None = None) -> int:
    """Integrate every entry committed and queued so far, batch by batch; the number done."""
    size = limit or batch_size()
    total = 0
    while True:
        done, taken = _sequence_batch(actor=actor, limit=size)
        total += done
        if taken < size:
            return total


def sequencer_loop(
    *, interval: float = 0.5, stop: Callable[[], bool] = lambda: False, actor: str
) -> None:
    """Sequence until ``stop()``: drain the queue, then wait ``interval``. Waiting even after
    a pass that found work lets entries gather into batches of a useful size (each batch is a
    lock, a few statements and a signature) while staying well inside the merge delay."""
    while not stop():
        sequence_pending(actor=actor)
        time.sleep(interval)


def _queued(limit: int) -> list[tuple[int, str, str]]:
    """(entry id, leaf hash, MAC) of the oldest queued entries, read after the head's lock."""
    queue = connection.ops.quote_name(AuditQueuedLeaf._meta.db_table)
    entries = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.entry_id, e.leaf_hash, e.mac FROM {queue} q "  # noqa: S608 (quoted names)
            f"JOIN {entries} e ON e.id = q.entry_id ORDER BY q.entry_id LIMIT %s",
            [limit],
        )
        found = cursor.fetchall()
        if len(found) < limit:
            # A queue row whose entry is gone (deleted behind the log's back) must not sit
            # at the head of the queue for ever: drop it; ``verify`` reports the entry.
            cursor.execute(
                f"DELETE FROM {queue} WHERE NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {entries} e WHERE e.id = {queue}.entry_id)"
            )
    return [(int(row[0]), str(row[1]), str(row[2])) for row in found]


def _dequeue(entry_ids: Sequence[int]) -> None:
    queue = connection.ops.quote_name(AuditQueuedLeaf._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {queue} WHERE entry_id = ANY(%s)",  # noqa: S608
                [list(entry_ids)],
            )
            return
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {queue} WHERE entry_id IN ({marks})", chunk)  # noqa: S608


def _store(model: Any, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` into ``model``'s table: COPY on PostgreSQL, batched INSERTs on SQLite."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * (columns.count(",") + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), _WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + _WRITE_BATCH])


@transaction.atomic
def _sequence_batch(*, actor: str, limit: int) -> tuple[int, int]:
    """One batch: (entries integrated, queue rows taken)."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    queued = _queued(limit)
    if not queued:
        return 0, 0
    tree = CompactRange(head.last_seq, [bytes.fromhex(h) for h in head.frontier])
    now = timezone.now()
    stamp = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    seq, chain = head.last_seq, head.last_chain_hash
    leaves: list[tuple[Any, ...]] = []
    nodes: list[tuple[Any, ...]] = []
    for entry_id, leaf_hash, mac in queued:
        if not entry_mac_valid(leaf_hash, mac):
            logger.error("audit entry %s has no valid MAC: left out of the log", entry_id)
            continue
        seq += 1
        chain = chain_next(chain, leaf_hash)
        leaves.append((seq, entry_id, leaf_hash, chain, stamp))
        for level, position, node in tree.append(bytes.fromhex(leaf_hash)):
            nodes.append((level, position, node.hex()))
    _store(SequencedLeaf, "seq, entry_id, leaf_hash, chain_hash, integrated_at", leaves)
    _store(AuditNode, "level, position, hash", nodes)
    _dequeue([entry_id for entry_id, _, _ in queued])
    if leaves:
        head.last_seq, head.last_chain_hash = seq, chain
        head.frontier = [h.hex() for h in tree.hashes]
        head.save(update_fields=["last_seq", "last_chain_hash", "frontier"])
        root = tree.root()
        checkpoint, signature = sign_checkpoint(tree.size, root)
        TreeHead.objects.create(
            size=tree.size,
            root_hash=root.hex(),
            created_at=now,
            checkpoint=checkpoint,
            key_name=key_name(),
            signature=signature,
            sealed_by=actor,
            frontier=head.frontier,
        )
    return len(leaves), len(queued)
