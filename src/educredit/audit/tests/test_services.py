"""Appending, bulk batches, sealing signed tree heads, and the append-only triggers."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, connections, transaction

from educredit.audit import checkpoint as cp
from educredit.audit import merkle
from educredit.audit.models import AuditBulkMember, AuditChainHead, AuditEntry, TreeHead
from educredit.audit.selectors import audit_entries_for
from educredit.audit.services import (
    GENESIS_CHAIN_HASH,
    AuditIntegrityError,
    audit_append,
    audit_append_bulk,
    chain_next,
    compute_leaf_hash,
    members_digest,
    row_digest,
    tree_head_seal,
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
from educredit.subjects.models import Institution

pytestmark = pytest.mark.django_db


def test_entries_chain_linearly_and_record_what_changed():
    _, schools = small_history()
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, 8))
    previous = GENESIS_CHAIN_HASH
    for entry in entries:
        assert entry.leaf_hash == compute_leaf_hash(entry)
        assert entry.chain_hash == chain_next(previous, entry.leaf_hash)
        assert cp.entry_mac_valid(entry.leaf_hash, entry.mac)
        previous = entry.chain_hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_chain_hash) == (7, previous)
    rename = entries[5]
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
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2]


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


def test_bulk_batch_rejects_something_that_is_not_a_digest():
    with pytest.raises(ValueError, match="digest"):
        audit_append_bulk(
            actor="system:load", action="x.load", model=Institution, members=[(1, "abc")]
        )


def test_seal_signs_a_checkpoint_over_all_entries_and_is_idempotent():
    small_history()
    head = tree_head_seal(actor=ACTOR)
    leaves = [bytes.fromhex(h) for h in AuditEntry.objects.values_list("leaf_hash", flat=True)]
    assert head.size == 7
    assert head.root_hash == merkle.root_of(leaves).hex()
    opened = cp.open_checkpoint(head.checkpoint, cp.key_name(), cp.public_key_bytes())
    assert opened == cp.Checkpoint(cp.key_name(), 7, bytes.fromhex(head.root_hash))
    lines = head.checkpoint.split("\n")
    assert lines[3] == "" and lines[4].startswith(f"— {cp.key_name()} ")
    assert tree_head_seal(actor=ACTOR).pk == head.pk  # nothing new: same head
    organisation_made("开封市教育局")
    newer = tree_head_seal(actor=ACTOR)
    assert newer.size == 8
    # The newer tree extends the older one (checked with an RFC 9162 consistency proof).
    leaves = [bytes.fromhex(h) for h in AuditEntry.objects.values_list("leaf_hash", flat=True)]
    proof = merkle.consistency_proof(leaves, 7, 8)
    assert merkle.verify_consistency(
        7, 8, proof, bytes.fromhex(head.root_hash), bytes.fromhex(newer.root_hash)
    )


def test_a_checkpoint_fails_under_another_key_or_when_edited():
    small_history()
    head = tree_head_seal(actor=ACTOR)
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


def test_auto_seal_every_n_entries(settings):
    settings.EDUCREDIT_AUDIT_SEAL_EVERY = 3
    small_history()  # 7 entries
    assert list(TreeHead.objects.values_list("size", flat=True)) == [3, 6]


def test_seal_refuses_to_vouch_for_an_edited_entry():
    small_history()
    drop_protection()
    raw("UPDATE audit_auditentry SET reason = %s WHERE seq = 4", ["改过"])
    with pytest.raises(AuditIntegrityError, match="#4"):
        tree_head_seal(actor=ACTOR)


@pytest.mark.parametrize("table", ["audit_auditentry", "audit_treehead", "audit_auditbulkmember"])
def test_plain_update_and_delete_are_refused_by_the_database(table):
    small_history()
    tree_head_seal(actor=ACTOR)
    audit_append_bulk(actor="system:load", action="x", model=Institution, members=[(1, "a" * 64)])
    column = {"audit_auditentry": "reason", "audit_treehead": "sealed_by"}.get(table, "target_pk")
    for sql in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(reason="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(seq=1).delete()
    assert AuditEntry.objects.count() == 8


def test_the_chain_head_stays_updatable():
    organisation_made()
    AuditChainHead.objects.filter(id=1).update(last_seq=1)  # no trigger on the head


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_tables_despite_the_triggers():
    # A transactional test ends with ``flush``; on SQLite the triggers must let it through.
    small_history()
    tree_head_seal(actor=ACTOR)
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not TreeHead.objects.exists()
    organisation_made()  # the head row is re-created on first use
    assert AuditEntry.objects.get().seq == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="SQLite serialises writers with its database lock; row locks are PostgreSQL's",
)
def test_concurrent_appends_stay_one_linear_chain():
    province = organisation_made()
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(index: int) -> None:
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

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) == 1 + 4 * (10 + 4)
    previous = GENESIS_CHAIN_HASH
    for entry in entries:
        assert entry.chain_hash == chain_next(previous, entry.leaf_hash)
        previous = entry.chain_hash
    assert connection.vendor == "postgresql"
