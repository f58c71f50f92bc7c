"""Benchmark: the audit sequencer integrating queued entries vs a COPY of the same rows.

    .venv/bin/python bench/audit_sequencer.py                  # 1 000 000 queued entries
    .venv/bin/python bench/audit_sequencer.py --entries 100000 # quick

Creates (dropping first) the PostgreSQL database ``educredit_bench_sequencer`` (``BENCH_PG``
overrides postgres://postgres@127.0.0.1:5432), migrates it and writes ``--entries`` entries
as writers leave them (setup, not timed): each entry row (canonical content, leaf hash, MAC,
a merge deadline) and its queue row, COPYed in. Then, in the same run:

1. the baseline: ``COPY … TO`` of those entry rows (not timed), then ``COPY … FROM`` of exactly
   those rows into an empty twin of the entry table (``LIKE … INCLUDING ALL``: same columns,
   defaults and indexes), timed, in one transaction;
2. the sequencer: ``sequence_pending`` integrating every queued entry — MACs checked, seq and
   chain hash per entry, every completed Merkle subtree root stored, the queue emptied, the
   chain head moved and a tree head signed per batch (``EDUCREDIT_AUDIT_SEQUENCE_BATCH``).

Prints both times and the ratio (target ≤ 3×), then checks the result with ``audit verify``
(entries only: no audited rows here) and an inclusion proof, and drops the database at the
end, also on failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_sequencer")
ROOT = Path(__file__).resolve().parents[1]


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB}")
    try:
        run(args.entries)
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def _write_queued(count: int) -> None:
    """Entries as ``audit_append`` leaves them, COPYed in. Without merge deadlines: nobody
    sequences during the minutes the setup takes, so a promise would be broken by the bench."""
    from django.db import connection
    from django.utils import timezone

    from educredit.audit.checkpoint import entry_mac
    from educredit.audit.models import AuditEntry
    from educredit.audit.services import compute_leaf_hash

    start = timezone.now() - dt.timedelta(hours=1)
    columns = (
        "id, created_at, actor_label, action, target_type, target_id, before_digest, "
        "after_digest, changed_fields, reason, request_id, merge_deadline, leaf_hash, mac"
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY audit_auditentry ({columns}) FROM STDIN") as copy,
    ):
        for index in range(1, count + 1):
            entry = AuditEntry(
                created_at=start + dt.timedelta(microseconds=index),
                actor_label="api:bench0001",
                action="sanctions.check",
                target_type="sanctions.screeningcheck",
                target_id=str(index),
                after_digest=f"{index:064x}",
                reason="核查 / check teacher_qualification",
            )
            entry.leaf_hash = compute_leaf_hash(entry)
            copy.write_row(
                (
                    index,
                    entry.created_at,
                    entry.actor_label,
                    entry.action,
                    entry.target_type,
                    entry.target_id,
                    "",
                    entry.after_digest,
                    "[]",
                    entry.reason,
                    "",
                    None,
                    entry.leaf_hash,
                    entry_mac(entry.leaf_hash),
                )
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditqueuedleaf (entry_id) SELECT id FROM audit_auditentry"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), %s)", [count]
        )
        cursor.execute("VACUUM ANALYZE audit_auditentry")
        cursor.execute("VACUUM ANALYZE audit_auditqueuedleaf")


def _copy_baseline() -> float:
    """COPY FROM of the very entry rows into an empty twin with the same indexes."""
    from django.db import connection, transaction

    dump = io.BytesIO()
    with connection.cursor() as cursor:
        with cursor.cursor.copy("COPY audit_auditentry TO STDOUT") as copy:
            for block in copy:
                dump.write(block)
        cursor.execute("CREATE TABLE bench_entry_twin (LIKE audit_auditentry INCLUDING ALL)")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY bench_entry_twin FROM STDIN") as copy,
    ):
        copy.write(dump.getvalue())
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_entry_twin")
    return elapsed


def run(count: int) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from educredit.audit.models import SequencedLeaf, TreeHead
    from educredit.audit.selectors import StoredTree, entry_inclusion_proof
    from educredit.audit.sequencer import batch_size, sequence_pending
    from educredit.audit.verification import verify_audit_log

    call_command("migrate", verbosity=0)
    print(f"setup: writing {count:,} queued entries …", flush=True)
    _write_queued(count)

    copy_seconds = _copy_baseline()
    print(f"baseline  COPY of the {count:,} entry rows into a twin table: {copy_seconds:.2f} s")

    started = time.perf_counter()
    done = sequence_pending(actor="system:bench")
    sequence_seconds = time.perf_counter() - started
    if done != count:
        raise SystemExit(f"the sequencer integrated {done}, not {count}")
    print(
        f"sequencer integrating {count:,} queued entries (batches of {batch_size():,}, "
        f"{TreeHead.objects.count()} tree heads signed): {sequence_seconds:.2f} s "
        f"= {count / sequence_seconds:,.0f} entries/s"
    )
    ratio = sequence_seconds / copy_seconds
    print(f"ratio sequencer / COPY: {ratio:.2f} (target ≤ 3)")

    tree = StoredTree()
    middle = SequencedLeaf.objects.get(seq=count // 2 + 1).entry_id
    entry_inclusion_proof(middle, tree=tree)
    print(f"inclusion proof of entry #{count // 2 + 1}: {tree.rows_read} rows read")
    result = verify_audit_log(check_rows=False)
    problems = [*result.entry_problems, *result.problems]
    print(f"audit verify: {'OK' if result.ok else 'FAILED'} ({result.entries:,} entries)")
    if not result.ok:
        raise SystemExit(f"verification failed: {problems[:5]}")


if __name__ == "__main__":
    main()
