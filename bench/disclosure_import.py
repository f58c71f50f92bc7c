"""Benchmark: the 双公示 spreadsheet import (bulk path) vs a plain COPY of the same file.

    .venv/bin/python bench/disclosure_import.py                # 1 000 000 penalty rows
    .venv/bin/python bench/disclosure_import.py --rows 50000   # quick

Creates (dropping first) the PostgreSQL database ``educredit_bench_import`` (``BENCH_PG``
overrides postgres://postgres@127.0.0.1:5432, ``BENCH_DB`` the database's name), migrates it,
seeds the shipped catalog, a province bureau with a clerk and enough institutions
(bulk-inserted: setup, not measured), then writes a UTF-8 CSV of synthetic penalty rows in
the national layout with the Chinese headers — about 2 % invalid, with several kinds of
fault — and in the same run times:

1. the baseline: ``COPY bare_penalty FROM STDIN (FORMAT csv, HEADER)`` of the file into a
   table of 30 text columns (no checks, no indexes);
2. the import: ``disclosure.imports.import_file`` on a run of that file with the bulk path
   (validation of every row in worker processes, subjects by batch, records + transitions +
   decisions by COPY with one bulk audit entry per table and chunk, rejected rows recorded
   with their reasons, encrypted).

3. the database floor: the very rows the import stored (records, transitions, decisions, audit
   members, rejected rows), copied by one ``INSERT … SELECT`` per table, in one transaction,
   into empty twins of those tables with the same indexes, checks and foreign keys. No Python
   per row: what PostgreSQL alone needs to keep these rows the way the product keeps them
   (slightly generous to the floor: it also reads the rows back).

Prints all three, the import's ratio to the plain COPY (target within 3×) and to the floor,
and the floor's own ratio to the COPY, and checks the counts; drops the database at the end,
also on failure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_import")
ROOT = Path(__file__).resolve().parents[1]
INVALID_EVERY = 50  # 2 %
INSTITUTIONS = 20_000


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB}")
    try:
        run(args.rows, args.workers)
    finally:
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def _uscc(first17: str) -> str:
    from educredit.core.identifiers import uscc_check_character

    return first17 + uscc_check_character(first17)


FAULTS = (
    ("CF_CFJGDM", lambda v: v[:-1] + ("0" if v[-1] != "0" else "1")),  # wrong check character
    ("CF_JDRQ", lambda v: "2026-02-30"),  # no such day
    ("CF_CFLB", lambda v: "警告;记过"),  # not a §9 category
    ("CF_NR_FK", lambda v: ""),  # a fine without its amount
    ("CF_XDR_SHXYM", lambda v: _uscc("12410102" + "888888888")),  # no such subject
    ("CF_NR_FK", lambda v: "1.0000001"),  # seven decimals
)


def write_csv(path: Path, rows: int, usccs: list[str], bureau_uscc: str) -> int:
    """The file, with the standard's Chinese names as headers; returns the invalid count."""
    from educredit.disclosure import national as n

    fields = n.PENALTY_FIELDS
    index = {f.code: i for i, f in enumerate(fields)}
    invalid = 0
    start = dt.date(2026, 1, 5)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        for i in range(rows):
            school = i % len(usccs)
            decided = start + dt.timedelta(days=i % 290)
            row = [""] * len(fields)
            values = {
                "CF_XDR_MC": f"河南省某某教育培训学校{school}",
                "CF_XDR_LB": "法人及非法人组织",
                "CF_XDR_SHXYM": usccs[school],
                "CF_FRDB": "张三",
                "CF_WSH": f"豫教罚〔2026〕{i + 1}号",
                "CF_WFXW": "未经批准擅自举办培训机构",
                "CF_SY": "经检查发现当事人未取得办学许可证开展学科类培训，违法所得若干。",
                "CF_YJ": "《中华人民共和国民办教育促进法》第六十四条",
                "CF_CFLB": "警告;罚款",
                "CF_NR": f"警告；罚款{1 + i % 9}.5万元",
                "CF_NR_FK": f"{1 + i % 9}.5",
                "CF_JDRQ": decided.isoformat(),
                "CF_YXQ": (decided + dt.timedelta(days=365)).isoformat(),
                "CF_CFJG": "河南省教育厅",
                "CF_CFJGDM": bureau_uscc,
                "CF_SJLY": "河南省教育厅",
                "CF_SJLYDM": bureau_uscc,
            }
            if i % INVALID_EVERY == INVALID_EVERY - 1:
                code, spoil = FAULTS[(i // INVALID_EVERY) % len(FAULTS)]
                values[code] = spoil(values[code])
                invalid += 1
            for code, value in values.items():
                row[index[code]] = value
            writer.writerow(row)
    return invalid


def run(rows: int, workers: int) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import tempfile

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from educredit.accounts.choices import UserRole
    from educredit.accounts.models import Organisation
    from educredit.audit.models import AuditBulkMember
    from educredit.catalog.services import catalog_version_seed
    from educredit.disclosure import imports
    from educredit.disclosure import national as n
    from educredit.disclosure.models import Decision, DecisionImportError, DecisionImportRun
    from educredit.records.models import CreditRecord, CreditRecordTransition
    from educredit.subjects.models import Institution
    from educredit.testing.factories import make_province, make_user

    call_command("migrate", verbosity=0)
    catalog_version_seed(actor="system:bench")
    province = make_province()
    bureau_uscc = _uscc("11410000" + "005566778")
    Organisation.objects.filter(pk=province.pk).update(uscc=bureau_uscc)
    clerk = make_user(organisation=province, username="bench.clerk", roles=[UserRole.CLERK])
    usccs = [_uscc(f"52410100{serial:09d}") for serial in range(INSTITUTIONS)]
    Institution.objects.bulk_create(
        [
            Institution(
                uscc=code,
                name=f"河南省某某教育培训学校{i}",
                kind="training",
                region_code="410100",
                supervisor=province,
            )
            for i, code in enumerate(usccs)
        ],
        batch_size=5000,
    )

    media = Path(settings.MEDIA_ROOT)
    folder = media / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"penalties-{rows}.csv"
    began = time.monotonic()
    invalid = write_csv(path, rows, usccs, bureau_uscc)
    size = path.stat().st_size
    print(
        f"rows: {rows:,} ({invalid:,} invalid), file {size / 1e6:.0f} MB, "
        f"written in {time.monotonic() - began:.1f} s; workers {workers}"
    )

    # 1. The baseline: COPY the same file into a bare table of text columns.
    columns = ", ".join(f'"{f.code.lower()}" text' for f in n.PENALTY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bare_penalty ({columns})")
    with tempfile.TemporaryDirectory():
        began = time.monotonic()
        with connection.cursor() as cursor, path.open("rb") as handle:
            raw = cursor.cursor
            with raw.copy("COPY bare_penalty FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        copy_seconds = time.monotonic() - began
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bare_penalty")
        copied = cursor.fetchone()[0]
    print(f"plain COPY:  {copy_seconds:8.1f} s  ({copied:,} rows, {copied / copy_seconds:,.0f}/s)")

    # 2. The import, as the background task runs it, with the bulk path.
    run_row = DecisionImportRun.objects.create(
        kind="penalty",
        catalog_item_code="JY-CF-02",
        original_filename=path.name,
        file=str(path.relative_to(media)),
        created_by=clerk,
        organisation=province,
    )
    began = time.monotonic()
    imports.import_file(run_row, bulk=True, workers=workers)
    import_seconds = time.monotonic() - began
    run_row.refresh_from_db()
    records = CreditRecord.objects.count()
    decisions = Decision.objects.count()
    print(
        f"import:      {import_seconds:8.1f} s  ({run_row.ok_rows:,} records, "
        f"{run_row.failed_rows:,} rejected, {rows / import_seconds:,.0f} rows/s)"
    )
    print(f"ratio:       {import_seconds / copy_seconds:8.2f}×  (target ≤ 3×)")
    if run_row.status != "finished" or run_row.error_message:
        raise SystemExit(f"import failed: {run_row.error_message}")
    if (records, decisions, run_row.failed_rows) != (rows - invalid, rows - invalid, invalid):
        raise SystemExit(
            f"counts differ: {records} records, {decisions} decisions, "
            f"{run_row.failed_rows} rejected (expected {rows - invalid} / {invalid})"
        )
    print("counts check: ok")

    floor_seconds = database_floor(
        connection,
        [CreditRecord, CreditRecordTransition, Decision, DecisionImportError, AuditBulkMember],
    )
    print(f"db floor:    {floor_seconds:8.1f} s  (same rows, INSERT … SELECT into empty twins)")
    print(f"floor/COPY:  {floor_seconds / copy_seconds:8.2f}×  (the best any import could do)")
    print(f"import/floor:{import_seconds / floor_seconds:8.2f}×  (the import's own overhead)")


def database_floor(connection: Any, models: list[Any]) -> float:
    """Seconds to store the rows of ``models`` again into empty twins, in one transaction.

    Each twin is ``LIKE <table> INCLUDING ALL`` (columns, defaults, identity, checks,
    indexes) plus the table's foreign keys, those between the twinned tables pointing at the
    twins, so every index entry and every foreign-key check of the real write is paid again.
    """
    from django.db import transaction

    tables = [model._meta.db_table for model in models]
    twin = {table: f"floor_{table}" for table in tables}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"CREATE TABLE {twin[table]} (LIKE {table} INCLUDING ALL)")
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for name, definition in cursor.fetchall():
                for other in tables:
                    definition = definition.replace(
                        f"REFERENCES {other}(", f"REFERENCES {twin[other]}("
                    )
                cursor.execute(
                    f"ALTER TABLE {twin[table]} ADD CONSTRAINT floor_{name} {definition}"
                )
    began = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        for model, table in zip(models, tables, strict=True):
            order = ", ".join(f.column for f in model._meta.pk_fields)
            cursor.execute(f"INSERT INTO {twin[table]} SELECT * FROM {table} ORDER BY {order}")
    return time.monotonic() - began


if __name__ == "__main__":
    main()
