"""Appending without a lock, bulk batches, the sequencer and its signed tree heads, signed
entry timestamps, and the append-only triggers."""

from __future__ import annotations

import threading
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, connections, transaction

from educredit.audit import checkpoint as cp
from educredit.audit import merkle
from educredit.audit.models import (
    AuditBulkMember,
    AuditChainHead,
    AuditEntry,
    AuditNode,
    AuditQueuedLeaf,
    SequencedLeaf,
    TreeHead,
)
from educredit.audit.selectors import audit_entries_for, consistency_proof_between
from educredit.audit.sequencer import sequence_pending
from educredit.audit.services import (
    GENESIS_CHAIN_HASH,
    audit_append,
    audit_append_bulk,
    chain_next,
    compute_leaf_hash,
    members_digest,
    row_digest,
)
from educredit.audit.tests.helpers import (
    ACTOR,
    drop_protection,
    institution_made,
    institution_renamed,
    organisation_made,
    raw,
    small_history,
)
from educredit.audit.timestamps import entry_timestamp, open_entry_timestamp
from educredit.audit.verification import INSERTED, verify_audit_log
from educredit.subjects.models import Institution

pytestmark = pytest.mark.django_db


def sequenced() -> list[tuple[SequencedLeaf, AuditEntry]]:
    leaves = list(SequencedLeaf.objects.order_by("seq").select_related("entry"))
    return [(leaf, leaf.entry) for leaf in leaves]


def test_entries_wait_in_the_queue_until_the_sequencer_chains_them():
    _, schools = small_history()
    assert AuditQueuedLeaf.objects.count() == 7 and not SequencedLeaf.objects.exists()
    assert sequence_pending(actor=ACTOR) == 7
    assert not AuditQueuedLeaf.objects.exists()
    rows = sequenced()
    assert [leaf.seq for leaf, _ in rows] == list(range(1, 8))
    assert [entry.pk for _, entry in rows] == sorted(entry.pk for _, entry in rows)
    previous = GENESIS_CHAIN_HASH
    for leaf, entry in rows:
        assert entry.leaf_hash == compute_leaf_hash(entry) == leaf.leaf_hash
        assert leaf.chain_hash == chain_next(previous, entry.leaf_hash)
        assert cp.entry_mac_valid(entry.leaf_hash, entry.mac)
        previous = leaf.chain_hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_chain_hash) == (7, previous)
    rename = rows[5][1]
    assert rename.action == "institution.rename"
    assert rename.changed_fields == ["name"]
    assert rename.after_digest == row_digest(schools[0])
    assert rename.before_digest not in ("", rename.after_digest)
    assert rename.actor_label == ACTOR and rename.actor_id is None
    assert [e.action for e in audit_entries_for(schools[0])] == [
        "institution.create",
        "institution.rename",
    ]


def test_a_deletion_is_recorded_as_the_row_gone():
    province = organisation_made()
    school = institution_made(province, "河南大学", "4141010475")
    pk = school.pk
    before = school.audit_snapshot()
    school.delete()
    entry = audit_append(actor=ACTOR, action="institution.delete", target=school, before=before)
    assert entry.target_id == str(pk)
    assert entry.after_digest == ""
    assert "name" in entry.changed_fields


def test_a_rolled_back_write_leaves_no_entry_and_no_gap():
    province = organisation_made()
    with pytest.raises(RuntimeError), transaction.atomic():
        institution_made(province, "河南大学", "4141010475")
        raise RuntimeError("the service failed after auditing")
    institution_made(province, "郑州大学", "4141010459")
    assert AuditEntry.objects.count() == AuditQueuedLeaf.objects.count() == 2
    sequence_pending(actor=ACTOR)
    assert list(SequencedLeaf.objects.values_list("seq", flat=True)) == [1, 2]
    assert verify_audit_log().ok


def test_bulk_batch_is_one_entry_with_its_members_in_order():
    province = organisation_made()
    schools = [institution_made(province, f"学校{i}", f"41{i:08d}") for i in range(3)]
    members = [(s.pk, row_digest(s)) for s in schools]
    entry = audit_append_bulk(
        actor="system:load", action="institution.load", model=Institution, members=iter(members)
    )
    assert entry.member_count == 3
    assert entry.target_type == "subjects.institution"
    assert entry.after_digest == members_digest([(str(pk), d) for pk, d in members])
    stored = list(
        AuditBulkMember.objects.filter(entry=entry)
        .order_by("position")
        .values_list("position", "target_pk", "row_digest")
    )
    assert stored == [(i, str(pk), d) for i, (pk, d) in enumerate(members)]
    assert entry.leaf_hash == compute_leaf_hash(entry)
    # The id reserved for the batch is the entry's, and later entries come after it.
    later = organisation_made("开封市教育局")
    assert AuditEntry.objects.order_by("-id").first() == AuditEntry.objects.get(
        target_id=str(later.pk), target_type="accounts.organisation"
    )
    sequence_pending(actor=ACTOR)
    assert verify_audit_log().ok


def test_bulk_batch_rejects_something_that_is_not_a_digest():
    with pytest.raises(ValueError, match="digest"):
        audit_append_bulk(
            actor="system:load", action="x.load", model=Institution, members=[(1, "abc")]
        )


def test_each_batch_signs_a_checkpoint_and_later_ones_extend_it():
    small_history()
    sequence_pending(actor=ACTOR)
    head = TreeHead.objects.get()
    leaves = [bytes.fromhex(h) for h in SequencedLeaf.objects.values_list("leaf_hash", flat=True)]
    assert head.size == 7
    assert head.root_hash == merkle.root_of(leaves).hex()
    opened = cp.open_checkpoint(head.checkpoint, cp.key_name(), cp.public_key_bytes())
    assert opened == cp.Checkpoint(cp.key_name(), 7, bytes.fromhex(head.root_hash))
    lines = head.checkpoint.split("\n")
    assert lines[3] == "" and lines[4].startswith(f"— {cp.key_name()} ")
    assert sequence_pending(actor=ACTOR) == 0
    assert TreeHead.objects.count() == 1  # nothing new: no new head
    organisation_made("开封市教育局")
    sequence_pending(actor=ACTOR)
    newer = TreeHead.objects.latest()
    assert newer.size == 8
    # The newer tree extends the older one: an RFC 9162 consistency proof from stored nodes.
    proof = consistency_proof_between(7, 8)
    assert merkle.verify_consistency(
        7,
        8,
        [bytes.fromhex(h) for h in proof["consistency_path"]],
        bytes.fromhex(head.root_hash),
        bytes.fromhex(newer.root_hash),
    )


def test_small_batches_give_the_same_tree_and_every_stored_node_is_its_subtree(settings):
    for index in range(5):
        organisation_made(f"教育局{index}")
    province = organisation_made()
    for index in range(6):
        institution_made(province, f"学校{index}", f"41{index:08d}")
    settings.EDUCREDIT_AUDIT_SEQUENCE_BATCH = 3
    assert sequence_pending(actor=ACTOR) == 12
    assert list(TreeHead.objects.values_list("size", flat=True)) == [3, 6, 9, 12]
    leaves = [bytes.fromhex(h) for h in SequencedLeaf.objects.values_list("leaf_hash", flat=True)]
    assert TreeHead.objects.latest().root_hash == merkle.root_of(leaves).hex()
    nodes = list(AuditNode.objects.values_list("level", "position", "hash"))
    assert len(nodes) == 6 + 3 + 1  # the perfect subtrees of 2, 4 and 8 leaves among 12
    for level, position, value in nodes:
        width = 1 << level
        assert merkle.root_of(leaves, position * width, (position + 1) * width).hex() == value


def test_an_entry_without_a_valid_mac_is_left_out_of_the_log_and_named():
    small_history()
    forged = AuditEntry.objects.order_by("id")[2]
    drop_protection()
    raw("UPDATE audit_auditentry SET mac = %s WHERE id = %s", ["0" * 64, forged.pk])
    assert sequence_pending(actor=ACTOR) == 6
    assert not SequencedLeaf.objects.filter(entry_id=forged.pk).exists()
    assert not AuditQueuedLeaf.objects.exists()  # the log goes on for everyone else
    result = verify_audit_log(check_rows=False)
    assert [(p.kind, p.entry_id, p.seq) for p in result.entry_problems] == [
        (INSERTED, forged.pk, None)
    ]


def test_a_signed_entry_timestamp_verifies_and_promises_the_merge_deadline(settings):
    settings.EDUCREDIT_AUDIT_MMD_SECONDS = 2
    province = organisation_made()
    entry = audit_append(
        actor=ACTOR, action="organisation.touch", target=province, before=None, receipt=True
    )
    assert entry.merge_deadline is not None
    assert (entry.merge_deadline - entry.created_at).total_seconds() == 2
    stamp = entry_timestamp(entry)
    name, key = cp.key_name(), cp.public_key_bytes()
    opened = open_entry_timestamp(stamp.note, name, key)
    assert opened is not None
    assert opened.leaf_hash.hex() == entry.leaf_hash == stamp.as_dict()["leaf_hash"]
    assert opened.merge_deadline == entry.merge_deadline
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    assert open_entry_timestamp(stamp.note, name, other) is None
    later = stamp.note.replace(stamp.as_dict()["merge_deadline"], "2099-01-01T00:00:00.000000Z")
    assert open_entry_timestamp(later, name, key) is None
    # A timestamp is never taken for a checkpoint, nor a checkpoint for a timestamp.
    assert cp.open_checkpoint(stamp.note, name, key) is None
    sequence_pending(actor=ACTOR)
    checkpoint = TreeHead.objects.latest().checkpoint
    assert open_entry_timestamp(checkpoint, name, key) is None
    # Sequenced in time: the promise was kept.
    assert verify_audit_log(check_rows=False).ok
    with pytest.raises(ValueError, match="receipt"):
        entry_timestamp(AuditEntry.objects.order_by("id")[0])


def test_verify_names_a_broken_promise(settings):
    settings.EDUCREDIT_AUDIT_MMD_SECONDS = 0.001
    province = organisation_made()
    audit_append(
        actor=ACTOR, action="organisation.touch", target=province, before=None, receipt=True
    )
    time.sleep(0.01)  # the sequencer comes later than the millisecond promised
    sequence_pending(actor=ACTOR)
    result = verify_audit_log(check_rows=False)
    assert [p.scope for p in result.problems] == ["promise"]
    assert "1 entries were not integrated within the promised maximum merge delay" in (
        result.problems[0].message_en
    )


def test_a_checkpoint_fails_under_another_key_or_when_edited():
    small_history()
    sequence_pending(actor=ACTOR)
    head = TreeHead.objects.latest()
    name, key = cp.key_name(), cp.public_key_bytes()
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    assert cp.open_checkpoint(head.checkpoint, name, other) is None
    assert cp.open_checkpoint(head.checkpoint.replace("\n7\n", "\n6\n"), name, key) is None
    assert cp.open_checkpoint(head.checkpoint, "someone-else", key) is None
    assert cp.parse_verifier_key(cp.verifier_key()) == (name, key)


def test_a_verifier_key_whose_base64_holds_plus_signs_parses():
    # 0xfb bytes encode as "+" in base64: keys like this are drawn at random in real key files.
    key = b"\xfb" * 32
    vkey = cp.verifier_key("educredit.example/audit", key)
    assert "+" in vkey.split("+", 2)[2]
    assert cp.parse_verifier_key(vkey) == ("educredit.example/audit", key)


@pytest.mark.parametrize(
    "table",
    [
        "audit_auditentry",
        "audit_treehead",
        "audit_auditbulkmember",
        "audit_sequencedleaf",
        "audit_auditnode",
    ],
)
def test_plain_update_and_delete_are_refused_by_the_database(table):
    small_history()
    audit_append_bulk(actor="system:load", action="x", model=Institution, members=[(1, "a" * 64)])
    sequence_pending(actor=ACTOR)
    column = {
        "audit_auditentry": "reason",
        "audit_treehead": "sealed_by",
        "audit_auditbulkmember": "target_pk",
        "audit_sequencedleaf": "chain_hash",
        "audit_auditnode": "hash",
    }[table]
    for sql in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql)
    first = AuditEntry.objects.order_by("id")[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=first.pk).update(reason="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=first.pk).delete()
    assert AuditEntry.objects.count() == 8


def test_the_chain_head_and_the_queue_stay_writable():
    organisation_made()
    AuditChainHead.objects.update_or_create(id=1, defaults={"last_seq": 1})  # no trigger
    AuditQueuedLeaf.objects.all().delete()  # the sequencer empties it


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables_despite_the_triggers():
    # A transactional test ends with ``flush``; on SQLite the triggers must let it through.
    small_history()
    sequence_pending(actor=ACTOR)
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not TreeHead.objects.exists()
    assert not SequencedLeaf.objects.exists() and not AuditNode.objects.exists()
    organisation_made()  # the head row is re-created on first use
    sequence_pending(actor=ACTOR)
    assert SequencedLeaf.objects.get().seq == 1


POSTGRES_ONLY = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="SQLite serialises writers with its database lock; row locks are PostgreSQL's",
)


@pytest.mark.django_db(transaction=True)
@POSTGRES_ONLY
def test_a_write_does_not_wait_for_a_sequencer_holding_the_head():
    province = organisation_made()
    written = threading.Event()
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(id=1)  # a sequencer mid-batch

        def write() -> None:
            try:
                institution_made(province, "郑州大学", "4141010459")
                written.set()
            finally:
                connections.close_all()

        writer = threading.Thread(target=write)
        writer.start()
        # Joined while the head is still held: a writer that waited for it would time out here.
        writer.join(timeout=30)
        assert written.is_set()
    sequence_pending(actor=ACTOR)
    assert SequencedLeaf.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@POSTGRES_ONLY
def test_concurrent_writers_and_two_sequencers_make_one_linear_log():
    province = organisation_made()
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)
    done = threading.Event()

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for n in range(10):
                institution_made(province, f"学校{index}-{n}", f"4{index}{n:08d}")
                if n % 3 == 0:
                    institution_renamed(Institution.objects.get(moe_code=f"4{index}{n:08d}"), "x")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    def sequencer() -> None:
        try:
            while not done.is_set():
                sequence_pending(actor="system:sequencer-test")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    sequencers = [threading.Thread(target=sequencer) for _ in range(2)]
    for thread in [*sequencers, *writers]:
        thread.start()
    barrier.wait()
    for thread in writers:
        thread.join()
    done.set()
    for thread in sequencers:
        thread.join()
    assert not errors
    sequence_pending(actor=ACTOR)
    rows = sequenced()
    assert [leaf.seq for leaf, _ in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == AuditEntry.objects.count() == 1 + 4 * (10 + 4)
    assert len({entry.pk for _, entry in rows}) == len(rows)  # each entry exactly once
    result = verify_audit_log()
    assert result.ok, result.entry_problems or result.problems
    assert connection.vendor == "postgresql"
