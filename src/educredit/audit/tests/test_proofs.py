"""Proofs in a log of 100 000 entries read a few dozen stored rows, not the log (ADR 0044)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from educredit.audit import merkle
from educredit.audit.checkpoint import entry_mac
from educredit.audit.models import AuditEntry, AuditQueuedLeaf, SequencedLeaf, TreeHead
from educredit.audit.selectors import StoredTree, consistency_proof_between, entry_inclusion_proof
from educredit.audit.sequencer import sequence_pending
from educredit.audit.services import compute_leaf_hash

pytestmark = pytest.mark.django_db

SIZE = 100_000


def _entries(count: int, start: dt.datetime) -> list[AuditEntry]:
    made = []
    for index in range(count):
        entry = AuditEntry(
            created_at=start + dt.timedelta(microseconds=index),
            actor_label="system:test",
            action="institution.rename",
            target_type="subjects.institution",
            target_id=str(index),
            after_digest=f"{index:064x}",
        )
        entry.leaf_hash = compute_leaf_hash(entry)
        entry.mac = entry_mac(entry.leaf_hash)
        made.append(entry)
    return made


def test_proofs_in_a_log_of_100_000_entries_read_a_few_dozen_rows() -> None:
    entries = AuditEntry.objects.bulk_create(_entries(SIZE, timezone.now()), batch_size=5000)
    AuditQueuedLeaf.objects.bulk_create(
        [AuditQueuedLeaf(entry_id=e.pk) for e in entries], batch_size=5000
    )
    assert sequence_pending(actor="system:test") == SIZE
    head = TreeHead.objects.latest()
    assert head.size == SIZE
    root = bytes.fromhex(head.root_hash)
    for seq in (1, 2, 4_097, 65_536, 77_777, SIZE - 1, SIZE):
        entry_id = SequencedLeaf.objects.get(seq=seq).entry_id
        tree = StoredTree()
        with CaptureQueriesContext(connection) as queries:
            proof = entry_inclusion_proof(entry_id, tree=tree)
        # log2(100 000) ≈ 17 levels: one stored node per level of the path, plus the few
        # pieces of its right edge. Reading every leaf would be 100 000 rows.
        assert tree.rows_read <= 40, (seq, tree.rows_read)
        assert len(queries) <= 6
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        leaf = bytes.fromhex(proof["leaf_hash"])
        assert merkle.verify_inclusion(leaf, seq - 1, SIZE, path, root)
        assert not merkle.verify_inclusion(leaf, seq % SIZE, SIZE, path, root)
    # Every batch signed a head; the first is a prefix of the last.
    heads = {h.size: bytes.fromhex(h.root_hash) for h in TreeHead.objects.all()}
    first, second = min(heads), max(heads)
    assert first < second
    proof = consistency_proof_between(first, second)
    path = [bytes.fromhex(h) for h in proof["consistency_path"]]
    assert merkle.verify_consistency(first, second, path, heads[first], heads[second])
    assert not merkle.verify_consistency(first, second, path, heads[second], heads[first])
