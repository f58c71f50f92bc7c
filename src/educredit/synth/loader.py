"""Fast, audited bulk load of a generated province (``educredit load DIR``).

The load is one transaction: all of a directory or nothing. Organisations (a few hundred) go
through the accounts services like any other organisation. Institutions, people and
affiliations go in chunks straight into their tables — ``COPY … FROM STDIN`` on PostgreSQL,
``executemany`` on SQLite — with ids assigned here (the tables are locked for the
transaction), so that a chunk's rows and their audit digests are known before they are
written. Each chunk is covered by one bulk audit entry that lists every row's id and digest,
so ``educredit audit verify`` can recompute every loaded row.

Identity numbers are encrypted, blind-indexed and masked on the way in; gender and birth date
are derived from the resident ID. That per-row work is the load's main cost, so chunks are
prepared in a pool of worker processes (forked: they inherit the settings and keys, and never
touch the database) while the main process writes the previous chunk.

Idempotency: a directory's dataset id (from its manifest) is recorded in ``ProvinceLoad``;
loading the same dataset again is refused. A different dataset whose identifiers clash with
rows already present is rolled back whole, with the clash named.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from educredit.accounts import services as accounts_services
from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import Organisation
from educredit.audit import services as audit_services
from educredit.core.crypto import (
    NONCE_BYTES,
    DocumentSealer,
    mask_document_number,
    normalise_document_number,
)
from educredit.core.processes import fork_pool
from educredit.subjects.models import Affiliation, Institution, Person
from educredit.synth.generator import (
    AFFILIATION_COLUMNS,
    INSTITUTION_COLUMNS,
    ORGANISATION_COLUMNS,
    PERSON_COLUMNS,
    read_manifest,
)
from educredit.synth.models import ProvinceLoad

CHUNK_ROWS = 25_000
# Below this many people a pool costs more (fork, pickling) than it saves.
POOL_THRESHOLD = 60_000

Progress = Callable[[str, int, int], None]
Row = tuple[Any, ...]


class ProvinceLoadError(Exception):
    """A directory cannot be loaded; the message says why in Chinese and English."""


@dataclass
class LoadResult:
    """What a load wrote."""

    dataset_id: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- row encoding (runs in worker processes) -------------------------------------------------


def _json_string(value: str) -> str:
    return json.encoder.encode_basestring(value)


_NULL = "\\N"
# PostgreSQL COPY text format: backslash, tab, newline and carriage return are escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

Formatter = Callable[[Any], Any]


def _copy_text(value: Any) -> str:
    """Any value in PostgreSQL's COPY text format (for constants and unusual fields)."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_COPY_ESCAPES)


def _db_value(value: Any) -> Any:
    """Any value as Django's SQLite backend stores it."""
    if isinstance(value, _Uuid):
        return value.replace("-", "")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _snapshot_json(value: Any) -> str:
    """Any value as the JSON of its audit-snapshot text (``audit.canonical``), or null."""
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        text = value.astimezone(dt.UTC).isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return _json_string(text)


# Per-type formatters (module functions, so that table specs pickle to worker processes).
def _int_copy(v: Any) -> str:
    return _NULL if v is None else str(v)


def _int_json(v: Any) -> str:
    return "null" if v is None else f'"{v}"'


def _same(v: Any) -> Any:
    return v


def _date_copy(v: dt.date | None) -> str:
    return _NULL if v is None else v.isoformat()


def _date_db(v: dt.date | None) -> str | None:
    return None if v is None else v.isoformat()


def _date_json(v: dt.date | None) -> str:
    return "null" if v is None else f'"{v.isoformat()}"'


def _uuid_copy(v: str) -> str:
    return str(v)


def _uuid_db(v: str) -> str:
    return v.replace("-", "")


def _uuid_json(v: str) -> str:
    return f'"{v}"'


def _text_copy(v: str | None) -> str:
    return _NULL if v is None else v.translate(_COPY_ESCAPES)


def _text_json(v: str | None) -> str:
    return "null" if v is None else _json_string(v)


def _formatters(model_field: models.Field[Any, Any]) -> tuple[Formatter, Formatter, Formatter]:
    """(COPY text, SQLite value, snapshot JSON) for one field's per-row values.

    Chosen once per field so that a row costs a few cheap calls; the types are the ones the
    row builders below produce. Anything else takes the general (slower) path.
    """
    if isinstance(model_field, models.ForeignKey | models.IntegerField):  # ids, auto fields too
        return _int_copy, _same, _int_json
    if isinstance(model_field, models.DateField) and not isinstance(
        model_field, models.DateTimeField
    ):
        return _date_copy, _date_db, _date_json
    if isinstance(model_field, models.UUIDField):
        return _uuid_copy, _uuid_db, _uuid_json
    if isinstance(model_field, models.CharField | models.TextField):
        return _text_copy, _same, _text_json
    return _copy_text, _db_value, _snapshot_json


@dataclass(frozen=True)
class _TableSpec:
    """How one model's rows are written: columns, per-column formatters, constants, digest.

    Per-row values come from a row builder as a tuple in ``provided`` order; the fields the
    loader does not set per row are constants (their defaults, the load time for
    timestamps), rendered once. The digest plan lists the audited attnames in sorted order,
    each either a constant JSON fragment or an index into the row tuple.
    """

    table: str
    provided: tuple[str, ...]
    columns: tuple[str, ...]  # db columns: provided ones, then constants
    constants: dict[str, Any]
    copy_formatters: tuple[Formatter, ...]
    db_formatters: tuple[Formatter, ...]
    json_formatters: tuple[Formatter, ...]
    copy_suffix: str  # the constants' COPY text, with its leading tab and the newline
    db_constants: tuple[Any, ...]
    digest_plan: tuple[tuple[int, str], ...]  # (row index or -1, '"attname":' or fragment)


def _table_spec(model: type[models.Model], provided: Sequence[str], now: dt.datetime) -> _TableSpec:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [name for name in provided if name not in fields]
    constants: dict[str, Any] = {}
    for attname, model_field in fields.items():
        if attname in provided:
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            constants[attname] = now
        elif model_field.has_default():
            constants[attname] = model_field.get_default()
        elif model_field.null:
            constants[attname] = None
        else:
            unknown.append(attname)
    if unknown:
        raise ProvinceLoadError(
            f"加载程序与 {model.__name__} 的字段不一致：{', '.join(unknown)} / "
            f"the loader does not match the fields of {model.__name__}: {', '.join(unknown)}"
        )
    formatters = [_formatters(fields[name]) for name in provided]
    exclude = set(getattr(model, "audit_exclude", ()))
    # A column added after rows were audited is left out of the snapshot at its added value.
    added = getattr(model, "audit_added_fields", {})
    plan: list[tuple[int, str]] = []
    for attname in sorted(fields):
        model_field = fields[attname]
        if model_field.name in exclude or attname in exclude:
            continue
        if attname in constants and attname in added and constants[attname] == added[attname]:
            continue
        if attname in constants:
            plan.append((-1, f'"{attname}":{_snapshot_json(constants[attname])}'))
        else:
            plan.append((provided.index(attname), f'"{attname}":'))
    suffix = "".join("\t" + _copy_text(value) for value in constants.values())
    return _TableSpec(
        table=model._meta.db_table,
        provided=tuple(provided),
        columns=tuple(fields[name].column for name in [*provided, *constants]),
        constants=constants,
        copy_formatters=tuple(f[0] for f in formatters),
        db_formatters=tuple(f[1] for f in formatters),
        json_formatters=tuple(f[2] for f in formatters),
        copy_suffix=suffix + "\n",
        db_constants=tuple(_db_value(value) for value in constants.values()),
        digest_plan=tuple(plan),
    )


def row_digest(spec: _TableSpec, row: Sequence[Any]) -> str:
    """SHA-256 of the canonical JSON of a row's audit snapshot (as ``audit.canonical.digest``).

    Written out by hand because it runs for every loaded row; every chunk checks its first
    row against the audit app's own ``row_digest_from_values``, and the tests check every
    loaded row against the digest of the stored row.
    """
    json_formatters = spec.json_formatters
    text = ",".join(
        fragment if index < 0 else fragment + json_formatters[index](row[index])
        for index, fragment in spec.digest_plan
    )
    return hashlib.sha256(("{" + text + "}").encode()).hexdigest()


class _Uuid(str):
    """A UUID as text: dashed in snapshots and COPY, 32 hex digits for SQLite (as Django)."""

    __slots__ = ()


class _Randomness:
    """A chunk's random UUIDs and nonces, drawn from the OS in two calls instead of 2·n."""

    def __init__(self, rows: int) -> None:
        self.uuid_hex = os.urandom(16 * rows).hex()
        self.nonces = os.urandom(NONCE_BYTES * rows)

    def uuid4(self, index: int) -> _Uuid:
        """A random (version 4, RFC 4122 variant) UUID."""
        h = self.uuid_hex[32 * index : 32 * index + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        return _Uuid(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")

    def nonce(self, index: int) -> bytes:
        return self.nonces[NONCE_BYTES * index : NONCE_BYTES * (index + 1)]


@dataclass(frozen=True)
class _Keys:
    """The key material a worker needs (passed explicitly so workers need no settings)."""

    field_key_id: str
    field_key: bytes
    blind_index_key: bytes


@cache
def _sealer(keys: _Keys) -> DocumentSealer:
    """One sealer per worker process and key set (the cipher and HMAC are set up once)."""
    return DocumentSealer(
        key_id=keys.field_key_id, field_key=keys.field_key, blind_index_key=keys.blind_index_key
    )


def _resident_id_facts(number: str) -> tuple[str, dt.date]:
    """Gender and birth date of a well-formed resident ID (raises ValueError otherwise)."""
    if len(number) != 18 or not number[:17].isdigit():
        raise ValueError("居民身份证号码应为 18 位 / a resident ID has 18 characters")
    # GB 11643's weights are 2^(17-i) mod 11, so the weighted sum is 2·(the first 17 digits
    # read as a base-2 polynomial) mod 11 — and 13 ≡ 2 (mod 11) lets int(…, 13) evaluate it.
    expected = "10X98765432"[2 * int(number[:17], 13) % 11]
    if number[17] != expected:
        raise ValueError(f"校验码应为 {expected} / check character should be {expected}")
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return ("M" if int(number[16]) % 2 else "F"), born


@dataclass(frozen=True)
class _Chunk:
    """One batch of CSV lines and where its rows start."""

    file: str
    first_line: int  # line number in the file of lines[0] (header is line 1)
    first_key: int  # the key (1-based row number) of lines[0]
    first_id: int  # the database id of lines[0]
    lines: list[str]


@dataclass(frozen=True)
class _Encoded:
    """A chunk ready to write: COPY text or parameter tuples, and the audit members."""

    rows: int
    copy_data: bytes
    params: list[tuple[Any, ...]]
    members: list[tuple[int, str]]


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs besides the chunk (pickled once per chunk; small)."""

    kind: str  # "institutions", "people", "affiliations"
    model: type[models.Model]
    spec: _TableSpec
    engine: str  # "postgresql" or "sqlite"
    keys: _Keys | None = None
    organisation_ids: dict[int, int] = field(default_factory=dict)
    person_base: int = 0
    person_count: int = 0
    institution_base: int = 0
    institution_count: int = 0


def _encode_chunk(job: _Job, chunk: _Chunk) -> _Encoded:
    """Turn one chunk of CSV lines into rows for the database (pure; runs in a worker)."""
    lines: list[str] = []
    params: list[tuple[Any, ...]] = []
    members: list[tuple[int, str]] = []
    spec = job.spec
    postgres = job.engine == "postgresql"
    formatters = spec.copy_formatters if postgres else spec.db_formatters
    row_builder = _ROW_BUILDERS[job.kind]
    randomness = _Randomness(len(chunk.lines))
    for offset, record in enumerate(csv.reader(chunk.lines)):
        pk = chunk.first_id + offset
        try:
            row = row_builder(
                job,
                record,
                chunk.first_key + offset,
                pk,
                randomness.uuid4(offset),
                randomness.nonce(offset),
            )
        except (ValueError, IndexError, KeyError) as exc:
            line = chunk.first_line + offset
            raise ProvinceLoadError(
                f"{chunk.file} 第 {line} 行有误 / {chunk.file} line {line} is invalid: {exc}"
            ) from exc
        member_digest = row_digest(spec, row)
        if offset == 0:
            # The fast digest must agree with the audit app's definition, or verify would
            # flag every loaded row: check it once per chunk against the real thing.
            values = {**dict(zip(spec.provided, row, strict=True)), **spec.constants}
            if member_digest != audit_services.row_digest_from_values(job.model, values):
                raise ProvinceLoadError(
                    f"{job.model.__name__}: 行摘要与审计模块不一致 / "
                    "row digest disagrees with the audit app's"
                )
        members.append((pk, member_digest))
        if postgres:
            lines.append(
                "\t".join([f(v) for f, v in zip(formatters, row, strict=True)]) + spec.copy_suffix
            )
        else:
            params.append(
                (*[f(v) for f, v in zip(formatters, row, strict=True)], *spec.db_constants)
            )
    return _Encoded(
        rows=len(members), copy_data="".join(lines).encode(), params=params, members=members
    )


def _institution_row(
    job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes
) -> Row:
    (row_key, uscc, name, kind, ownership, level, region_code, supervisor_key, licence, legal) = (
        record
    )
    if int(row_key) != key:
        raise ValueError(f"key {row_key} out of order (expected {key})")
    # In the order of _PROVIDED["institutions"].
    return (
        pk,
        uuid,
        uscc or None,
        None,
        name,
        kind,
        ownership,
        level,
        region_code,
        job.organisation_ids[int(supervisor_key)],
        None,
        licence,
        legal,
    )


def _person_row(job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes) -> Row:
    row_key, document_type, id_number, name = record
    if int(row_key) != key:
        raise ValueError(f"key {row_key} out of order (expected {key})")
    if job.keys is None:
        raise ValueError("no field keys")
    number = normalise_document_number(id_number)
    gender, born = _resident_id_facts(number) if document_type == "resident_id" else ("", None)
    # In the order of _PROVIDED["people"].
    return (
        pk,
        uuid,
        document_type,
        _sealer(job.keys).encrypt(number, nonce=nonce),
        _sealer(job.keys).blind_index(number),
        mask_document_number(number),
        name,
        gender,
        born,
    )


def _affiliation_row(
    job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes
) -> Row:
    person_key, institution_key, role, started_on = (
        int(record[0]),
        int(record[1]),
        record[2],
        record[3],
    )
    if not (0 < person_key <= job.person_count and 0 < institution_key <= job.institution_count):
        raise ValueError(f"unknown person {person_key} or institution {institution_key}")
    # In the order of _PROVIDED["affiliations"].
    return (
        pk,
        job.person_base + person_key - 1,
        job.institution_base + institution_key - 1,
        role,
        dt.date.fromisoformat(started_on) if started_on else None,
        None,
    )


_ROW_BUILDERS: dict[str, Callable[[_Job, list[str], int, int, _Uuid, bytes], Row]] = {
    "institutions": _institution_row,
    "people": _person_row,
    "affiliations": _affiliation_row,
}

_PROVIDED = {
    "institutions": (
        "id",
        "public_id",
        "uscc",
        "moe_code",
        "name",
        "kind",
        "ownership",
        "level",
        "region_code",
        "supervisor_id",
        "organisation_id",
        "licence_number",
        "legal_representative",
    ),
    "people": (
        "id",
        "public_id",
        "document_type",
        "id_number_cipher",
        "id_number_index",
        "id_number_masked",
        "name",
        "gender",
        "birth_date",
    ),
    "affiliations": ("id", "person_id", "institution_id", "role", "started_on", "ended_on"),
}


# --- reading and the worker pool -----------------------------------------------------------


def _chunks(path: Path, columns: Sequence[str], first_id: int) -> Iterator[_Chunk]:
    """The file's data lines in chunks of ``CHUNK_ROWS`` (one record per line)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split(",")
        if header != list(columns):
            raise ProvinceLoadError(
                f"{path.name} 的表头应为 {','.join(columns)} / "
                f"{path.name} should have the header {','.join(columns)}"
            )
        line = 2
        key = 1
        while True:
            lines = list(itertools.islice(handle, CHUNK_ROWS))
            if not lines:
                return
            yield _Chunk(path.name, line, key, first_id + key - 1, lines)
            line += len(lines)
            key += len(lines)


def _encoded_chunks(job: _Job, chunks: Iterable[_Chunk], workers: int) -> Iterator[_Encoded]:
    """Encode chunks in order, ``workers`` at a time, at most two chunks ahead per worker."""
    if workers <= 1:
        for chunk in chunks:
            yield _encode_chunk(job, chunk)
        return
    with fork_pool(workers) as pool:
        pending: deque[Future[_Encoded]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_encode_chunk, job, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# --- the load ------------------------------------------------------------------------------


def _reserve_ids(model: type[models.Model]) -> int:
    """Lock ``model``'s table for this transaction and return the first free id."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Blocks other writers (not readers) until the load commits: ids stay ours.
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        # SQLite: the transaction already holds the database's write lock.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1


def _advance_sequence(model: type[models.Model]) -> None:
    """After explicit ids, move PostgreSQL's identity sequence past them."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id by itself
    table = model._meta.db_table
    with connection.cursor() as cursor:
        quoted = connection.ops.quote_name(table)
        sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {quoted}))"  # noqa: S608
        cursor.execute(sql, [table])


def _write(spec: _TableSpec, encoded: _Encoded) -> None:
    quoted = ", ".join(connection.ops.quote_name(column) for column in spec.columns)
    table = connection.ops.quote_name(spec.table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                copy.write(encoded.copy_data)
        else:
            marks = ", ".join("%s" for _ in spec.columns)
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", encoded.params)  # noqa: S608


def _audit_batch(
    *,
    actor: Any,
    action: str,
    model: type[models.Model],
    members: list[tuple[int, str]],
    reason: str,
) -> None:
    """One audit entry covering a batch of loaded rows (their ids and digests)."""
    append_bulk = getattr(audit_services, "audit_append_bulk", None)
    if append_bulk is None:  # the audit app's bulk entry point is being built in parallel
        return
    append_bulk(actor=actor, action=action, model=model, members=members, reason=reason)


def _load_organisations(actor: Any, path: Path) -> tuple[dict[int, int], int]:
    """Create the bureaus through the accounts services (reusing any that already exist)."""
    by_key: dict[int, Organisation] = {}
    created = 0
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != list(ORGANISATION_COLUMNS):
            raise ProvinceLoadError(
                "organisations.csv 的表头不正确 / organisations.csv has the wrong header"
            )
        for key_text, name, kind, parent_key, region_code, uscc in reader:
            key = int(key_text)
            if not parent_key:
                root = Organisation.objects.filter(
                    parent=None, kind=OrganisationKind.PROVINCIAL_DEPARTMENT
                ).first()
                if root is None:
                    root = accounts_services.organisation_bootstrap(
                        name=name, region_code=region_code
                    )
                    created += 1
                by_key[key] = root
                continue
            parent = by_key[int(parent_key)]
            existing = Organisation.objects.filter(parent=parent, name=name).first()
            if existing is None:
                existing = accounts_services.organisation_create(
                    actor=actor,
                    name=name,
                    kind=kind,
                    parent=parent,
                    region_code=region_code,
                    uscc=uscc,
                )
                created += 1
            by_key[key] = existing
    return {key: org.pk for key, org in by_key.items()}, created


def _field_keys() -> _Keys:
    key_id = settings.EDUCREDIT_FIELD_KEY_CURRENT
    return _Keys(
        field_key_id=key_id,
        field_key=settings.EDUCREDIT_FIELD_KEYS[key_id],
        blind_index_key=settings.EDUCREDIT_BLIND_INDEX_KEY,
    )


def province_load(
    *,
    actor: Any,
    directory: Path,
    progress: Progress | None = None,
    workers: int | None = None,
) -> LoadResult:
    """Load a directory written by ``province_generate`` (all or nothing; refused twice)."""
    started = time.monotonic()
    try:
        manifest = read_manifest(directory)
    except FileNotFoundError as exc:
        raise ProvinceLoadError(
            f"{directory} 中没有 manifest.json（生成未完成？）/ "
            f"{directory} has no manifest.json (incomplete generation?)"
        ) from exc
    dataset_id = str(manifest["dataset_id"])
    if ProvinceLoad.objects.filter(dataset_id=dataset_id).exists():
        raise ProvinceLoadError(
            f"数据集 {dataset_id} 已导入，不再重复导入 / dataset {dataset_id} is already loaded"
        )
    counts = manifest["counts"]
    expected = {
        "institutions": int(counts["institutions"]),
        "people": int(counts["people"]),
        "affiliations": int(counts["affiliations"]),
    }
    if workers is None:
        workers = (os.cpu_count() or 1) if expected["people"] >= POOL_THRESHOLD else 1
    label = actor.get_username() if hasattr(actor, "get_username") else str(actor)
    reason = f"synthetic province {dataset_id} (scale {manifest['scale']}, seed {manifest['seed']})"
    now = timezone.now()
    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    try:
        with transaction.atomic():
            record = ProvinceLoad.objects.create(
                dataset_id=dataset_id,
                directory=str(directory),
                seed=int(manifest["seed"]),
                scale=float(manifest["scale"]),
                loaded_by=label,
            )
            organisation_ids, organisations = _load_organisations(
                actor, directory / "organisations.csv"
            )
            if progress is not None:
                progress("organisations", organisations, int(counts["organisations"]))
            keys = _field_keys()
            institution_base = _reserve_ids(Institution)
            person_base = _reserve_ids(Person)
            affiliation_base = _reserve_ids(Affiliation)
            common = {
                "engine": engine,
                "keys": keys,
                "organisation_ids": organisation_ids,
                "person_base": person_base,
                "person_count": expected["people"],
                "institution_base": institution_base,
                "institution_count": expected["institutions"],
            }
            loaded: dict[str, int] = {"organisations": organisations}
            for kind, model, columns, first_id in (
                ("institutions", Institution, INSTITUTION_COLUMNS, institution_base),
                ("people", Person, PERSON_COLUMNS, person_base),
                ("affiliations", Affiliation, AFFILIATION_COLUMNS, affiliation_base),
            ):
                spec = _table_spec(model, _PROVIDED[kind], now)
                job = _Job(kind=kind, model=model, spec=spec, **common)  # type: ignore[arg-type]
                loaded[kind] = _load_rows(
                    actor=actor,
                    kind=kind,
                    model=model,
                    path=directory / f"{kind}.csv",
                    columns=columns,
                    job=job,
                    first_id=first_id,
                    total=expected[kind],
                    workers=workers if kind != "institutions" else 1,
                    reason=reason,
                    progress=progress,
                )
            record.counts = loaded
            record.seconds = time.monotonic() - started
            record.save(update_fields=["counts", "seconds"])
    except IntegrityError as exc:
        raise ProvinceLoadError(
            f"与已有数据冲突，已全部回滚 / clashes with existing rows, nothing was loaded: {exc}"
        ) from exc
    return LoadResult(dataset_id=dataset_id, counts=loaded, seconds=time.monotonic() - started)


def _load_rows(
    *,
    actor: Any,
    kind: str,
    model: type[models.Model],
    path: Path,
    columns: Sequence[str],
    job: _Job,
    first_id: int,
    total: int,
    workers: int,
    reason: str,
    progress: Progress | None,
) -> int:
    """Write one file's rows chunk by chunk, each chunk with its bulk audit entry."""
    done = 0
    action = f"{model._meta.model_name}.bulk_load"
    for encoded in _encoded_chunks(job, _chunks(path, columns, first_id), workers):
        _write(job.spec, encoded)
        _audit_batch(
            actor=actor, action=action, model=model, members=encoded.members, reason=reason
        )
        done += encoded.rows
        if progress is not None:
            progress(kind, done, total)
    if done != total:
        raise ProvinceLoadError(
            f"{path.name} 行数与清单不符 / {path.name} has {done} rows, the manifest says {total}"
        )
    _advance_sequence(model)
    return done
