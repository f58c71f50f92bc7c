"""The bulk check (批量核查): a file or a list of identifiers screened as a job (ADR 0024).

A run is started by ``bulk_check_start`` (the upload or the JSON items are stored as its input
file) and processed by ``bulk_check_process`` in the ``bulk_check_task`` job. Rows are read
with ``subjects.imports.open_source`` (CSV in UTF-8/GBK/GB18030 or XLSX, streamed), validated
and blind-indexed by worker processes (``core.processes.fork_pool``) and answered in
set-based batches of ``BATCH_SIZE``: per batch, in one repeatable-read snapshot, the screening
data version, one query for the institutions by USCC, one for their former names, one for the
persons by blind index and one for the restrictions of each kind of subject in the scenario
on the day — a fixed number of queries whatever the batch holds. The verdict of each row
comes from ``screening.screening_decision``, the rule the single check uses, so the two cannot
drift. Each row is logged narrowly (``BulkCheckAnswer``: run, subject, verdict), one bulk
audit entry per batch whose members are those rows; the masked result file's digest is
logged by the run's result entry. No lock another request holds is taken (ADR 0044).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import tempfile
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from educredit.accounts.models import ApiClient
from educredit.audit.canonical import row_digest_from_values
from educredit.audit.services import audit_append_bulk
from educredit.core import jobs, processes, uploads
from educredit.core.clock import today
from educredit.core.crypto import DocumentSealer, mask_document_number, normalise_document_number
from educredit.core.identifiers import (
    EARLIEST_BIRTH_YEAR,
    RESIDENT_ID_CHECK,
    RESIDENT_ID_PROVINCES,
)
from educredit.core.lookups import AnyOf
from educredit.core.snapshot import consistent_read
from educredit.core.spreadsheet_safety import safe_cell
from educredit.sanctions.models import (
    BulkCheckAnswer,
    BulkCheckResultPart,
    BulkCheckRun,
    Restriction,
    ScreeningNameMatch,
)
from educredit.sanctions.screening import (
    IDENTIFIER_USCC,
    ScreeningError,
    ScreeningIdentifier,
    _audit_actor,
    check_request,
    identifier_from,
    name_key,
    screening_decision,
)
from educredit.sanctions.selectors import CLEAR
from educredit.sanctions.versions import screening_data_version
from educredit.subjects.choices import DocumentType, ImportStatus
from educredit.subjects.imports import (
    XLSX_MAGIC,
    ImportFileError,
    detect_encoding,
    normalise_heading,
    open_source,
)
from educredit.subjects.models import FormerName, Institution, Person
from educredit.synth import loader

BATCH_SIZE = 10_000
INLINE_MAX_ITEMS = 10_000
ERROR = "error"
RESIDENT_ID = "resident_id"
ACTION = "sanctions.bulk_check"

# What a heading may say for each column (compared after ``normalise_heading``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "document_type": ("证件类型", "document_type"),
    "document_number": ("证件号码", "身份证号码", "身份证号", "证件号", "document_number"),
    "name": ("姓名/名称", "姓名", "名称", "单位名称", "机构名称", "name"),
}
HEADINGS = {normalise_heading(text): key for key, texts in COLUMNS.items() for text in texts}
# A document type may be given by its code or its Chinese name (居民身份证 …).
DOCUMENT_TYPES = {
    **{str(label): value for value, label in DocumentType.choices},
    **{value: value for value in DocumentType.values},
}

RESULT_HEADER = [
    "row",
    "identifier_kind",
    "identifier",
    "name_match",
    "verdict",
    "reason",
    "subject_found",
    "measure_codes",
    "legal_bases",
    "ends_on",
    "data_version",
]


class BulkCheckError(ValueError):
    """The bulk check was refused as sent; ``errors`` maps each field to "中文 / English"."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass
class _Row:
    """One data row of the input: its number, the identifier (or why not) and what was sent."""

    number: int
    identifier: ScreeningIdentifier | None
    error: str
    kind: str
    shown: str  # the identifier as the result file shows it: USCC whole, documents masked


# --- starting a run -------------------------------------------------------------------------


def _items_csv(items: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["uscc", "document_type", "document_number", "name"])
    for item in items:
        writer.writerow(
            [
                item.get("uscc") or "",
                item.get("document_type") or "",
                item.get("document_number") or "",
                item.get("name") or "",
            ]
        )
    return out.getvalue().encode("utf-8")


@transaction.atomic
def bulk_check_start(
    *,
    caller: Any,
    scenario: str,
    reference: str,
    as_of: dt.date | None = None,
    upload: Any = None,
    items: list[dict[str, Any]] | None = None,
    enqueue: bool = True,
) -> BulkCheckRun:
    """Store a bulk check's input (an uploaded CSV/XLSX or inline items) and queue the job
    once this commits. Raises ``ScreeningError`` for the scenario or reference,
    ``uploads.UploadRefusedError`` for a file the upload check refuses (its ``code`` says
    why) and ``BulkCheckError`` for the input, a heading row not understood included;
    nothing is stored then."""
    scenario, reference = check_request(scenario=scenario, reference=reference)
    organisation_id = getattr(caller, "organisation_id", None)
    if organisation_id is None:
        raise BulkCheckError({"caller": "调用方没有所属机构 / The caller has no organisation"})
    is_client = isinstance(caller, ApiClient)
    run = BulkCheckRun(
        client=caller if is_client else None,
        user=None if is_client else caller,
        organisation_id=organisation_id,
        scenario=scenario,
        reference=reference,
        as_of=as_of or today(),
    )
    if upload is not None:
        # Judged before anything is stored, by the one upload check: size, emptiness, type
        # by content and by the name's extension when it has one (an API caller may send a
        # file without one), zip bomb; then the heading row, read cheaply.
        kind = uploads.upload_check(
            upload,
            max_bytes=settings.EDUCREDIT_BULK_CHECK_MAX_BYTES,
            check_name=bool(Path(upload.name or "").suffix),
        )
        _check_headings(uploads.heading_rows(upload, kind))
        suffix = f".{kind}"
        run.original_filename = Path(upload.name or "").name[:255]
        # A random name: the caller's file name is shown, never used as a path.
        run.file.save(f"{run.public_id}{suffix}", upload, save=False)
    else:
        rows = items or []
        if not rows:
            raise BulkCheckError({"items": "须提供至少一项 / send at least one item"})
        if len(rows) > INLINE_MAX_ITEMS:
            raise BulkCheckError(
                {
                    "items": f"一次最多 {INLINE_MAX_ITEMS} 项，更多请上传文件 / at most "
                    f"{INLINE_MAX_ITEMS} items inline: upload a file for more"
                }
            )
        run.file.save(f"{run.public_id}.csv", ContentFile(_items_csv(rows)), save=False)
    run.save()
    if enqueue:
        from educredit.sanctions.tasks import bulk_check_task

        run_id = run.pk
        transaction.on_commit(lambda: bulk_check_task.enqueue(run_id))
    return run


def _check_headings(readings: list[list[str]]) -> None:
    """Refuse a heading row that no reading of it (a CSV's in each encoding it may be in)
    makes understood; none to judge (a first line too long to read cheaply): the run will."""
    refusals: list[BulkCheckError] = []
    for header in readings:
        try:
            resolve_columns(header)
        except BulkCheckError as exc:
            refusals.append(exc)
        else:
            return
    if refusals:
        raise refusals[0]


# --- reading rows ---------------------------------------------------------------------------


def resolve_columns(header: list[str]) -> dict[str, int]:
    """Column key → position; ``BulkCheckError`` naming (by number, never by its text: it is
    the file's content) any column whose heading is not understood."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for position, heading in enumerate(header):
        key = HEADINGS.get(normalise_heading(heading))
        if key is None:
            if heading.strip():
                unknown.append(str(position + 1))
            continue
        positions.setdefault(key, position)
    if unknown:
        columns_en = (
            f"the heading of column {unknown[0]} is"
            if len(unknown) == 1
            else f"the headings of columns {', '.join(unknown)} are"
        )
        raise BulkCheckError(
            {
                "header": f"无法识别第 {'、'.join(unknown)} 列的标题。可用的列：统一社会信用代码，"
                "或证件类型和证件号码，以及可选的姓名/名称 / "
                f"{columns_en[0].upper()}{columns_en[1:]} not understood. Use uscc, or "
                "document_type and document_number, and optionally name"
            }
        )
    if "uscc" not in positions and "document_number" not in positions:
        raise BulkCheckError(
            {
                "header": "缺少统一社会信用代码列或证件号码列 / The file needs a uscc column or "
                "a document_number column"
            }
        )
    if "document_number" in positions and "document_type" not in positions:
        raise BulkCheckError(
            {"header": "证件号码列须配证件类型列 / document_number needs a document_type column"}
        )
    return positions


def _shown(kind: str, value: str, *, valid: bool) -> str:
    # A valid USCC names an organisation and is public; anything else may be a person's
    # number (a resident ID typed into the USCC column is 18 characters too): masked.
    if kind == IDENTIFIER_USCC and valid:
        return value
    return mask_document_number(value) if value else ""


# Birth dates a resident ID may hold, as its 8 digits, per day (the last day is today).
_birth_days: dict[dt.date, frozenset[str]] = {}


def _birth_digits(day: dt.date) -> frozenset[str]:
    found = _birth_days.get(day)
    if found is None:
        first = dt.date(EARLIEST_BIRTH_YEAR, 1, 1)
        found = frozenset(
            (first + dt.timedelta(days=n)).strftime("%Y%m%d") for n in range((day - first).days + 1)
        )
        _birth_days.clear()
        _birth_days[day] = found
    return found


def _plain_resident_id(value: str, day: dt.date) -> bool:
    """Whether ``value`` is, as written, a valid resident ID (GB 11643: 17 digits, province,
    real birth date not after ``day``, MOD 11-2 check character) — the common case, decided in
    a few operations. False means "not this fast way", never "invalid": such a value goes
    through ``screening.identifier_from``, which says why or normalises it (spaces, ``x``).
    A test compares the two on valid, spoiled and odd numbers."""
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[:17].isascii()
        and value[:2] in RESIDENT_ID_PROVINCES
        and value[6:14] in _birth_digits(day)
        and value[17] == RESIDENT_ID_CHECK[(2 * int(value[:17], 13)) % 11]
    )


def parse_row(
    number: int, values: list[str], columns: dict[str, int], day: dt.date | None = None
) -> _Row:
    """A data row as an identifier, or the bilingual reason it is not one (``day``: today,
    once per batch rather than per row)."""

    def cell(key: str) -> str:
        position = columns.get(key)
        return values[position].strip() if position is not None and position < len(values) else ""

    uscc, number_text = cell("uscc"), cell("document_number")
    kind_text = cell("document_type")
    kind = DOCUMENT_TYPES.get(kind_text, kind_text)
    if not uscc and kind == RESIDENT_ID and _plain_resident_id(number_text, day or today()):
        name = " ".join(cell("name").split())
        identifier = ScreeningIdentifier(document_type=kind, document_number=number_text, name=name)
        return _Row(number, identifier, "", kind, mask_document_number(number_text))
    try:
        identifier = identifier_from(
            uscc=uscc, document_type=kind, document_number=number_text, name=cell("name")
        )
    except ScreeningError as exc:
        shown_kind = IDENTIFIER_USCC if uscc else kind
        raw = uscc or number_text
        return _Row(number, None, str(exc), shown_kind, _shown(shown_kind, raw, valid=False))
    if identifier.uscc:
        return _Row(number, identifier, "", IDENTIFIER_USCC, identifier.uscc)
    shown = mask_document_number(identifier.document_number)
    return _Row(number, identifier, "", identifier.document_type, shown)


def _batches(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- reading rows (in worker processes for a big file) --------------------------------------

# A row as read and validated, compact for the trip between processes: (row number, kind,
# identifier as shown, USCC, document type, blind index, name sent, refusal "中文 / English").
_Parsed = tuple[int, str, str, str, str, str, str, str]


def _parse_chunk(columns: dict[str, int], rows: list[tuple[int, list[str]]]) -> list[_Parsed]:
    """Validate a chunk of rows and blind-index their document numbers (pure: no database;
    runs in a worker process for a big file)."""
    index = DocumentSealer.current().blind_index
    day = today()
    out: list[_Parsed] = []
    for number, values in rows:
        row = parse_row(number, values, columns, day)
        identifier = row.identifier
        if identifier is None:
            out.append((number, row.kind, row.shown, "", "", "", "", row.error))
        elif identifier.uscc:
            out.append((number, row.kind, row.shown, identifier.uscc, "", "", identifier.name, ""))
        else:
            blind = index(normalise_document_number(identifier.document_number), purpose="document")
            kind = identifier.document_type
            out.append((number, row.kind, row.shown, "", kind, blind, identifier.name, ""))
    return out


def _parse_lines(columns: dict[str, int], first: int, lines: list[str]) -> list[_Parsed]:
    """A chunk of a CSV's lines (``first``: the line number of the first) read as
    ``subjects.imports``' CSV source reads rows — numbered by the line a record ends on,
    blank records skipped, cells stripped — then parsed (in a worker process)."""
    reader = csv.reader(lines)
    rows = [
        (first - 1 + reader.line_num, [value.strip() for value in values])
        for values in reader
        if any(value.strip() for value in values)
    ]
    return _parse_chunk(columns, rows)


def _line_chunks(lines: Iterator[str], first: int) -> Iterator[tuple[int, list[str]]]:
    """A CSV's lines in chunks of about ``BATCH_SIZE`` records, each (first line number,
    lines). A chunk ends only after a line without a quote character outside a quoted field
    (by the parity of the quotes so far), so no record is cut in two."""
    chunk: list[str] = []
    inside = False
    for line in lines:
        chunk.append(line)
        quotes = line.count('"')
        if quotes % 2:
            inside = not inside
        if not inside and not quotes and len(chunk) >= BATCH_SIZE:
            yield first, chunk
            first += len(chunk)
            chunk = []
    if chunk:
        yield first, chunk


def _parse(columns: dict[str, int], chunk: Any) -> list[_Parsed]:
    """A worker's batch: a CSV's (first line number, lines), or an XLSX's rows read here."""
    if isinstance(chunk, tuple):
        return _parse_lines(columns, chunk[0], chunk[1])
    return _parse_chunk(columns, chunk)


def _parsed_chunks(
    columns: dict[str, int],
    chunks: Iterator[Any],
    pool: ProcessPoolExecutor | None,
    workers: int,
) -> Iterator[list[_Parsed]]:
    """Parsed batches in order; with a pool, its processes read ahead (two chunks each)."""
    if pool is None:
        for chunk in chunks:
            yield _parse(columns, chunk)
        return
    pending: deque[Future[list[_Parsed]]] = deque()
    for chunk in chunks:
        pending.append(pool.submit(_parse, columns, chunk))
        if len(pending) >= 2 * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Forked worker processes (``core.processes.fork_pool``: they die with this process and
    never touch the database); None for one worker: everything in this process."""
    if workers <= 1:
        yield None
        return
    with processes.fork_pool(workers) as pool:
        yield pool


# --- answering a batch ----------------------------------------------------------------------


class _AnyOfJoined(AnyOf):
    """``AnyOf`` whose values travel to PostgreSQL as ONE comma-joined text, split there
    (``string_to_array``): psycopg adapts a list of ten thousand values in about 35 ms, a
    batch's worth of time at a million rows; the text costs nothing. Only for values that
    hold no comma (ids, validated USCCs, hex blind indexes)."""

    lookup_name = "any_of_joined"
    cast = ""

    def get_prep_lookup(self) -> Any:
        # The values are the batch's own (ids, codes, hex), ready as they are: not prepared
        # one by one by the field (half a second a batch for ten thousand).
        return self.rhs

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        joined = ",".join(map(str, self.rhs))
        return f"{lhs} = ANY(string_to_array(%s, ','){self.cast})", [*lhs_params, joined]


class _AnyOfIds(_AnyOfJoined):
    lookup_name = "any_of_ids"
    cast = "::bigint[]"


class _InForce(NamedTuple):
    """A restriction in force as a batch reads it (no model instance per row)."""

    pk: int
    verdict: str
    code: str
    legal_basis: str
    ends_on: dt.date | None


def _in_force(
    field: str, ids: list[int], *, scenario: str, day: dt.date
) -> dict[int, list[_InForce]]:
    """The restrictions in force on ``day`` in ``scenario`` of the subjects ``ids`` (one query),
    by subject, in ``restrictions_for``'s order (start, then pk)."""
    found: dict[int, list[_InForce]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        Restriction.objects.filter(_AnyOfIds(F(field), ids), scenario=scenario, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .order_by("starts_on", "pk")
        .values_list(field, "pk", "verdict", "measure__code", "legal_basis", "ends_on")
    )
    for subject, *values in rows:
        found[subject].append(_InForce(*values))
    return found


# A subject as the batch reads it, without a model instance: (id, name, former names).
_SubjectRow = tuple[int, str, tuple[str, ...]]


@dataclass
class _Found:
    """What a batch read from its snapshot, for the rows to be answered from (picklable: a
    worker process answers and encodes the batch on PostgreSQL)."""

    institutions: dict[str, _SubjectRow]  # by USCC
    persons: dict[tuple[str, str], _SubjectRow]  # by (document type, blind index)
    by_institution: dict[int, list[_InForce]]
    by_person: dict[int, list[_InForce]]


def read_batch(run: BulkCheckRun, parsed: list[_Parsed]) -> tuple[int, _Found]:
    """Everything a batch's answers depend on, from ONE snapshot (a repeatable-read
    transaction; it locks nothing a writer holds): the screening data version, the
    institutions by USCC with their former names, the persons by blind index and the
    restrictions in force of those subjects in the scenario on the day — five queries at
    most, whatever the batch's size. The batch is answered exactly from that version."""
    usccs = sorted({row[3] for row in parsed if row[3]})
    wanted = sorted({row[5] for row in parsed if row[5]})
    with consistent_read():
        data_version = screening_data_version()
        institutions: dict[str, _SubjectRow] = {}
        if usccs:
            found = list(
                Institution.objects.filter(_AnyOfJoined(F("uscc"), usccs)).values_list(
                    "pk", "name", "uscc"
                )
            )
            formers: dict[int, list[str]] = defaultdict(list)
            if found:
                rows = FormerName.objects.filter(
                    _AnyOfIds(F("institution_id"), [pk for pk, _, _ in found])
                ).values_list("institution_id", "name")
                for pk, name in rows:
                    formers[pk].append(name)
            institutions = {
                uscc or "": (pk, name, tuple(formers.get(pk, ()))) for pk, name, uscc in found
            }
        persons: dict[tuple[str, str], _SubjectRow] = {}
        if wanted:
            people = Person.objects.filter(_AnyOfJoined(F("id_number_index"), wanted))
            persons = {
                (kind, blind): (pk, name, ())
                for pk, name, kind, blind in people.values_list(
                    "pk", "name", "document_type", "id_number_index"
                )
            }
        scenario, day = run.scenario, run.as_of
        by_institution = _in_force(
            "institution_id",
            sorted({s[0] for s in institutions.values()}),
            scenario=scenario,
            day=day,
        )
        by_person = _in_force(
            "person_id", sorted({s[0] for s in persons.values()}), scenario=scenario, day=day
        )
    return data_version, _Found(institutions, persons, by_institution, by_person)


def _name_of(subject: _SubjectRow, name: str, wanted: str) -> str:
    """How the name sent compares, as ``screening._name_match`` (``wanted``: its
    ``name_key``): the current name, then an institution's former names."""
    if not name:
        return ScreeningNameMatch.NOT_GIVEN
    if wanted == name_key(subject[1]):
        return ScreeningNameMatch.CURRENT
    if any(wanted == name_key(former) for former in subject[2]):
        return ScreeningNameMatch.FORMER
    return ScreeningNameMatch.MISMATCH


# A row as answered: (row number, kind, identifier as shown, institution id, person id, name
# match, verdict, reason, subject found ("true"/"false"; "" for a refused row), measure codes,
# legal bases, ends) — the last three as the result file writes them.
_Answered = tuple[int, str, str, int | None, int | None, str, str, str, str, str, str, str]


def decide(parsed: list[_Parsed], found: _Found) -> list[_Answered]:
    """Each row's answer from what its batch read (pure: no database). The verdict is
    ``screening.screening_decision``'s, the single check's rule: a name that does not match
    is "review" without measures, whatever is in force."""
    shown: dict[int, tuple[str, str, str]] = {}
    answers: list[_Answered] = []
    institutions, persons = found.institutions, found.persons
    for row in parsed:
        number, kind, identifier = row[0], row[1], row[2]
        if row[7]:
            answers.append(
                (number, kind, identifier, None, None, "", ERROR, row[7], "", "", "", "")
            )
            continue
        institution_id = person_id = None
        if row[3]:
            subject = institutions.get(row[3])
            if subject is not None:
                institution_id = subject[0]
                in_force = found.by_institution.get(subject[0], [])
        else:
            subject = persons.get((row[4], row[5]))
            if subject is not None:
                person_id = subject[0]
                in_force = found.by_person.get(subject[0], [])
        if subject is None:
            answers.append(
                (number, kind, identifier, None, None, "", CLEAR, "", "false", "", "", "")
            )
            continue
        sent = row[6]
        name_match = _name_of(subject, sent, name_key(sent) if sent else "")
        verdict, reason, restrictions = screening_decision(name_match, in_force)
        codes = bases = ends = ""
        if restrictions:
            parts = []
            for restriction in restrictions:
                if restriction.pk not in shown:
                    end = restriction.ends_on
                    shown[restriction.pk] = (
                        restriction.code,
                        restriction.legal_basis,
                        end.isoformat() if end else "",
                    )
                parts.append(shown[restriction.pk])
            codes = ";".join(p[0] for p in parts)
            bases = " | ".join(p[1] for p in parts)
            ends = ";".join(p[2] for p in parts)
        answers.append(
            (
                number,
                kind,
                identifier,
                institution_id,
                person_id,
                name_match,
                verdict,
                reason,
                "true",
                codes,
                bases,
                ends,
            )
        )
    return answers


# The narrow log row's columns, as the batch writes them (``BulkCheckAnswer``).
_ANSWER_FIELDS = (
    "id",
    "row",
    "institution_id",
    "person_id",
    "verdict",
    "name_match",
    "reason",
    "data_version",
    # Shared by the whole batch (last: their COPY text is one suffix).
    "run_id",
    "created_at",
)


@dataclass(frozen=True)
class _EncodeJob:
    """What encoding a batch needs besides its answers (pickled per batch; small)."""

    spec: loader._TableSpec
    postgresql: bool
    run_id: int
    created_at: dt.datetime


@dataclass
class _Encoded:
    """A batch ready to write: the log rows (COPY text or parameters), their audit members
    (id, row digest) and the result file's lines."""

    rows: loader._Encoded
    members: list[tuple[int, str]]
    result: str
    counts: Counter[str]


# Columns of ``_ANSWER_FIELDS`` the whole batch shares: rendered once, not per row.
_SHARED = (len(_ANSWER_FIELDS) - 2, len(_ANSWER_FIELDS) - 1)


def _digester(spec: loader._TableSpec, row: tuple[Any, ...]) -> Callable[[tuple[Any, ...]], str]:
    """``loader.row_digest(spec, ·)`` with the shared columns' JSON (taken from ``row``)
    rendered once: the same canonical text, each row's own values put between."""
    parts: list[str | tuple[int, Callable[[Any], str]]] = []
    for n, (index, fragment) in enumerate(spec.digest_plan):
        separator = "," if n else ""
        if index < 0:
            parts.append(separator + fragment)
        elif index in _SHARED:
            parts.append(separator + fragment + spec.json_formatters[index](row[index]))
        else:
            parts.extend([separator + fragment, (index, spec.json_formatters[index])])
    steps: list[tuple[str, int, Callable[[Any], str]]] = []
    pending = "{"
    for part in parts:
        if isinstance(part, str):
            pending += part
        else:
            steps.append((pending, part[0], part[1]))
            pending = ""
    tail = pending + "}"
    sha256 = hashlib.sha256

    def digest(values: tuple[Any, ...]) -> str:
        text = "".join([before + f(values[i]) for before, i, f in steps]) + tail
        return sha256(text.encode()).hexdigest()

    return digest


def _encode(
    job: _EncodeJob, data_version: int, parsed: list[_Parsed], found: _Found, ids: list[int]
) -> _Encoded:
    """The batch's answers, its log rows, their digests and its result lines (pure: no
    database; runs in a worker process on PostgreSQL, where the ids come from the sequence
    beforehand)."""
    answers = decide(parsed, found)
    spec = job.spec
    run_id, created_at = job.run_id, job.created_at
    rows = [
        (
            ids[i],
            a[0],
            a[3],
            a[4],
            a[6],
            a[5],
            a[7],
            None if a[6] == ERROR else data_version,
            run_id,
            created_at,
        )
        for i, a in enumerate(answers)
    ]
    members: list[tuple[int, str]] = []
    if rows:
        digest = _digester(spec, rows[0])
        members = [(row[0], digest(row)) for row in rows]
        # The hand-written digest must be the audit app's (as synth.loader checks per chunk):
        # checked on the batch's first row of each shape (subject or none, refused or not).
        seen: set[tuple[bool, bool, bool]] = set()
        for row, (_pk, written) in zip(rows, members, strict=True):
            shape = (row[2] is None, row[3] is None, row[7] is None)
            if shape in seen:
                continue
            seen.add(shape)
            values = dict(zip(_ANSWER_FIELDS, row, strict=True))
            if row_digest_from_values(BulkCheckAnswer, values) != written:
                raise RuntimeError("bulk check: the log rows' digest differs from the audit app's")
    if job.postgresql and rows:
        f = spec.copy_formatters
        own = len(_ANSWER_FIELDS) - len(_SHARED)
        front = f[:own]
        lines = ["\t".join([g(v) for g, v in zip(front, row, strict=False)]) for row in rows]
        # The shared columns are the last ones of the COPY: appended as one suffix.
        suffix = "\t" + "\t".join(f[i](rows[0][i]) for i in _SHARED) + "\n"
        text = suffix.join(lines) + suffix
        encoded = loader._Encoded(len(rows), text.encode(), [], [])
    else:
        db = spec.db_formatters
        params = [tuple([f(v) for f, v in zip(db, row, strict=True)]) for row in rows]
        encoded = loader._Encoded(len(rows), b"", params, [])
    version = str(data_version)
    lines_out = [
        # Made inert where the file's own text is shown (kind, identifier) and the bases.
        [
            a[0],
            safe_cell(a[1]),
            safe_cell(a[2]),
            a[5],
            a[6],
            a[7],
            a[8],
            a[9],
            safe_cell(a[10]),
            a[11],
            "" if a[6] == ERROR else version,
        ]
        for a in answers
    ]
    out = io.StringIO()
    csv.writer(out).writerows(lines_out)
    return _Encoded(encoded, members, out.getvalue(), Counter(a[6] for a in answers))


def _reserve_answer_ids(count: int) -> list[int]:
    """``count`` consecutive ids from the log table's sequence (PostgreSQL), taken before the
    batch's write so a worker can digest its rows meanwhile. Every writer of the table takes
    its ids here, one at a time under a transaction-level advisory lock held for two short
    statements (not the table's lock, not across the batch)."""
    if not count:
        return []
    table = BulkCheckAnswer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{table}.id"])
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence("
            "%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = int(cursor.fetchone()[0])
    return list(range(last - count + 1, last + 1))


def _write_batch(
    run: BulkCheckRun,
    caller: Any,
    job: _EncodeJob,
    number: int,
    data_version: int,
    parsed: list[_Parsed],
    found: _Found,
    encoded: _Encoded | Future[_Encoded] | None,
) -> None:
    """Log and count one answered batch and keep its result lines, in one transaction with
    the task's lease: a batch is logged, audited and counted once, or not at all."""
    with transaction.atomic():
        if encoded is None:  # SQLite: the ids are the next ones under the write lock
            first = loader._reserve_ids(BulkCheckAnswer)
            ids = list(range(first, first + len(parsed)))
            encoded = _encode(job, data_version, parsed, found, ids)
        elif isinstance(encoded, Future):
            encoded = encoded.result()
        if parsed:
            loader._write(job.spec, encoded.rows)
            entry = audit_append_bulk(
                actor=_audit_actor(caller),
                action=ACTION,
                model=BulkCheckAnswer,
                members=encoded.members,
                reason=f"批量核查 / bulk check {run.public_id} {run.scenario} "
                f"(data version {data_version})",
            )
            run.audit_entries = [*run.audit_entries, entry.pk]
        if run.data_version is None:
            run.data_version = data_version
        run.last_data_version = data_version
        run.processed_rows += len(parsed)
        for verdict, count in encoded.counts.items():
            field = f"{verdict}_count"
            if hasattr(run, field):
                setattr(run, field, getattr(run, field) + count)
        run.save(
            update_fields=[
                "processed_rows",
                "clear_count",
                "restricted_count",
                "review_count",
                "reward_count",
                "error_count",
                "data_version",
                "last_data_version",
                "audit_entries",
            ]
        )
        BulkCheckResultPart.objects.create(run=run, batch_number=number, text=encoded.result)
        jobs.renew()


# --- the job --------------------------------------------------------------------------------

# Stored as the run's message when an unexpected error stops it.
RUN_FAILED = "处理失败，请重试 / The run failed: try again"
RESULT_ACTION = "sanctions.bulk_check_result"


def _caller(run: BulkCheckRun) -> Any:
    return run.client if run.client_id else run.user


def _finish(run: BulkCheckRun, status: str, message: str = "") -> None:
    if run.file:
        # The input holds identity numbers: it does not outlive the run.
        run.file.delete(save=False)
    run.status, run.error_message, run.finished_at = status, message, timezone.now()
    with transaction.atomic():
        fields = ["file", "result", "status", "error_message", "finished_at"]
        if run.result_digest:
            # The result file is logged as one digest, by an entry of its own (no members:
            # the rows it answers are the batches' members).
            entry = audit_append_bulk(
                actor=_audit_actor(_caller(run)),
                action=RESULT_ACTION,
                model=BulkCheckAnswer,
                members=[],
                reason=f"批量核查结果文件 / bulk check result {run.public_id}: "
                f"sha256 {run.result_digest}, {run.processed_rows} rows",
            )
            run.result_entry = entry.pk
            fields += ["result_digest", "result_entry"]
        run.save(update_fields=fields)
        # The batches' lines are in the result file now (or the run failed: no result).
        BulkCheckResultPart.objects.filter(run=run).delete()


def bulk_check_fail(run: BulkCheckRun, reason: str) -> None:
    """End a run as failed with ``reason``; its input and the lines answered so far go (the
    rows answered stay, each logged and audited)."""
    run.result_digest = ""
    _finish(run, ImportStatus.FAILED, reason)


def _claim(run_id: int) -> bool:
    """Take a queued run, or the one a dead worker left RUNNING (``core.jobs.run_claim``)."""
    return jobs.run_claim(
        BulkCheckRun.objects.filter(pk=run_id),
        pending=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
    )


def _save_result(run: BulkCheckRun) -> None:
    """The result file: the header, then every batch's lines in order; its SHA-256 too."""
    hasher = hashlib.sha256()
    with tempfile.TemporaryFile("w+b") as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        csv.writer(text).writerow(RESULT_HEADER)
        parts = BulkCheckResultPart.objects.filter(run=run).order_by("batch_number")
        for part in parts.values_list("text", flat=True).iterator(chunk_size=20):
            text.write(part)
        text.flush()
        out.seek(0)
        while block := out.read(1 << 20):
            hasher.update(block)
        out.seek(0)
        run.result.save(f"{run.public_id}.csv", File(out), save=False)
        text.detach()
    run.result_digest = hasher.hexdigest()


# Bytes no encoding reads: the message every importer shows (never the codec's, which quotes
# a byte of the file).
UNREADABLE = "文件编码无法识别，请使用 UTF-8 或 GBK"


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


@contextmanager
def _input(run: BulkCheckRun) -> Iterator[tuple[dict[str, int], Iterator[Any]]]:
    """The run's columns and its rows in chunks for the workers, after those an interrupted
    attempt answered (their log rows and lines are committed).

    A CSV is split into chunks of lines here and read by the workers (the csv module, as
    ``subjects.imports`` reads it); its total for the progress bar is its line count, and
    becomes the rows answered at the end. An XLSX is read here by ``open_source``.
    """
    path = Path(run.file.path)
    with path.open("rb") as probe:
        magic = probe.read(4)
    if magic == XLSX_MAGIC or magic.startswith(b"\xd0\xcf\x11\xe0"):
        with open_source(path, run.file.name) as source:
            columns = resolve_columns(source.header)
            run.total_rows, run.encoding = source.total, source.encoding
            run.save(update_fields=["total_rows", "encoding"])
            rows = source.rows()
            for _done in islice(rows, run.processed_rows):
                pass
            yield columns, iter(lambda: list(islice(rows, BATCH_SIZE)), [])
        return
    with path.open("rb") as binary:
        encoding = detect_encoding(binary)
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
        try:
            reader = csv.reader(text)
            columns = resolve_columns([cell.strip() for cell in next(reader, [])])
            run.total_rows = max(_count_lines(path) - reader.line_num, run.processed_rows)
            run.encoding = encoding
            run.save(update_fields=["total_rows", "encoding"])
            skipped = 0
            while skipped < run.processed_rows:
                values = next(reader)
                skipped += any(value.strip() for value in values)
            yield columns, _line_chunks(text, reader.line_num + 1)
        except UnicodeDecodeError:
            raise ImportFileError(gettext(UNREADABLE)) from None


def _workers(total: int) -> int:
    # One batch is not worth a pool; SQLite writes in this process anyway (ids under its lock)
    # but its workers still read ahead.
    return int(settings.EDUCREDIT_IMPORT_WORKERS) if total > BATCH_SIZE else 1


def bulk_check_process(
    *, run_id: int, progress: Callable[[BulkCheckRun], None] | None = None
) -> BulkCheckRun | None:
    """Process a queued run once (claimed by a conditional update); None if already taken.

    A file that cannot be read or has a heading not understood fails the run before any row
    is checked. A row that is not a valid identifier is answered "error" with its reason and
    logged as a refused lookup. Worker processes read, validate and blind-index the rows
    ahead and (PostgreSQL) encode and digest each answered batch while this process answers
    the next one and writes the one before: it keeps the database busy. Each batch commits
    its log rows, its bulk audit entry, its result lines and the run's counts together, so a
    worker that takes the task over from one that died skips the rows answered and goes on;
    the result file is put together from the batches' lines at the end and its digest logged.
    """
    if not _claim(run_id):
        return None
    run = BulkCheckRun.objects.select_related("client", "user").get(pk=run_id)
    caller = _caller(run)
    try:
        with _input(run) as (columns, chunks):
            number = BulkCheckResultPart.objects.filter(run=run).count()
            postgresql = connection.vendor == "postgresql"
            now = timezone.now()
            job = _EncodeJob(
                spec=loader._table_spec(BulkCheckAnswer, _ANSWER_FIELDS, now),
                postgresql=postgresql,
                run_id=run.pk,
                created_at=now,
            )
            workers = _workers(run.total_rows - run.processed_rows)
            with _worker_pool(workers) as pool:
                previous: tuple[Any, ...] | None = None
                for parsed in _parsed_chunks(columns, chunks, pool, workers):
                    data_version, found = read_batch(run, parsed)
                    encoded: _Encoded | Future[_Encoded] | None = None
                    if postgresql:
                        ids = _reserve_answer_ids(len(parsed))
                        args = (job, data_version, parsed, found, ids)
                        if pool is not None:
                            encoded = pool.submit(_encode, *args)
                        else:
                            encoded = _encode(*args)
                    # The batch before is written while a worker encodes this one.
                    if previous is not None:
                        _write_batch(run, caller, job, *previous)
                        if progress is not None:
                            progress(run)
                    previous = (number, data_version, parsed, found, encoded)
                    number += 1
                if previous is not None:
                    _write_batch(run, caller, job, *previous)
                    if progress is not None:
                        progress(run)
            _save_result(run)
    except (BulkCheckError, ImportFileError) as exc:
        _finish(run, ImportStatus.FAILED, str(exc))
        return run
    except jobs.LeaseLost:
        raise  # another attempt owns the run now: nothing more to write here
    except Exception:
        run.result_digest = ""
        _finish(run, ImportStatus.FAILED, RUN_FAILED)
        raise
    run.total_rows = run.processed_rows  # an XLSX's recorded dimension may overstate it
    run.save(update_fields=["total_rows"])
    _finish(run, ImportStatus.FINISHED)
    return run


def bulk_runs_of(caller: Any) -> QuerySet[BulkCheckRun]:
    """The runs a caller may read, as ``screening_checks_of`` the checks: an API client its
    own; a staff user those of callers of organisations in their jurisdiction."""
    if isinstance(caller, ApiClient):
        return BulkCheckRun.objects.filter(client=caller)
    organisation = getattr(caller, "organisation", None)
    if not getattr(caller, "is_authenticated", False) or organisation is None:
        return BulkCheckRun.objects.none()
    return BulkCheckRun.objects.filter(organisation__path__startswith=organisation.path)
