"""Benchmark: ``educredit backup`` + ``educredit restore`` (with its audit verify) vs plain
``pg_dump -Fc`` + ``pg_restore`` of the same database, in the same run.

    .venv/bin/python bench/backup_restore.py                    # scale 0.05 (1.4 M people)
    .venv/bin/python bench/backup_restore.py --scale 0.005      # quick
    .venv/bin/python bench/backup_restore.py --reuse            # keep / reuse the loaded database

Setup (not timed against the baseline, but reported): creates the PostgreSQL database
``educredit_bench_backup`` (``BENCH_PG`` overrides postgres://postgres@127.0.0.1:5432,
``BENCH_DB`` the name), migrates it, and loads a synthetic province with ``educredit synth``
and ``educredit load``, each a child process as an operator would run them. ``--reuse`` keeps
that database at the end and, on the next run, uses it again if it already holds a province.

Then, each in a child process and timed from the outside:

1. baseline ``pg_dump --format=custom`` of the database to a file;
2. ``educredit backup`` of the same database (pg_dump in an exported snapshot, manifest facts,
   SHA-256, tar);
3. baseline ``pg_restore --no-owner --single-transaction --exit-on-error`` into a fresh database;
4. ``educredit restore --database-url`` into another fresh database: checks, extraction,
   the same pg_restore, then ``audit verify`` of everything (chain, tree heads, bulk members,
   every audited row) and the comparison with the manifest; its own split (restore / verify)
   is read from its output.

Prints both figures, the ratios, the archive and dump sizes and the rows, then drops the
restored databases (and the loaded one unless ``--reuse``), also on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_backup")
PROJECT = Path(__file__).resolve().parent.parent
EDUCREDIT = PROJECT / ".venv" / "bin" / "educredit"
RESTORED = (f"{DB}_restored", f"{DB}_plain")
PG_RESTORE_OPTIONS = ("--no-owner", "--single-transaction", "--exit-on-error")
TIMINGS = re.compile(r"timings: restore ([0-9.]+) s, verify ([0-9.]+) s")


def admin(sql: str) -> object:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        row = cursor.fetchone() if cursor.description else None
    return row[0] if row else None


def create_fresh(name: str) -> None:
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")


def run(argv: list[str], *, database: str, label: str) -> tuple[float, str]:
    """Run a child with DATABASE_URL pointing at ``database``: (seconds, its output)."""
    env = {**os.environ, "DATABASE_URL": f"{PG}/{database}"}
    started = time.monotonic()
    child = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.monotonic() - started
    if child.returncode != 0:
        raise SystemExit(f"{label} failed ({child.returncode}):\n{child.stdout}\n{child.stderr}")
    return seconds, child.stdout


def pg_env() -> dict[str, str]:
    """libpq variables for the baseline tools, from BENCH_PG."""
    from urllib.parse import urlsplit

    url = urlsplit(PG)
    env = dict(os.environ)
    env.update(PGHOST=url.hostname or "127.0.0.1", PGPORT=str(url.port or 5432))
    env.update(PGUSER=url.username or "postgres")
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


def timed_tool(argv: list[str], label: str) -> float:
    started = time.monotonic()
    child = subprocess.run(argv, env=pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if child.returncode != 0:
        raise SystemExit(f"{label} failed ({child.returncode}): {child.stderr}")
    return time.monotonic() - started


def province_present() -> bool:
    exists = admin(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'")
    if not exists:
        return False
    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        found = conn.execute(
            "SELECT to_regclass('synth_provinceload') IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM subjects_person)"
        ).fetchone()
        return bool(found and found[0])


def build(scale: float, workdir: Path) -> None:
    create_fresh(DB)
    seconds, _ = run([str(EDUCREDIT), "migrate", "-v", "0"], database=DB, label="migrate")
    print(f"   migrate: {seconds:.1f} s")
    province = workdir / "province"
    seconds, output = run(
        [str(EDUCREDIT), "synth", "--scale", str(scale), "--out", str(province)],
        database=DB,
        label="synth",
    )
    print(f"   educredit synth --scale {scale}: {seconds:.1f} s")
    seconds, output = run([str(EDUCREDIT), "load", str(province)], database=DB, label="load")
    summary = [line for line in output.splitlines() if "loaded dataset" in line]
    print(f"   educredit load: {seconds:.1f} s — {summary[-1].strip() if summary else ''}")
    shutil.rmtree(province, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="synthetic province scale")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the loaded database if present; keep it"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="educredit-bench-backup-"))
    try:
        print(f"== setup: province in {DB}")
        if args.reuse and province_present():
            print("   reusing the loaded database (--reuse)")
        else:
            build(args.scale, workdir)

        print("== baseline: pg_dump --format=custom")
        plain = workdir / "plain.pgdump"
        dump_seconds = timed_tool(["pg_dump", "--format=custom", f"--file={plain}", DB], "pg_dump")
        print(f"   {dump_seconds:.1f} s, {plain.stat().st_size / 1e6:,.1f} MB")

        print("== educredit backup")
        archive = workdir / "educredit.tar"
        backup_seconds, _ = run(
            [str(EDUCREDIT), "backup", str(archive)], database=DB, label="backup"
        )
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        print(f"   {backup_seconds:.1f} s, {archive.stat().st_size / 1e6:,.1f} MB")

        print("== baseline: pg_restore into a fresh database")
        create_fresh(RESTORED[1])
        plain_restore = timed_tool(
            ["pg_restore", *PG_RESTORE_OPTIONS, f"--dbname={RESTORED[1]}", str(plain)],
            "pg_restore",
        )
        print(f"   {plain_restore:.1f} s")

        print("== educredit restore (+ audit verify) into a fresh database")
        create_fresh(RESTORED[0])
        restore_seconds, output = run(
            [str(EDUCREDIT), "restore", str(archive), "--database-url", f"{PG}/{RESTORED[0]}"],
            database=DB,
            label="restore",
        )
        split = TIMINGS.search(output)
        inner_restore, verify = (float(split[1]), float(split[2])) if split else (0.0, 0.0)
        checked = [line.strip() for line in output.splitlines() if "audit verify" in line]
        print(f"   {restore_seconds:.1f} s (restore {inner_restore:.1f} s, verify {verify:.1f} s)")
        print(f"   {checked[-1] if checked else ''}")

        rows = manifest["row_counts"]
        print("== summary")
        print("   rows: " + ", ".join(f"{label} {count:,}" for label, count in rows.items()))
        print(f"   total rows in key tables: {sum(rows.values()):,}")
        print(
            f"   archive {archive.stat().st_size / 1e6:,.1f} MB vs plain dump "
            f"{plain.stat().st_size / 1e6:,.1f} MB"
        )
        print(
            f"   backup  {backup_seconds:6.1f} s vs pg_dump    {dump_seconds:6.1f} s: "
            f"{backup_seconds / dump_seconds:.2f}×"
        )
        print(
            f"   restore {restore_seconds:6.1f} s vs pg_restore {plain_restore:6.1f} s: "
            f"{restore_seconds / plain_restore:.2f}× with the audit verify, "
            f"{(restore_seconds - verify) / plain_restore:.2f}× without it "
            f"(verify {verify:.1f} s)"
        )
    finally:
        for name in RESTORED:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not args.reuse:
            admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
