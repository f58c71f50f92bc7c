"""The bulk check (批量核查): a file or a list of identifiers screened as a job (ADR 0024).

A run is started by ``bulk_check_start`` (the upload or the JSON items are stored as its input
file) and processed by ``bulk_check_process`` in the ``bulk_check_task`` job. Rows are read
with ``subjects.imports.open_source`` (CSV in UTF-8/GBK/GB18030 or XLSX, streamed) and answered
in set-based batches of ``BATCH_SIZE``: per batch one query for the institutions by USCC, one
for their former names, one for the persons by blind index, one for the restrictions of each
kind of subject in the scenario on the day, one insert of the check rows and one bulk audit
entry — a fixed number of queries whatever the batch holds. The verdict of each row comes
from ``screening.screening_decision``, the rule the single check uses, so the two cannot
drift. Each batch takes the audit chain head's lock first, like a single check: its rows are
answered exactly from the data version read under it, and its bulk entry is the next seq.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from educredit.accounts.models import ApiClient
from educredit.audit.canonical import canonical_json, snapshot_plan
from educredit.audit.models import AuditChainHead
from educredit.audit.services import audit_append_bulk
from educredit.core import jobs, uploads
from educredit.core.clock import today
from educredit.core.crypto import DocumentSealer, mask_document_number, normalise_document_number
from educredit.core.lookups import AnyOf
from educredit.core.spreadsheet_safety import safe_row
from educredit.sanctions.models import (
    BulkCheckResultPart,
    BulkCheckRun,
    Restriction,
    ScreeningCheck,
    ScreeningNameMatch,
)
from educredit.sanctions.screening import (
    IDENTIFIER_USCC,
    ScreeningError,
    ScreeningIdentifier,
    _audit_actor,
    _logged,
    _measure,
    _name_match,
    check_request,
    identifier_from,
    screening_decision,
)
from educredit.sanctions.selectors import CLEAR
from educredit.subjects.choices import DocumentType, ImportStatus
from educredit.subjects.imports import ImportFileError, normalise_heading, open_source
from educredit.subjects.models import FormerName, Institution, Person
from educredit.synth import loader

BATCH_SIZE = 10_000
INLINE_MAX_ITEMS = 10_000
ERROR = "error"
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
    "check_id",
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


def parse_row(number: int, values: list[str], columns: dict[str, int]) -> _Row:
    """A data row as an identifier, or the bilingual reason it is not one."""

    def cell(key: str) -> str:
        position = columns.get(key)
        return values[position].strip() if position is not None and position < len(values) else ""

    uscc, number_text = cell("uscc"), cell("document_number")
    kind_text = cell("document_type")
    kind = DOCUMENT_TYPES.get(kind_text, kind_text)
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


# --- answering a batch ----------------------------------------------------------------------


def _in_force(field: str, ids: list[int], *, scenario: str, day: dt.date) -> dict[int, list[Any]]:
    """The restrictions in force on ``day`` in ``scenario`` of the subjects ``ids`` (one query),
    by subject, in ``restrictions_for``'s order (start, then pk)."""
    found: dict[int, list[Any]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        Restriction.objects.filter(AnyOf(F(field), ids), scenario=scenario, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .select_related("measure")
        .order_by("starts_on", "pk")
    )
    for row in rows:
        found[getattr(row, field)].append(row)
    return found


# A person as the batch reads it: id and name (no model instance per row).
_PersonRow = tuple[int, str]


def _subjects(
    rows: list[_Row], sealer: DocumentSealer
) -> tuple[dict[str, Institution], dict[tuple[str, str], _PersonRow], list[str]]:
    """The subjects the batch names: institutions by USCC (with former names), persons by
    (document type, blind index); three queries at most, whatever the batch's size. Also
    each row's blind index ("" for a USCC or an invalid row)."""
    usccs = sorted({row.identifier.uscc for row in rows if row.identifier and row.identifier.uscc})
    index = sealer.blind_index
    indexes = [
        index(normalise_document_number(row.identifier.document_number), purpose="document")
        if row.identifier and row.identifier.document_number
        else ""
        for row in rows
    ]
    institutions: dict[str, Institution] = {}
    if usccs:
        institutions = {
            inst.uscc or "": inst
            for inst in Institution.objects.filter(AnyOf(F("uscc"), usccs))
            .only("pk", "name", "uscc", "public_id")
            .prefetch_related(
                Prefetch("former_names", queryset=FormerName.objects.only("institution", "name"))
            )
        }
    persons: dict[tuple[str, str], _PersonRow] = {}
    wanted = sorted(set(indexes) - {""})
    if wanted:
        found = Person.objects.filter(AnyOf(F("id_number_index"), wanted)).values_list(
            "pk", "name", "document_type", "id_number_index"
        )
        persons = {(kind, blind): (pk, name) for pk, name, kind, blind in found}
    return institutions, persons, indexes


@dataclass
class _Answer:
    row: _Row
    found: bool
    name_match: str
    verdict: str
    reason: str
    restrictions: list[Any]
    check_id: str = ""
    data_version: int | None = None


# The check row's columns as the batch writes them: first those that differ by row, then
# those the whole batch shares (their COPY text is rendered once per batch).
_ROW_FIELDS = (
    "id",
    "public_id",
    "institution_id",
    "person_id",
    "identifier_kind",
    "name_match",
    "verdict",
    "measures",
)
_BATCH_FIELDS = (
    "client_id",
    "user_id",
    "organisation_id",
    "scenario",
    "reference",
    "details_given",
    "as_of",
    "data_version",
    "created_at",
    "bulk_run_id",
)


def _data_version_locked() -> int:
    # The sequenced log's size when the batch starts (ADR 0044 no longer pins data to it).
    found = AuditChainHead.objects.filter(id=1).values_list("last_seq", flat=True).first()
    return int(found or 0)


class _CheckWriter:
    """Writes a batch's check rows as the single check would log them, without a model
    instance per row: COPY on PostgreSQL (as the province loader and the records import),
    one ``executemany`` on SQLite, each row's audit digest from its values."""

    def __init__(self, now: dt.datetime) -> None:
        self.spec = loader._table_spec(ScreeningCheck, (*_ROW_FIELDS, *_BATCH_FIELDS), now)
        self.plan = snapshot_plan(ScreeningCheck)
        self.postgresql = connection.vendor == "postgresql"

    def _digester(self, shared: tuple[Any, ...]) -> Callable[[tuple[Any, ...]], str]:
        """A row's audit digest (``canonical.row_digest`` of the row read back), with the
        batch's shared values rendered once: the snapshot's JSON is written as
        ``canonical.sequence_digester`` writes it, by the same converters."""
        quote = json.encoder.encode_basestring
        by_name = dict(zip(_BATCH_FIELDS, shared, strict=True))
        steps: list[tuple[str, int, Callable[[Any], Any]]] = []  # (text before, row index, …)
        pending = ""
        for attname, convert in self.plan:
            prefix = ("," if steps or pending else "") + json.dumps(attname) + ":"
            if attname in by_name:
                value = by_name[attname]
                pending += prefix + ("null" if value is None else quote(convert(value)))
            else:
                steps.append((pending + prefix, _ROW_FIELDS.index(attname), convert))
                pending = ""
        tail = pending + "}"

        def digest(row: tuple[Any, ...]) -> str:
            parts = ["{"]
            for before, index, convert in steps:
                value = row[index]
                if value is None:
                    parts.append(before + "null")
                elif type(value) is list:  # the measures: JSON, keys sorted
                    parts.append(before + (canonical_json(value).decode() if value else "[]"))
                else:
                    parts.append(before + quote(convert(value)))
            parts.append(tail)
            return hashlib.sha256("".join(parts).encode()).hexdigest()

        return digest

    def write(self, rows: list[tuple[Any, ...]], shared: tuple[Any, ...]) -> list[tuple[int, str]]:
        """Insert ``rows`` (``_ROW_FIELDS`` values) with ``shared`` (``_BATCH_FIELDS``); return
        the audit members (id, row digest)."""
        spec, digest = self.spec, self._digester(shared)
        members = [(row[0], digest(row)) for row in rows]
        if self.postgresql:
            width = len(_ROW_FIELDS)
            formatters = spec.copy_formatters
            suffix = "".join("\t" + f(v) for f, v in zip(formatters[width:], shared, strict=True))
            front = formatters[:width]
            text = "".join(
                "\t".join([f(v) for f, v in zip(front, row, strict=True)]) + suffix + "\n"
                for row in rows
            )
            encoded = loader._Encoded(len(rows), text.encode(), [], [])
        else:
            db = spec.db_formatters
            params = [tuple([f(v) for f, v in zip(db, row + shared, strict=True)]) for row in rows]
            encoded = loader._Encoded(len(rows), b"", params, [])
        loader._write(spec, encoded)
        return members


def _name_of(subject: Institution | _PersonRow, name: str) -> str:
    """How the name sent compares (``screening._name_match``); a person read as a tuple is
    made an instance only when a name was sent."""
    if isinstance(subject, Institution):
        return _name_match(subject, name)
    if not name:
        return ScreeningNameMatch.NOT_GIVEN
    return _name_match(Person(pk=subject[0], name=subject[1]), name)


def answer_batch(
    run: BulkCheckRun, caller: Any, raw: list[_Row], writer: _CheckWriter | None = None
) -> list[_Answer]:
    """Answer and log one batch in one transaction, under the audit chain head's lock."""
    sealer = DocumentSealer.current()
    writer = writer or _CheckWriter(timezone.now())
    with transaction.atomic():
        data_version = _data_version_locked()
        institutions, persons, indexes = _subjects(raw, sealer)
        answers: list[_Answer] = []
        subjects: list[Institution | _PersonRow | None] = []
        for row, blind in zip(raw, indexes, strict=True):
            identifier = row.identifier
            subject: Institution | _PersonRow | None = None
            if identifier is not None:
                if identifier.uscc:
                    subject = institutions.get(identifier.uscc)
                else:
                    subject = persons.get((identifier.document_type, blind))
            name_match: str = ScreeningNameMatch.NOT_GIVEN
            if subject is not None and identifier is not None:
                name_match = _name_of(subject, identifier.name)
            subjects.append(subject)
            answers.append(_Answer(row, subject is not None, name_match, "", "", []))
        # Restrictions only for the rows whose name matched, as ``screen`` reads them.
        matched = [
            s
            for s, a in zip(subjects, answers, strict=True)
            if s is not None and a.name_match != ScreeningNameMatch.MISMATCH
        ]
        day = run.as_of
        by_institution = _in_force(
            "institution_id",
            sorted({s.pk for s in matched if isinstance(s, Institution)}),
            scenario=run.scenario,
            day=day,
        )
        by_person = _in_force(
            "person_id",
            sorted({s[0] for s in matched if not isinstance(s, Institution)}),
            scenario=run.scenario,
            day=day,
        )
        # What a check row keeps of each measure (ADR 0024: never record details in bulk).
        logged: dict[int, dict[str, Any]] = {}
        rows: list[tuple[Any, ...]] = []
        first_id = loader._reserve_ids(ScreeningCheck)
        randomness = loader._Randomness(len(raw))
        for answer, subject in zip(answers, subjects, strict=True):
            identifier = answer.row.identifier
            if identifier is None:
                answer.verdict, answer.reason = ERROR, answer.row.error
                continue
            institution_id = person_id = None
            if subject is None:
                answer.verdict = CLEAR
            else:
                if isinstance(subject, Institution):
                    institution_id = subject.pk
                    in_force = by_institution.get(subject.pk, [])
                else:
                    person_id = subject[0]
                    in_force = by_person.get(person_id, [])
                found = [] if answer.name_match == ScreeningNameMatch.MISMATCH else in_force
                answer.verdict, answer.reason, answer.restrictions = screening_decision(
                    answer.name_match, list(found)
                )
            measures = []
            for restriction in answer.restrictions:
                if restriction.pk not in logged:
                    logged[restriction.pk] = _logged(_measure(restriction, details=False))
                measures.append(logged[restriction.pk])
            check_id = randomness.uuid4(len(rows))
            answer.check_id, answer.data_version = check_id, data_version
            rows.append(
                (
                    first_id + len(rows),
                    check_id,
                    institution_id,
                    person_id,
                    identifier.kind,
                    answer.name_match,
                    answer.verdict,
                    measures,
                )
            )
        if rows:
            is_client = isinstance(caller, ApiClient)
            shared = (
                caller.pk if is_client else None,
                None if is_client else caller.pk,
                run.organisation_id,
                run.scenario,
                run.reference,
                False,  # details_given: the bulk check never gives record details
                day,
                data_version,
                timezone.now(),
                run.pk,
            )
            members = writer.write(rows, shared)
            loader._advance_sequence(ScreeningCheck)
            entry = audit_append_bulk(
                actor=_audit_actor(caller),
                action=ACTION,
                model=ScreeningCheck,
                members=members,
                reason=f"批量核查 / bulk check {run.public_id} {run.scenario}",
            )
            run.audit_entries = [*run.audit_entries, entry.pk]
        if run.data_version is None:
            run.data_version = data_version
        run.last_data_version = data_version
        _count(run, answers)
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
    return answers


def _count(run: BulkCheckRun, answers: list[_Answer]) -> None:
    run.processed_rows += len(answers)
    for answer in answers:
        field = f"{answer.verdict}_count"
        if hasattr(run, field):
            setattr(run, field, getattr(run, field) + 1)


def result_line(answer: _Answer) -> list[str]:
    """A result-file row: never a full document number (masked), no record details."""
    rows = answer.restrictions
    return [
        str(answer.row.number),
        answer.row.kind,
        answer.row.shown,
        answer.name_match,
        answer.verdict,
        answer.reason,
        "" if answer.row.identifier is None else str(answer.found).lower(),
        ";".join(row.measure.code for row in rows),
        " | ".join(row.legal_basis for row in rows),
        ";".join(row.ends_on.isoformat() if row.ends_on else "" for row in rows),
        answer.check_id,
        "" if answer.data_version is None else str(answer.data_version),
    ]


# --- the job --------------------------------------------------------------------------------

# Stored as the run's message when an unexpected error stops it.
RUN_FAILED = "处理失败，请重试 / The run failed: try again"


def _caller(run: BulkCheckRun) -> Any:
    return run.client if run.client_id else run.user


def _finish(run: BulkCheckRun, status: str, message: str = "") -> None:
    if run.file:
        # The input holds identity numbers: it does not outlive the run.
        run.file.delete(save=False)
    run.status, run.error_message, run.finished_at = status, message, timezone.now()
    with transaction.atomic():
        run.save(update_fields=["file", "result", "status", "error_message", "finished_at"])
        # The batches' lines are in the result file now (or the run failed: no result).
        BulkCheckResultPart.objects.filter(run=run).delete()


def bulk_check_fail(run: BulkCheckRun, reason: str) -> None:
    """End a run as failed with ``reason``; its input and the lines answered so far go (the
    checks stay, each logged and audited)."""
    _finish(run, ImportStatus.FAILED, reason)


def _claim(run_id: int) -> bool:
    """Take a queued run, or the one a dead worker left RUNNING (``core.jobs.run_claim``)."""
    return jobs.run_claim(
        BulkCheckRun.objects.filter(pk=run_id),
        pending=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
    )


def _result_text(answers: list[_Answer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for answer in answers:
        writer.writerow(safe_row(result_line(answer)))
    return out.getvalue()


def _answer_and_keep(
    run: BulkCheckRun, caller: Any, parsed: list[_Row], checks: _CheckWriter, number: int
) -> None:
    """Answer one batch and keep its result lines, in one transaction with the run's counts
    and the task's lease: a batch is answered, logged and counted once, or not at all."""
    with transaction.atomic():
        answers = answer_batch(run, caller, parsed, checks)
        BulkCheckResultPart.objects.create(run=run, batch_number=number, text=_result_text(answers))
        jobs.renew()


def _save_result(run: BulkCheckRun) -> None:
    """The result file: the header, then every batch's lines in order."""
    with tempfile.TemporaryFile("w+b") as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        csv.writer(text).writerow(RESULT_HEADER)
        parts = BulkCheckResultPart.objects.filter(run=run).order_by("batch_number")
        for part in parts.values_list("text", flat=True).iterator(chunk_size=20):
            text.write(part)
        text.flush()
        out.seek(0)
        run.result.save(f"{run.public_id}.csv", File(out), save=False)
        text.detach()


def bulk_check_process(
    *, run_id: int, progress: Callable[[BulkCheckRun], None] | None = None
) -> BulkCheckRun | None:
    """Process a queued run once (claimed by a conditional update); None if already taken.

    A file that cannot be read or has a heading not understood fails the run before any row
    is checked. A row that is not a valid identifier is answered "error" with its reason.
    Each batch commits its checks, its result lines and the run's counts together, so a
    worker that takes the task over from one that died skips the rows answered and goes on;
    the result file is put together from the batches' lines at the end.
    """
    if not _claim(run_id):
        return None
    run = BulkCheckRun.objects.select_related("client", "user").get(pk=run_id)
    caller = _caller(run)
    try:
        with open_source(Path(run.file.path), run.file.name) as source:
            columns = resolve_columns(source.header)
            run.total_rows, run.encoding = source.total, source.encoding
            run.save(update_fields=["total_rows", "encoding"])
            checks = _CheckWriter(timezone.now())
            rows = source.rows()
            # Rows an interrupted attempt answered (their checks and lines are committed).
            for _done in islice(rows, run.processed_rows):
                pass
            number = BulkCheckResultPart.objects.filter(run=run).count()
            for batch in _batches(rows, BATCH_SIZE):
                parsed = [parse_row(row_number, values, columns) for row_number, values in batch]
                _answer_and_keep(run, caller, parsed, checks, number)
                number += 1
                if progress is not None:
                    progress(run)
            _save_result(run)
    except (BulkCheckError, ImportFileError) as exc:
        _finish(run, ImportStatus.FAILED, str(exc))
        return run
    except jobs.LeaseLost:
        raise  # another attempt owns the run now: nothing more to write here
    except Exception:
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
