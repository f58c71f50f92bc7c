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

import base64
import csv
import datetime as dt
import hashlib
import hmac
import io
import itertools
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from educredit.accounts import services as accounts_services
from educredit.accounts.choices import OrganisationKind
from educredit.accounts.models import Organisation
from educredit.audit import services as audit_services
from educredit.core.crypto import NONCE_BYTES, mask_document_number, normalise_document_number
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
    return json.encoder.encode_basestring(value)  # type: ignore[attr-defined,no-any-return]


@dataclass(frozen=True)
class _TableSpec:
    """How one model's rows are written: its columns, constants, and what its digest covers.

    ``columns`` are (attname, db column) of every concrete field in model order; ``constants``
    give the values of the fields the loader does not set per row (their defaults, the load
    time for timestamps); ``digest_fields`` are the attnames an audit snapshot covers, sorted.
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    constants: dict[str, Any]
    digest_fields: tuple[str, ...]


def _table_spec(model: type[models.Model], provided: Sequence[str], now: dt.datetime) -> _TableSpec:
    constants: dict[str, Any] = {}
    columns: list[tuple[str, str]] = []
    for model_field in model._meta.concrete_fields:
        columns.append((model_field.attname, model_field.column))
        if model_field.attname in provided:
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            constants[model_field.attname] = now
        elif model_field.has_default():
            constants[model_field.attname] = model_field.get_default()
        elif model_field.null:
            constants[model_field.attname] = None
        else:
            raise ProvinceLoadError(
                f"加载程序不知道如何填写 {model.__name__}.{model_field.name} / "
                f"the loader does not know how to fill {model.__name__}.{model_field.name}"
            )
    exclude = set(getattr(model, "audit_exclude", ()))
    digest_fields = sorted(
        model_field.attname
        for model_field in model._meta.concrete_fields
        if model_field.name not in exclude and model_field.attname not in exclude
    )
    return _TableSpec(
        table=model._meta.db_table,
        columns=tuple(columns),
        constants=constants,
        digest_fields=tuple(digest_fields),
    )


def _snapshot_text(value: Any) -> str:
    """A value as ``AuditedModel.audit_snapshot`` renders it (``audit.canonical``)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row_digest(spec: _TableSpec, values: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a row's audit snapshot (as ``audit.canonical.digest``).

    Written out by hand because it runs for every loaded row; a test checks it against the
    audit app's own digest of the stored rows.
    """
    parts = []
    for name in spec.digest_fields:
        value = values[name]
        text = "null" if value is None else _json_string(_snapshot_text(value))
        parts.append(f'"{name}":{text}')
    return hashlib.sha256(("{" + ",".join(parts) + "}").encode()).hexdigest()


def _copy_text(value: Any) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _db_value(value: Any) -> Any:
    """A value as Django's SQLite backend stores it."""
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
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


@cache
def _hmac_base(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def _encrypt(keys: _Keys, plain: str, nonce: bytes) -> str:
    """``core.crypto.encrypt_text`` with the cipher object kept (same token format)."""
    sealed = _aead(keys.field_key).encrypt(nonce, plain.encode(), b"")
    return f"{keys.field_key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def _blind_index(keys: _Keys, normalised: str) -> str:
    """``core.crypto.blind_index`` (purpose "document") of an already normalised number."""
    mac = _hmac_base(keys.blind_index_key).copy()
    mac.update(f"document\x00{normalised}".encode())
    return mac.hexdigest()


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
    out = io.StringIO()
    params: list[tuple[Any, ...]] = []
    members: list[tuple[int, str]] = []
    spec = job.spec
    attnames = [attname for attname, _column in spec.columns]
    postgres = job.engine == "postgresql"
    row_builder = _ROW_BUILDERS[job.kind]
    randomness = _Randomness(len(chunk.lines))
    for offset, record in enumerate(csv.reader(chunk.lines)):
        line = chunk.first_line + offset
        key = chunk.first_key + offset
        pk = chunk.first_id + offset
        try:
            values = row_builder(
                job, record, key, pk, randomness.uuid4(offset), randomness.nonce(offset)
            )
        except (ValueError, IndexError, KeyError) as exc:
            raise ProvinceLoadError(
                f"{chunk.file} 第 {line} 行有误 / {chunk.file} line {line} is invalid: {exc}"
            ) from exc
        values.update(spec.constants)
        member_digest = row_digest(spec, values)
        if offset == 0 and member_digest != audit_services.row_digest_from_values(
            job.model, values
        ):
            # The fast digest must agree with the audit app's definition, or verify would
            # flag every loaded row: check it once per chunk against the real thing.
            raise ProvinceLoadError(
                f"{job.model.__name__}: 行摘要与审计模块不一致 / "
                "row digest disagrees with the audit app's"
            )
        members.append((pk, member_digest))
        if postgres:
            out.write("\t".join(_copy_text(values[name]) for name in attnames))
            out.write("\n")
        else:
            params.append(tuple(_db_value(values[name]) for name in attnames))
    return _Encoded(
        rows=len(members), copy_data=out.getvalue().encode(), params=params, members=members
    )


def _institution_row(
    job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes
) -> dict[str, Any]:
    (row_key, uscc, name, kind, ownership, level, region_code, supervisor_key, licence, legal) = (
        record
    )
    if int(row_key) != key:
        raise ValueError(f"key {row_key} out of order (expected {key})")
    return {
        "id": pk,
        "public_id": uuid,
        "uscc": uscc or None,
        "moe_code": None,
        "name": name,
        "kind": kind,
        "ownership": ownership,
        "level": level,
        "region_code": region_code,
        "supervisor_id": job.organisation_ids[int(supervisor_key)],
        "organisation_id": None,
        "licence_number": licence,
        "legal_representative": legal,
    }


def _person_row(
    job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes
) -> dict[str, Any]:
    row_key, document_type, id_number, name = record
    if int(row_key) != key:
        raise ValueError(f"key {row_key} out of order (expected {key})")
    if job.keys is None:
        raise ValueError("no field keys")
    number = normalise_document_number(id_number)
    gender, born = _resident_id_facts(number) if document_type == "resident_id" else ("", None)
    return {
        "id": pk,
        "public_id": uuid,
        "document_type": document_type,
        "id_number_cipher": _encrypt(job.keys, number, nonce),
        "id_number_index": _blind_index(job.keys, number),
        "id_number_masked": mask_document_number(number),
        "name": name,
        "gender": gender,
        "birth_date": born,
    }


def _affiliation_row(
    job: _Job, record: list[str], key: int, pk: int, uuid: _Uuid, nonce: bytes
) -> dict[str, Any]:
    person_key, institution_key, role, started_on = (
        int(record[0]),
        int(record[1]),
        record[2],
        record[3],
    )
    if not (0 < person_key <= job.person_count and 0 < institution_key <= job.institution_count):
        raise ValueError(f"unknown person {person_key} or institution {institution_key}")
    return {
        "id": pk,
        "person_id": job.person_base + person_key - 1,
        "institution_id": job.institution_base + institution_key - 1,
        "role": role,
        "started_on": dt.date.fromisoformat(started_on) if started_on else None,
        "ended_on": None,
    }


_ROW_BUILDERS: dict[str, Callable[[_Job, list[str], int, int, _Uuid, bytes], dict[str, Any]]] = {
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
    # Forked workers inherit the loaded code; they never use the parent's database connection.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
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
    quoted = ", ".join(connection.ops.quote_name(column) for _attname, column in spec.columns)
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
