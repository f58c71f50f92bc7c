"""Benchmark: ``windows_recompute_all`` vs a hand-written SQL UPDATE doing the same computation.

    .venv/bin/python bench/disclosure_windows.py               # 500 000 records (scale 0.1)
    .venv/bin/python bench/disclosure_windows.py --records 50000   # quick

Creates (dropping first) the PostgreSQL database ``educredit_bench_windows`` (``BENCH_PG``
overrides postgres://postgres@127.0.0.1:5432), migrates it, COPYs synthetic credit records
across every severity, status (revoked and repaired ones with the transition that moved them),
rule period and disclosure mode, then in the same run times
(each after resetting every window to empty and VACUUM ANALYZE):

1. the baseline: one hand-written ``UPDATE … SET … = CASE …`` over the same rules, with the
   server's JIT and without (the faster counts);
2. ``windows_recompute_all`` (set-based UPDATEs plus one bulk audit entry of every changed row).

Prints both and the ratio (target ≤ 1.5×), and checks that both gave every record the same
dates; drops the database at the end, also on failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "educredit_bench_windows"
ROOT = Path(__file__).resolve().parents[1]


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def baseline_sql() -> str:
    """The same rules as ``records.windows``, written by hand for PostgreSQL."""
    d = "r.decision_date"
    period = f"""CASE
      WHEN r.severity IN ('trustworthy','neutral') THEN NULL
      WHEN {d} >= '2026-04-01' THEN CASE r.severity WHEN 'minor' THEN NULL
           WHEN 'general' THEN 12 ELSE 36 END
      WHEN {d} >= '2023-05-01' THEN 36
      WHEN {d} >= '2019-07-01' THEN CASE r.severity WHEN 'serious' THEN 36 ELSE 12 END
      ELSE CASE r.severity WHEN 'serious' THEN 36 ELSE 12 END END"""
    minimum = f"""CASE
      WHEN r.severity IN ('trustworthy','neutral') THEN NULL
      WHEN {d} >= '2026-04-01' THEN CASE r.severity WHEN 'minor' THEN 0
           WHEN 'general' THEN 3 ELSE 12 END
      WHEN {d} >= '2023-05-01' THEN 3
      WHEN {d} >= '2019-07-01' THEN CASE r.severity WHEN 'serious' THEN 6 ELSE 3 END
      ELSE {period} END"""
    hidden = (
        "(r.person_id IS NOT NULL AND (r.procedure = 'simplified' OR r.corrected_minor_violation))"
    )
    shown = (
        f"NOT {hidden} AND c.disclosure_mode = 'public' AND r.status NOT IN ('draft','submitted')"
        f" AND NOT (r.severity = 'minor' AND {d} >= '2026-04-01')"
    )
    # A revoked or repaired record stops being public on the (Beijing) day it moved there.
    ended = """(SELECT CAST(max(t.at AT TIME ZONE 'Asia/Shanghai') AS date)
      FROM records_creditrecordtransition AS t
      WHERE t.record_id = r.id AND t.to_status = r.status)"""
    until = f"CAST({d} + make_interval(months => {period}) AS date)"
    return f"""
    UPDATE records_creditrecord AS r SET
      public_from = CASE WHEN {shown} THEN {d} END,
      public_until = CASE WHEN NOT ({shown}) THEN NULL
                     WHEN r.status IN ('revoked','repaired')
                     THEN LEAST({until}, {ended})
                     WHEN ({period}) IS NOT NULL THEN {until} END,
      repair_allowed_from = CASE WHEN NOT {hidden} AND ({minimum}) IS NOT NULL
                     THEN CAST({d} + make_interval(months => {minimum}) AS date) END,
      window_rule = CASE WHEN {hidden} THEN 'hidden' WHEN {shown} THEN 'rule ' || r.severity
                    ELSE 'not public' END
    FROM catalog_catalogitem AS c WHERE c.id = r.catalog_item_id"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500_000)
    args = parser.parse_args()
    admin(f"DROP DATABASE IF EXISTS {DB}")
    admin(f"CREATE DATABASE {DB}")
    try:
        run(args.records)
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def run(n: int) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from educredit.catalog.choices import DisclosureMode, Severity
    from educredit.catalog.models import CatalogItem, CatalogVersion
    from educredit.records.models import CreditRecord
    from educredit.records.windows import windows_recompute_all
    from educredit.testing.factories import make_province

    call_command("migrate", verbosity=0)
    province = make_province()
    version = CatalogVersion.objects.create(
        number=1, title="目录", effective_from=dt.date(2017, 1, 1), status="published"
    )
    items = []
    for i, (severity, mode) in enumerate(
        [
            (s, m)
            for s in Severity.values
            for m in (DisclosureMode.PUBLIC, DisclosureMode.GOVERNMENT)
        ]
    ):
        items.append(
            CatalogItem.objects.create(
                version=version,
                code=f"B{i}",
                name="条目",
                provider="厅",
                subject_type="both",
                category="penalty",
                sharing="unconditional",
                severity=severity,
                disclosure_mode=mode,
            )
        )
    from educredit.subjects.tests.factories import make_institution, make_person, resident_id

    school = make_institution(supervisor=province, name="基准学校", serial=1)
    person = make_person(institution=school, name="李四", number=resident_id(1))
    statuses = ["effective"] * 6 + [
        "draft",
        "submitted",
        "under_objection",
        "expired",
        "revoked",
        "repaired",
    ]
    start = dt.date(2016, 1, 1)
    now = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    cols = (
        "public_id, catalog_item_id, institution_id, person_id, organisation_id, status, "
        "severity, title, decision_number, issuing_body, issuing_body_uscc, decision_date, "
        "procedure, corrected_minor_violation, payload, source, window_rule, created_at, "
        "updated_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY records_creditrecord ({cols}) FROM STDIN") as copy,
    ):
        for i in range(n):
            item = items[i % len(items)]
            on_person = i % 13 == 0
            copy.write_row(
                (
                    uuid.uuid4(),
                    item.pk,
                    None if on_person else school.pk,
                    person.pk if on_person else None,
                    province.pk,
                    statuses[i % len(statuses)],
                    item.severity,
                    "基准记录",
                    "",
                    "教育局",
                    "",
                    start + dt.timedelta(days=(i * 7919) % 3900),
                    "simplified" if i % 29 == 0 else "ordinary",
                    i % 31 == 0,
                    "{}",
                    "page",
                    "",
                    now,
                    now,
                )
            )
    # Each revoked or repaired record has the transition that moved it there.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO records_creditrecordtransition "
            "(record_id, from_status, to_status, actor_label, reason, at) "
            "SELECT id, 'effective', status, 'bench', '', "
            "CAST(decision_date AS timestamp) + interval '200 days 3 hours' "
            "FROM records_creditrecord WHERE status IN ('revoked', 'repaired')"
        )
    connection.commit() if not connection.get_autocommit() else None
    print(f"loaded {n} records in {time.perf_counter() - t0:.1f} s")

    def reset() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE records_creditrecord SET public_from = NULL, public_until = NULL, "
                "repair_allowed_from = NULL, window_rule = ''"
            )
            cursor.execute("VACUUM ANALYZE records_creditrecord")

    def time_baseline(jit: str) -> tuple[float, int]:
        reset()
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {jit}")
            t0 = time.perf_counter()
            cursor.execute(baseline_sql())
            elapsed, rows = time.perf_counter() - t0, cursor.rowcount
            cursor.execute("RESET jit")
        return elapsed, rows

    # The hand-written UPDATE at its best: with the server's JIT (the default) and without.
    timings = {jit: time_baseline(jit) for jit in ("on", "off")}
    baseline, base_rows = min(timings.values())
    with connection.cursor() as cursor:  # the baseline's dates, to check ours agree
        cursor.execute(
            "CREATE TEMP TABLE expected AS SELECT id, public_from, public_until, "
            "repair_allowed_from FROM records_creditrecord"
        )
    reset()
    t0 = time.perf_counter()
    counts = windows_recompute_all(actor="system:bench", as_of=dt.date(2026, 11, 27))
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = windows_recompute_all(actor="system:bench", as_of=dt.date(2026, 11, 27))
    noop = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM records_creditrecord r JOIN expected e ON e.id = r.id "
            "WHERE (r.public_from, r.public_until, r.repair_allowed_from) IS DISTINCT FROM "
            "(e.public_from, e.public_until, e.repair_allowed_from)"
        )
        (disagree,) = cursor.fetchone()
    for jit, (elapsed, _) in timings.items():
        print(f"baseline hand-written UPDATE, jit {jit}: {elapsed:.2f} s ({base_rows} rows)")
    print(
        f"windows_recompute_all:        {ours:.2f} s ({counts.changed} changed, "
        f"{counts.statements} statements, one bulk audit entry)"
    )
    print(f"ratio to the faster baseline: {ours / baseline:.2f}x (target <= 1.5x)")
    print(f"second run (nothing changed): {noop:.2f} s ({again.changed} changed)")
    print(f"records whose dates differ from the baseline's: {disagree}")
    if disagree:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.severity, r.status, c.disclosure_mode, min(r.decision_date), "
                "max(r.decision_date), count(*) FROM records_creditrecord r "
                "JOIN expected e ON e.id = r.id "
                "JOIN catalog_catalogitem c ON c.id = r.catalog_item_id "
                "WHERE (r.public_from, r.public_until, r.repair_allowed_from) IS DISTINCT FROM "
                "(e.public_from, e.public_until, e.repair_allowed_from) GROUP BY 1, 2, 3"
            )
            for row in cursor.fetchall():
                print("  differ:", *row)
        raise SystemExit("windows_recompute_all and the baseline disagree")
    if CreditRecord.objects.count() != n:
        raise SystemExit("record count changed")


if __name__ == "__main__":
    main()
