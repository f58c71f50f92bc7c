"""Benchmark: the bulk check (批量核查) of a CSV of identifiers vs DuckDB on the same data.

    .venv/bin/python bench/bulk_check.py                                   # 1 000 000 rows
    .venv/bin/python bench/bulk_check.py --rows 100000 --restricted 10000 --scale 0.005  # quick

Creates (dropping first) the PostgreSQL database ``educredit_bench_bulk`` (``BENCH_PG``
overrides postgres://postgres@127.0.0.1:5432, ``BENCH_DB`` the database's name), migrates it,
and builds a province (setup, not timed):

- a synthetic province (``province_generate`` + ``province_load``, as ``educredit synth``);
- the shipped catalog, scenarios and measure list (``measure_list_seed``) and a business
  system of the province bureau (``api_client_create``, scope ``sanctions:check``);
- ``--restricted`` subjects under measures: list entries (85 % 严重失信主体名单, 15 % 失信重点
  关注名单; a few institutions, the rest people) inserted with ``bulk_create`` under one bulk
  audit entry per 10 000, plus 5 % more whose listing has lapsed; and their restrictions,
  computed by the platform's own ``restrictions.entry_rows`` and written as ``_sync`` writes
  new rows (``bulk_create``, one bulk audit entry per batch), every measure in every scenario.

Then it writes a CSV of ``--rows`` identifiers (headings ``uscc, document_type,
document_number, name``): about 10 % restricted people, 1 % restricted people under another
name, 0.5 % restricted institutions, 1.5 % other institutions, 60 % other people of the province
(half with their names), 1 % of them under another name, 25 % numbers the province does not
hold, 0.5 % invalid (wrong check character, unknown document type); document types as codes or
in Chinese. And times, in the same run:

1. the real run: ``bulk_check_start`` (the upload stored as the run's input),
   ``bulk_check_process`` (what the job runs), from the uploaded CSV to the result CSV, every
   answered row logged (``BulkCheckAnswer``) under one bulk audit entry per batch, and then
   ``audit.sequencer.sequence_pending()``: every entry of the run integrated into the log;
2. the baseline: DuckDB reading the same CSV and the restriction table exported in clear
   (USCC or document type + number, subject name, scenario, verdict, measure, start, end,
   legal basis; the export itself is not timed), hash-joining them for the scenario on the
   day, and writing a result CSV (masked numbers, codes, bases, ends, verdict);
3. the floor: what any implementation that keeps the platform's guarantees must do per row —
   reading the CSV with the csv module, blind-indexing each document number (HMAC), and
   writing the very log rows the run wrote (``COPY … TO`` then ``COPY … FROM`` into an
   empty twin of the table with the same indexes, in one transaction).

Prints the three times, the ratio of the run to DuckDB (target 3 of issue 15: within 5×) and
to the floor, checks that both answers agree (restricted rows, rows with measures) and that
``audit verify`` passes (``--no-verify`` skips it), then drops the database, also on failure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "educredit_bench_bulk")
ROOT = Path(__file__).resolve().parents[1]
ACTOR = "system:bench"
SCENARIO = "administrative_licensing"
AS_OF = dt.date(2026, 6, 1)
CHUNK = 10_000


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--restricted", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=0.02, help="synthetic province scale")
    parser.add_argument("--no-verify", action="store_true", help="skip audit verify")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the real run (main process only)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="educredit-bench-bulk-"))
    admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin(f"CREATE DATABASE {DB}")
    try:
        run(args, workdir)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet; cleanup goes on
            pass
        admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(workdir, ignore_errors=True)


# --- setup ----------------------------------------------------------------------------------


def build_province(scale: float, workdir: Path) -> Path:
    from django.core.management import call_command

    from educredit.synth.generator import province_generate
    from educredit.synth.loader import province_load

    call_command("migrate", verbosity=0)
    directory = workdir / "province"
    started = time.monotonic()
    province_generate(directory=directory, scale=scale)
    result = province_load(actor=ACTOR, directory=directory)
    print(f"   province (scale {scale}): {result.counts} in {time.monotonic() - started:.0f} s")
    return directory


def people_of(directory: Path) -> list[tuple[int, str, str, str]]:
    """(person id, document type, number, name) of every person, ids found by blind index."""
    from educredit.core.crypto import DocumentSealer, normalise_document_number
    from educredit.subjects.models import Person

    ids = dict(Person.objects.values_list("id_number_index", "pk"))
    sealer = DocumentSealer.current()
    people = []
    with (directory / "people.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            number = row["id_number"]
            index = sealer.blind_index(normalise_document_number(number), purpose="document")
            people.append((ids[index], row["document_type"], number, row["name"]))
    return people


def place_under_measures(
    organisation: Any, people: list[int], institutions: list[int], rng: random.Random
) -> tuple[int, int]:
    """List entries (in force and lapsed) and the restrictions they ground; returns counts."""
    from django.db import transaction

    from educredit.audit.canonical import row_digest
    from educredit.audit.services import audit_append_bulk
    from educredit.records.choices import CreditListKind, ListEntryStatus
    from educredit.records.models import CreditListEntry
    from educredit.sanctions.models import Restriction
    from educredit.sanctions.restrictions import EntryFacts, MeasureBook, entry_rows

    book = MeasureBook()
    subjects = [("institution", pk) for pk in institutions] + [("person", pk) for pk in people]
    entries = restrictions = 0
    for start in range(0, len(subjects), CHUNK):
        with transaction.atomic():
            batch = []
            for position, (kind, pk) in enumerate(subjects[start : start + CHUNK], start):
                listed = dt.date(2024, 1, 2) + dt.timedelta(days=rng.randrange(800))
                lapsed = position % 21 == 20  # about 5 % more whose listing has ended
                until = dt.date(2026, 3, 31) if lapsed else listed + dt.timedelta(days=3 * 365)
                batch.append(
                    CreditListEntry(
                        kind=CreditListKind.FOCUS if position % 7 == 6 else CreditListKind.SERIOUS,
                        institution_id=pk if kind == "institution" else None,
                        person_id=pk if kind == "person" else None,
                        organisation=organisation,
                        status=ListEntryStatus.LISTED,
                        reason="基准测试：严重违法失信行为 / benchmark listing",
                        listed_on=listed,
                        valid_until=until,
                    )
                )
            CreditListEntry.objects.bulk_create(batch)
            audit_append_bulk(
                actor=ACTOR,
                action="bench.list_entries",
                model=CreditListEntry,
                members=[(entry.pk, row_digest(entry)) for entry in batch],
                reason="基准测试 / benchmark setup",
            )
            rows = [
                row
                for entry in batch
                for row in entry_rows(
                    EntryFacts(
                        pk=entry.pk,
                        kind=entry.kind,
                        institution_id=entry.institution_id,
                        person_id=entry.person_id,
                        status=entry.status,
                        listed_on=entry.listed_on,
                        valid_until=entry.valid_until,
                        exited_on=None,
                    ),
                    book,
                )
            ]
            Restriction.objects.bulk_create(rows, batch_size=2000)
            audit_append_bulk(
                actor=ACTOR,
                action="sanctions.restrictions_recompute",
                model=Restriction,
                members=sorted((row.pk, row_digest(row)) for row in rows),
                reason="措施重算 / restrictions recomputed",
            )
            entries += len(batch)
            restrictions += len(rows)
    return entries, restrictions


def write_input(
    path: Path,
    rows: int,
    people: list[tuple[int, str, str, str]],
    restricted: set[int],
    institutions: list[tuple[str, str, bool]],
    rng: random.Random,
) -> None:
    """The uploaded CSV: the mix the module docstring describes."""
    from educredit.subjects.choices import DocumentType

    labels = {value: str(label) for value, label in DocumentType.choices}
    hit = [p for p in people if p[0] in restricted]
    other = [p for p in people if p[0] not in restricted]
    hit_inst = [i for i in institutions if i[2]] or institutions
    other_inst = [i for i in institutions if not i[2]] or institutions
    weights = (
        ("hit", 100),
        ("hit_wrong_name", 10),
        ("hit_inst", 5),
        ("inst", 15),
        ("known", 600),
        ("known_wrong_name", 10),
        ("unknown", 255),
        ("invalid", 5),
    )
    kinds = [kind for kind, _ in weights]
    cumulative = []
    total = 0
    for _, weight in weights:
        total += weight
        cumulative.append(total)
    counters = dict.fromkeys(kinds, 0)

    def person(p: tuple[int, str, str, str], name: str) -> list[str]:
        kind = labels.get(p[1], p[1]) if rng.random() < 0.5 else p[1]
        return ["", kind, p[2], name]

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["uscc", "document_type", "document_number", "name"])
        for _ in range(rows):
            kind = rng.choices(kinds, cum_weights=cumulative)[0]
            n = counters[kind]
            counters[kind] += 1
            if kind in {"hit", "hit_wrong_name"}:
                p = hit[n % len(hit)] if kind == "hit" else hit[(n * 7919) % len(hit)]
                name = "冒名顶替" if kind == "hit_wrong_name" else (p[3] if n % 2 else "")
                writer.writerow(person(p, name))
            elif kind in {"known", "known_wrong_name"}:
                p = other[(n * 104_729) % len(other)]
                name = "张冒名" if kind == "known_wrong_name" else (p[3] if n % 2 else "")
                writer.writerow(person(p, name))
            elif kind in {"hit_inst", "inst"}:
                found = (hit_inst if kind == "hit_inst" else other_inst)[
                    n % len(hit_inst if kind == "hit_inst" else other_inst)
                ]
                writer.writerow([found[0], "", "", found[1] if n % 2 else ""])
            elif kind == "unknown":
                writer.writerow(["", "resident_id", _resident_id(rng), ""])
            elif n % 3 == 0:
                writer.writerow(["", "居民身份证", _spoil(_resident_id(rng)), ""])
            elif n % 3 == 1:
                writer.writerow(["", "学生证", str(rng.randrange(10**8)), ""])
            else:
                writer.writerow([_spoil(hit_inst[0][0]), "", "", ""])
    print(f"   input: {rows:,} rows {counters}")


def _resident_id(rng: random.Random) -> str:
    """A valid resident ID of Beijing's 东城区 (no Henan province holds it)."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    first17 = f"110101{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[2 * int(first17, 13) % 11]
    return first17 + check


def _spoil(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def export_restrictions(path: Path) -> int:
    """The restriction table with its subjects' identifiers in clear, as CSV (not timed)."""
    from educredit.core.crypto import decrypt_text
    from educredit.sanctions.models import Restriction

    count = 0
    rows = Restriction.objects.values_list(
        "institution__uscc",
        "institution__name",
        "person__document_type",
        "person__id_number_cipher",
        "person__name",
        "scenario",
        "verdict",
        "measure__code",
        "starts_on",
        "ends_on",
        "legal_basis",
    ).order_by("starts_on", "pk")
    clear: dict[str, str] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "uscc",
                "document_type",
                "document_number",
                "subject_name",
                "scenario",
                "verdict",
                "measure_code",
                "starts_on",
                "ends_on",
                "legal_basis",
            ]
        )
        for uscc, inst_name, doc_type, cipher, person_name, *rest in rows.iterator(10_000):
            number = ""
            if cipher is not None:
                number = clear.get(cipher) or clear.setdefault(cipher, decrypt_text(cipher))
            writer.writerow(
                [uscc or "", doc_type or "", number, inst_name or person_name or "", *rest]
            )
            count += 1
    return count


# --- the three measurements -----------------------------------------------------------------


def real_run(path: Path, client: Any) -> tuple[float, Any]:
    from django.core.files import File

    from educredit.sanctions.bulk_check import bulk_check_process, bulk_check_start

    started = time.monotonic()
    with path.open("rb") as handle:
        run = bulk_check_start(
            caller=client,
            scenario=SCENARIO,
            reference="BENCH-2026",
            as_of=AS_OF,
            upload=File(handle, name="register.csv"),
            enqueue=False,
        )
    done = bulk_check_process(run_id=run.pk)
    # Every answered row logged AND sequenced: the run's entries integrated into the log.
    from educredit.audit.sequencer import sequence_pending

    sequenced = sequence_pending()
    seconds = time.monotonic() - started
    print(f"   sequenced {sequenced} queued entries inside the timed part")
    if done is None or done.status != "finished":
        raise SystemExit(f"the run did not finish: {done and done.error_message}")
    return seconds, done


DUCKDB_SQL = """
COPY (
  WITH q AS (
    SELECT row_number() OVER () + 1 AS row, uscc, document_type, document_number, name,
           CASE WHEN coalesce(uscc, '') <> '' THEN 'uscc:' || uscc
                ELSE coalesce(types.code, document_type) || ':' || upper(document_number)
           END AS key
    FROM read_csv('{input}', header = true, all_varchar = true) AS i
    LEFT JOIN (VALUES {types}) AS types(label, code) ON types.label = i.document_type
  ),
  r AS (
    SELECT CASE WHEN uscc <> '' THEN 'uscc:' || uscc
                ELSE document_type || ':' || document_number END AS key,
           subject_name, verdict, measure_code, ends_on, legal_basis, starts_on
    FROM read_csv('{restrictions}', header = true, all_varchar = true)
    WHERE scenario = '{scenario}' AND starts_on <= '{day}'
      AND (ends_on IS NULL OR ends_on > '{day}')
  ),
  hits AS (
    SELECT key, any_value(subject_name) AS subject_name,
           max(CASE verdict WHEN 'restricted' THEN 3 WHEN 'review' THEN 2 ELSE 1 END) AS strength,
           string_agg(measure_code, ';' ORDER BY starts_on) AS measure_codes,
           string_agg(legal_basis, ' | ' ORDER BY starts_on) AS legal_bases,
           string_agg(coalesce(ends_on, ''), ';' ORDER BY starts_on) AS ends_on
    FROM r GROUP BY key
  )
  SELECT q.row,
         CASE WHEN coalesce(q.uscc, '') <> '' THEN q.uscc
              ELSE left(q.document_number, 6) || '********' || right(q.document_number, 4)
         END AS identifier,
         CASE WHEN hits.key IS NULL THEN 'clear'
              WHEN coalesce(q.name, '') <> '' AND q.name <> hits.subject_name THEN 'review'
              WHEN hits.strength = 3 THEN 'restricted'
              WHEN hits.strength = 2 THEN 'review' ELSE 'reward' END AS verdict,
         CASE WHEN coalesce(q.name, '') <> '' AND q.name <> hits.subject_name THEN ''
              ELSE hits.measure_codes END AS measure_codes,
         hits.legal_bases, hits.ends_on
  FROM q LEFT JOIN hits ON hits.key = q.key
  ORDER BY q.row
) TO '{output}' (HEADER)
"""


def duckdb_run(input_path: Path, restrictions: Path, output: Path) -> tuple[float, Any]:
    import duckdb

    from educredit.subjects.choices import DocumentType

    types = ", ".join(f"('{label}', '{value}')" for value, label in DocumentType.choices)
    sql = DUCKDB_SQL.format(
        input=input_path,
        restrictions=restrictions,
        output=output,
        types=types,
        scenario=SCENARIO,
        day=AS_OF.isoformat(),
    )
    connection = duckdb.connect()
    started = time.monotonic()
    connection.execute(sql)
    seconds = time.monotonic() - started
    counts = connection.execute(
        f"SELECT count(*) FILTER (WHERE verdict = 'restricted'), "
        f"count(*) FILTER (WHERE coalesce(measure_codes, '') <> '') "
        f"FROM read_csv('{output}', header = true, all_varchar = true)"
    ).fetchone()
    connection.close()
    return seconds, counts


def floor_run(input_path: Path, run: Any) -> dict[str, float]:
    """The unavoidable per-row work, each part timed: read + blind index, COPY of the rows."""
    from django.db import connection

    from educredit.core.crypto import DocumentSealer, normalise_document_number
    from educredit.sanctions.models import BulkCheckAnswer

    sealer = DocumentSealer.current()
    started = time.monotonic()
    indexes = 0
    with input_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for _uscc, _kind, number, _name in reader:
            if number:
                sealer.blind_index(normalise_document_number(number), purpose="document")
                indexes += 1
    read_seconds = time.monotonic() - started
    table = BulkCheckAnswer._meta.db_table
    dump = input_path.with_suffix(".checks.copy")
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY (SELECT * FROM {table} WHERE run_id = {run.pk}) TO STDOUT"
        with dump.open("wb") as out, raw.copy(sql) as copy:
            for block in copy:
                out.write(block)
        cursor.execute(f"CREATE TABLE bench_checks (LIKE {table} INCLUDING ALL)")
    started = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with dump.open("rb") as handle, raw.copy("COPY bench_checks FROM STDIN") as copy:
            while block := handle.read(1 << 20):
                copy.write(block)
    copy_seconds = time.monotonic() - started
    return {"read": read_seconds, "copy": copy_seconds, "indexes": indexes}


def _rows_with_measures(run: Any) -> int:
    """Rows of the result file that name at least one measure."""
    with run.result.open("rb") as handle:
        reader = csv.DictReader(line.decode("utf-8-sig") for line in handle)
        return sum(1 for row in reader if row["measure_codes"])


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = workdir / "media"

    from educredit.accounts.models import Organisation
    from educredit.accounts.services import api_client_create
    from educredit.sanctions.models import BulkCheckAnswer, Restriction
    from educredit.sanctions.services import measure_list_seed
    from educredit.subjects.models import Institution

    rng = random.Random(2026)
    print(f"== setup: database {DB}, {os.cpu_count()} CPUs")
    directory = build_province(args.scale, workdir)
    measure_list_seed(actor=ACTOR)
    bureau = Organisation.objects.order_by("path")[0]
    client, _key = api_client_create(
        actor=ACTOR, organisation=bureau, name="基准业务系统", scopes=["sanctions:check"]
    )
    people = people_of(directory)
    insts = list(Institution.objects.values_list("pk", "uscc", "name").order_by("pk"))
    restricted_insts = [pk for pk, _, _ in insts[: min(len(insts) // 2, args.restricted // 200)]]
    person_ids = [p[0] for p in people]
    rng.shuffle(person_ids)
    restricted_people = person_ids[: args.restricted - len(restricted_insts)]
    started = time.monotonic()
    # In force: the first ``--restricted``; lapsed listings come on top (every 21st).
    listed_people = person_ids[: len(restricted_people) * 21 // 20]
    entries, rows = place_under_measures(bureau, listed_people, restricted_insts, rng)
    in_force = (
        Restriction.objects.filter(starts_on__lte=AS_OF)
        .exclude(ends_on__lte=AS_OF)
        .values("institution_id", "person_id")
        .distinct()
        .count()
    )
    print(
        f"   {entries:,} list entries, {rows:,} restrictions, {in_force:,} subjects under "
        f"measures on {AS_OF} ({time.monotonic() - started:.0f} s)"
    )
    restricted_set = set(listed_people)
    listed_insts = set(restricted_insts)
    institution_rows = [(u or "", n, pk in listed_insts) for pk, u, n in insts]
    input_path = workdir / "register.csv"
    write_input(input_path, args.rows, people, restricted_set, institution_rows, rng)
    export = workdir / "restrictions.csv"
    exported = export_restrictions(export)
    print(f"   restriction table exported in clear: {exported:,} rows")
    del people

    print("== real run: bulk_check_start + bulk_check_process (uploaded CSV → result CSV)")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        real_seconds, done = real_run(input_path, client)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    else:
        real_seconds, done = real_run(input_path, client)
    print(
        f"   {done.processed_rows:,} rows in {real_seconds:.1f} s "
        f"({done.processed_rows / real_seconds:,.0f} rows/s): clear {done.clear_count:,}, "
        f"restricted {done.restricted_count:,}, review {done.review_count:,}, "
        f"error {done.error_count:,}; {len(done.audit_entries)} bulk audit entries"
    )
    checks = BulkCheckAnswer.objects.filter(run=done).count()
    with_measures = _rows_with_measures(done)

    print("== baseline: DuckDB reads the CSV and the restriction table, hash-joins, writes")
    duck_seconds, (duck_restricted, duck_measures) = duckdb_run(
        input_path, export, workdir / "duckdb-result.csv"
    )
    print(
        f"   {duck_seconds:.2f} s: restricted {duck_restricted:,}, with measures {duck_measures:,}"
    )

    print("== floor: read + blind index every identifier; COPY the run's log rows")
    floor = floor_run(input_path, done)
    floor_seconds = floor["read"] + floor["copy"]
    print(
        f"   read + {int(floor['indexes']):,} blind indexes {floor['read']:.1f} s, "
        f"COPY of {checks:,} log rows {floor['copy']:.1f} s: {floor_seconds:.1f} s"
    )
    agree = duck_restricted == done.restricted_count and duck_measures == with_measures
    print("== summary")
    print(
        f"   real {real_seconds:.1f} s, DuckDB {duck_seconds:.2f} s: "
        f"ratio {real_seconds / duck_seconds:.1f}× (target 3: ≤ 5×) "
        f"{'OK' if real_seconds <= 5 * duck_seconds else 'SLOWER THAN TARGET'}"
    )
    print(
        f"   floor {floor_seconds:.1f} s = {floor_seconds / duck_seconds:.1f}× DuckDB; "
        f"real / floor {real_seconds / floor_seconds:.2f}×"
    )
    print(
        f"   answers agree: restricted {done.restricted_count:,} vs {duck_restricted:,}, "
        f"with measures {with_measures:,} vs {duck_measures:,}: {'OK' if agree else 'DIFFER'}"
    )
    if not args.no_verify:
        from educredit.audit.verification import verify_audit_log

        started = time.monotonic()
        result = verify_audit_log()
        print(
            f"   audit verify: {'OK' if result.ok else 'FAILED'} "
            f"({time.monotonic() - started:.0f} s)"
        )
        if not result.ok:
            raise SystemExit("audit verify failed")
    if not agree:
        raise SystemExit("the answers differ")


if __name__ == "__main__":
    main()
