"""``audit verify`` names each kind of tampering made with raw SQL, on SQLite and PostgreSQL.

Each test first drops the append-only triggers as an attacker with database rights would; the
test's transaction rolls the drop back, so nothing leaks into the next test.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from educredit.audit.checkpoint import entry_mac
from educredit.audit.models import AuditChainHead, AuditEntry, SequencedLeaf, TreeHead
from educredit.audit.sequencer import sequence_pending
from educredit.audit.services import (
    audit_append,
    audit_append_bulk,
    chain_next,
    compute_leaf_hash,
    row_digest,
)
from educredit.audit.tests.helpers import (
    ACTOR,
    drop_protection,
    institution_made,
    organisation_made,
    raw,
    small_history,
)
from educredit.audit.verification import VerificationResult, verify_audit_log
from educredit.subjects.models import Institution

pytestmark = pytest.mark.django_db


def first(result: VerificationResult) -> tuple[int | None, str] | None:
    problem = result.first_entry_problem
    return None if problem is None else (problem.seq, problem.kind)


def rows(result: VerificationResult) -> set[tuple[str, str, str]]:
    return {(p.model, p.pk, p.kind) for p in result.row_problems}


def at(seq: int) -> int:
    """The id of the entry at position ``seq`` of the log."""
    return int(SequencedLeaf.objects.get(seq=seq).entry_id)


@pytest.fixture
def history():
    """Seven single entries, a signed head over them, then a bulk batch (entry 8), sequenced."""
    province, schools = small_history()
    sequence_pending(actor=ACTOR)
    loaded = [
        Institution.objects.create(
            name=f"批量学校{i}",
            moe_code=f"4150{i:06d}",
            kind="primary",
            region_code="410102",
            supervisor=province,
        )
        for i in range(3)
    ]
    audit_append_bulk(
        actor="system:load",
        action="institution.load",
        model=Institution,
        members=[(s.pk, row_digest(s)) for s in loaded],
    )
    sequence_pending(actor=ACTOR)
    return province, schools, loaded


def test_an_untouched_log_verifies(history):
    result = verify_audit_log()
    assert result.ok, (result.entry_problems, result.problems, result.row_problems)
    assert (result.entries, result.tree_heads, result.bulk_members) == (8, 2, 3)
    assert result.rows >= 8
    assert "subjects.institution" in result.models


def test_an_edited_entry_is_named(history):
    drop_protection()
    raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["无", at(4)])
    result = verify_audit_log()
    assert not result.ok
    assert first(result) == (4, "edited")
    assert any(p.scope == "tree_head" for p in result.problems)  # the signed root disagrees


def test_a_deleted_entry_is_named(history):
    drop_protection()
    raw("DELETE FROM audit_auditentry WHERE id = %s", [at(3)])
    result = verify_audit_log()
    assert first(result) == (3, "deleted")


def test_a_deleted_place_in_the_log_is_named(history):
    drop_protection()
    raw("DELETE FROM audit_sequencedleaf WHERE seq = 3")
    result = verify_audit_log()
    assert first(result) == (3, "deleted")


def test_a_deleted_last_entry_is_named(history):
    drop_protection()
    last = at(8)
    raw("DELETE FROM audit_auditbulkmember")
    raw("DELETE FROM audit_sequencedleaf WHERE seq = 8")
    raw("DELETE FROM audit_auditentry WHERE id = %s", [last])
    result = verify_audit_log()
    assert first(result) == (8, "deleted")


def _forged(head: AuditChainHead) -> AuditEntry:
    forged = AuditEntry(
        created_at=timezone.now() - dt.timedelta(days=30),
        actor_label="admin",
        action="institution.approve",
        target_type="subjects.institution",
        target_id="1",
        before_digest="",
        after_digest="0" * 64,
        changed_fields=[],
        reason="",
        request_id="",
    )
    forged.leaf_hash = compute_leaf_hash(forged)
    return forged


def _insert(entry: AuditEntry, mac: str) -> int:
    raw(
        "INSERT INTO audit_auditentry (created_at, actor_label, action, target_type,"
        " target_id, before_digest, after_digest, changed_fields, reason, request_id,"
        " leaf_hash, mac) VALUES (%s, %s, %s, %s, %s, '', %s, '[]', '', '', %s, %s)",
        [
            entry.created_at,
            entry.actor_label,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.after_digest,
            entry.leaf_hash,
            mac,
        ],
    )
    return int(AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0])


def test_an_inserted_entry_is_named(history):
    """A forged entry with correct leaf and chain hashes given a place and a moved head."""
    drop_protection()
    head = AuditChainHead.objects.get()
    forged = _forged(head)
    entry_id = _insert(forged, "f" * 64)
    chain = chain_next(head.last_chain_hash, forged.leaf_hash)
    raw(
        "INSERT INTO audit_sequencedleaf (seq, entry_id, leaf_hash, chain_hash, integrated_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        [head.last_seq + 1, entry_id, forged.leaf_hash, chain, timezone.now()],
    )
    raw(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_chain_hash = %s",
        [head.last_seq + 1, chain],
    )
    result = verify_audit_log()
    assert first(result) == (9, "inserted")


def test_an_entry_written_behind_the_log_is_named(history):
    """An entry that is neither in the log nor queued for it, even with a valid MAC (someone
    holding the key file who skipped the queue): it never got a place anyone can prove."""
    drop_protection()
    forged = _forged(AuditChainHead.objects.get())
    entry_id = _insert(forged, entry_mac(forged.leaf_hash))
    result = verify_audit_log()
    assert first(result) == (None, "inserted")
    problem = result.first_entry_problem
    assert problem is not None and problem.entry_id == entry_id
    assert "neither in the log nor queued" in problem.detail_en


def test_a_copied_entry_put_in_a_place_of_the_log_is_named(history):
    """A real entry (valid MAC) copied and given the place of another."""
    drop_protection()
    raw("DELETE FROM audit_auditentry WHERE id = %s", [at(5)])
    raw(
        "INSERT INTO audit_auditentry (created_at, actor_id, actor_label, action,"
        " target_type, target_id, before_digest, after_digest, changed_fields, reason,"
        " request_id, leaf_hash, mac, member_count)"
        " SELECT created_at, actor_id, actor_label, action, target_type, target_id,"
        " before_digest, after_digest, changed_fields, reason, request_id, leaf_hash,"
        " mac, member_count FROM audit_auditentry WHERE id = %s",
        [at(2)],
    )
    copy = AuditEntry.objects.order_by("-id").values_list("id", flat=True)[0]
    raw("UPDATE audit_sequencedleaf SET entry_id = %s WHERE seq = 5", [copy])
    result = verify_audit_log()
    assert first(result) == (5, "inserted")
    problem = result.first_entry_problem
    assert problem is not None and "#2" in problem.detail_en


def test_two_swapped_entries_are_named(history):
    drop_protection()
    second, fourth = at(2), at(4)
    raw("UPDATE audit_sequencedleaf SET entry_id = -1 WHERE seq = 2")
    raw("UPDATE audit_sequencedleaf SET entry_id = %s WHERE seq = 4", [second])
    raw("UPDATE audit_sequencedleaf SET entry_id = %s WHERE seq = 2", [fourth])
    result = verify_audit_log()
    assert first(result) == (2, "reordered")
    kinds = {(p.seq, p.kind) for p in result.entry_problems}
    assert kinds == {(2, "reordered"), (4, "reordered")}  # entry 3 between them is not blamed


def test_a_subject_row_edited_directly_is_named(history):
    _, schools, _ = history
    raw("UPDATE subjects_institution SET name = %s WHERE id = %s", ["伪造大学", schools[2].pk])
    result = verify_audit_log()
    assert result.first_entry_problem is None  # the log itself is intact
    assert rows(result) == {("subjects.institution", str(schools[2].pk), "changed")}
    assert not result.ok


def test_a_bulk_loaded_row_edited_directly_is_named(history):
    *_, loaded = history
    raw("UPDATE subjects_institution SET region_code = '419001' WHERE id = %s", [loaded[1].pk])
    result = verify_audit_log()
    assert rows(result) == {("subjects.institution", str(loaded[1].pk), "changed")}


def test_rows_inserted_or_deleted_behind_the_services_back_are_named(history):
    _, schools, _ = history
    # Copy a row under new unique values: INSERT … SELECT over the table's own columns.
    replaced = {"public_id": "%s", "uscc": "NULL", "moe_code": "'4199999999'"}
    replaced["organisation_id"] = "NULL"
    columns = [f.column for f in Institution._meta.concrete_fields if f.column != "id"]
    select = ", ".join(replaced.get(column, column) for column in columns)
    raw(
        f"INSERT INTO subjects_institution ({', '.join(columns)})"
        f" SELECT {select} FROM subjects_institution WHERE id = %s",
        ["0f1e2d3c4b5a69788796a5b4c3d2e1f0", schools[0].pk],
    )
    shadow = Institution.objects.get(moe_code="4199999999")
    raw("DELETE FROM subjects_institution WHERE id = %s", [schools[3].pk])
    result = verify_audit_log()
    assert rows(result) == {
        ("subjects.institution", str(shadow.pk), "inserted"),
        ("subjects.institution", str(schools[3].pk), "deleted"),
    }


def test_a_recorded_deletion_is_not_a_problem(history):
    _, schools, _ = history
    school = schools[3]
    before = school.audit_snapshot()
    school.delete()
    audit_append(actor=ACTOR, action="institution.delete", target=school, before=before)
    assert verify_audit_log().ok


def test_an_altered_bulk_member_is_named(history):
    drop_protection()
    raw("UPDATE audit_auditbulkmember SET row_digest = %s WHERE position = 1", ["0" * 64])
    result = verify_audit_log()
    assert first(result) == (8, "edited")


def test_a_tree_head_with_a_forged_signature_is_named(history):
    drop_protection()
    raw("UPDATE audit_treehead SET checkpoint = replace(checkpoint, '\n7\n', '\n6\n')")
    result = verify_audit_log()
    assert any("signature" in p.message_en for p in result.problems)


def test_missing_triggers_are_a_problem(history):
    drop_protection()
    result = verify_audit_log()
    assert any(p.scope == "protection" for p in result.problems)


def test_an_outside_checkpoint_catches_a_rewritten_log(history, tmp_path):
    """Rewriting history and re-hashing it leaves a saved checkpoint unmatched."""
    saved = TreeHead.objects.latest().checkpoint
    drop_protection()
    raw("DELETE FROM audit_treehead")
    raw("UPDATE audit_auditentry SET reason = %s WHERE id = %s", ["改写", at(2)])
    result = verify_audit_log(checkpoints=[saved])
    assert any(p.scope == "tree_head" and "outside" in p.message_en for p in result.problems)


def test_verify_command_passes_and_fails_with_a_bilingual_summary(history, capsys):
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "结果：通过 / result: OK" in out
    drop_protection()
    raw("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [at(6)])
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify")
    assert excinfo.value.returncode == 1
    out = capsys.readouterr().out
    assert "#6 被修改 / edited" in out
    assert "结果：失败 / result: FAILED" in out


def test_sequence_prove_and_public_key_commands(history, capsys):
    organisation_made("洛阳市教育局")
    call_command("audit", "sequence")
    out = capsys.readouterr().out
    assert out.startswith("并入 / integrated: 1\n")
    checkpoint = out.split("\n", 1)[1]
    assert checkpoint.split("\n")[1] == "9"
    call_command("audit", "prove", str(at(3)))
    proof = json.loads(capsys.readouterr().out)
    assert (proof["leaf_index"], proof["tree_size"]) == (2, 9)
    assert proof["checkpoint"] == checkpoint
    call_command("audit", "prove", "--consistency", "7", "9")
    consistency = json.loads(capsys.readouterr().out)
    assert (consistency["first"], consistency["second"]) == (7, 9)
    assert consistency["consistency_path"]
    call_command("audit", "public-key")
    assert capsys.readouterr().out.startswith("educredit.jyt.henan.gov.cn/audit+")
    later = organisation_made("开封市教育局")
    queued = AuditEntry.objects.get(target_type="accounts.organisation", target_id=str(later.pk))
    with pytest.raises(CommandError, match="sequencer"):
        call_command("audit", "prove", str(queued.pk))
    call_command("audit", "prove", str(queued.pk), "--sequence")
    assert json.loads(capsys.readouterr().out)["tree_size"] == 10
    with pytest.raises(CommandError, match="no signed tree head of size 6"):
        call_command("audit", "prove", "--consistency", "6", "10")


def test_rows_of_other_audited_models_are_checked_too(history):
    province, *_ = history
    raw("UPDATE accounts_organisation SET name = %s WHERE id = %s", ["假教育厅", province.pk])
    assert rows(verify_audit_log()) == {("accounts.organisation", str(province.pk), "changed")}


def test_a_row_written_through_services_after_a_load_then_edited_raw(history):
    school = institution_made(organisation_made("郑州市教育局"), "郑州一中", "4101000001")
    assert verify_audit_log().ok
    raw(
        "UPDATE subjects_institution SET legal_representative = %s WHERE id = %s",
        ["李四", school.pk],
    )
    assert rows(verify_audit_log()) == {("subjects.institution", str(school.pk), "changed")}
