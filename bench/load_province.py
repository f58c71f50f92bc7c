"""Benchmark: load a synthetic province into PostgreSQL, next to a plain COPY of the same rows.

    .venv/bin/python bench/load_province.py [--scale 0.05] [--memory-scales 0.05 0.2]

1. Generates a province at ``--scale`` (kept for the load) and at the two memory scales, each
   with ``educredit synth`` in a child process, and reads each child's peak memory
   (``os.wait4`` rusage ``ru_maxrss``): the peaks must agree within 20 % — memory must not
   grow with the province.
2. Creates a fresh database ``educredit_bench`` (dropped first if it exists), migrates it and
   loads the province with ``province_load`` (encryption, blind index, masking, derived
   fields, organisations through the services, audit entries and members): rows per second
   of institutions + people + affiliations.
3. Baseline, same run: dumps those three tables with ``COPY … TO`` and times ``COPY … FROM``
   of exactly those rows into bare copies of the tables (``LIKE … INCLUDING ALL``: the same
   columns, defaults, indexes and unique constraints, plus the same deferred foreign keys
   between them), in one transaction. Prints both rates and the ratio of the times (target:
   the loader within 2× of COPY).

It stops by itself and drops the database and the temporary files, whatever happens.
PostgreSQL: postgres@127.0.0.1:5432 with trust authentication (``BENCH_PG`` overrides).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BENCH_DB = "educredit_bench"
PROJECT = Path(__file__).resolve().parent.parent
EDUCREDIT = PROJECT / ".venv" / "bin" / "educredit"
TABLES = ("subjects_institution", "subjects_person", "subjects_affiliation")
# Foreign keys among the copied tables, recreated on the bare copies (deferred, as Django's).
FOREIGN_KEYS = (
    ("subjects_person", None, None),
    ("subjects_affiliation", "person_id", "subjects_person"),
    ("subjects_affiliation", "institution_id", "subjects_institution"),
)


def generate(scale: float, out: Path) -> tuple[float, int, str]:
    """Run the generator in a child process: (seconds, peak RSS in KiB, its summary line)."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(EDUCREDIT), "synth", "--scale", str(scale), "--out", str(out)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode()
    if child.returncode != 0:
        raise SystemExit(f"generator failed:\n{output}")
    return time.monotonic() - started, usage.ru_maxrss, output.strip().splitlines()[-1]


def admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def recreate_database() -> None:
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database() -> None:
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def load_with_loader(directory: Path) -> tuple[float, dict[str, int]]:
    from django.core.management import call_command

    from educredit.synth.loader import province_load

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    result = province_load(actor="system:bench", directory=directory)
    return time.monotonic() - started, result.counts


def copy_baseline(dump_dir: Path) -> tuple[float, int]:
    """Dump the loaded rows, then time COPY FROM of them into bare copies of the tables."""
    import psycopg

    url = f"{PG}/{BENCH_DB}"
    with psycopg.connect(url) as conn:
        for table in TABLES:
            with (
                (dump_dir / f"{table}.copy").open("wb") as handle,
                conn.cursor().copy(f"COPY {table} TO STDOUT") as copy,
            ):
                for block in copy:
                    handle.write(block)
        for table in TABLES:
            conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        for table, column, target in FOREIGN_KEYS:
            if column is not None:
                conn.execute(
                    f"ALTER TABLE bench_{table} ADD FOREIGN KEY ({column}) "
                    f"REFERENCES bench_{target} (id) DEFERRABLE INITIALLY DEFERRED"
                )
        conn.commit()
    rows = 0
    with psycopg.connect(url) as conn:
        started = time.monotonic()
        with conn.transaction():
            for table in TABLES:
                with (
                    (dump_dir / f"{table}.copy").open("rb") as handle,
                    conn.cursor().copy(f"COPY bench_{table} FROM STDIN") as copy,
                ):
                    while block := handle.read(1 << 20):
                        copy.write(block)
        seconds = time.monotonic() - started
        for table in TABLES:
            rows += conn.execute(f"SELECT count(*) FROM bench_{table}").fetchone()[0]  # type: ignore[index]
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--memory-scales", type=float, nargs=2, default=(0.05, 0.2))
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{PG}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(PROJECT / "src"))
    workdir = Path(tempfile.mkdtemp(prefix="educredit-bench-"))
    try:
        # The generator runs first, in children of this still-small process: a child's peak
        # RSS would otherwise include the pages it shares with a parent that grew.
        small, large = args.memory_scales
        peaks: dict[float, int] = {}
        for scale in dict.fromkeys((args.scale, small, large)):
            print(f"== generator, scale {scale}")
            target = workdir / ("province" if scale == args.scale else f"memory-{scale}")
            seconds, peaks[scale], summary = generate(scale, target)
            print(f"   {summary}")
            print(f"   {seconds:.1f} s, peak RSS {peaks[scale] / 1024:.0f} MiB")
            if scale != args.scale:
                shutil.rmtree(target)
        growth = peaks[large] / peaks[small]
        verdict = "OK" if abs(growth - 1) <= 0.2 else "GROWS WITH SCALE"
        memory_line = (
            f"== generator peak memory: {peaks[small] / 1024:.0f} MiB at {small}, "
            f"{peaks[large] / 1024:.0f} MiB at {large}: ratio {growth:.2f} "
            f"(target within 20 %) {verdict}"
        )
        print(memory_line)

        import django

        recreate_database()
        django.setup()
        print(f"== loader (province_load) into {BENCH_DB}, {os.cpu_count()} CPUs")
        load_seconds, counts = load_with_loader(workdir / "province")
        loaded = counts["institutions"] + counts["people"] + counts["affiliations"]
        loader_rate = loaded / load_seconds
        print(f"   {loaded:,} rows in {load_seconds:.1f} s: {loader_rate:,.0f} rows/s ({counts})")

        from django.db import connections

        connections.close_all()
        print("== baseline: plain COPY FROM of the same rows into identical bare tables")
        dump = workdir / "dump"
        dump.mkdir()
        copy_seconds, copied = copy_baseline(dump)
        copy_rate = copied / copy_seconds
        print(f"   {copied:,} rows in {copy_seconds:.1f} s: {copy_rate:,.0f} rows/s")
        ratio = load_seconds / copy_seconds
        verdict = "OK" if ratio <= 2 else "SLOWER THAN TARGET"
        print("== summary")
        print(
            f"   loader {loader_rate:,.0f} rows/s, COPY {copy_rate:,.0f} rows/s: "
            f"loader time / COPY time = {ratio:.2f} (target ≤ 2.00) {verdict}"
        )
        print("   " + memory_line.removeprefix("== "))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet; cleanup goes on
            pass
        drop_database()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
