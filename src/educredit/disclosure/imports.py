"""The 双公示 spreadsheet import: CSV or XLSX rows of licence or penalty decisions → records.

Reading reuses the subjects import (``subjects.imports.open_source``: CSV in UTF-8, UTF-8 with
BOM, GBK or GB18030, or the first sheet of an XLSX, streamed); headers are the national field
codes or their Chinese names in any order (``national.resolve_headers``). Every row is checked
by the one ``RowValidator``, its subject found by ``SubjectIndex`` (a batch at a time, within
the importer's jurisdiction), and turned into ``credit_record_create`` arguments by
``mapping.record_arguments``.

Two ways to write the good rows, with the same checks and the same result:

- **per row** (``import_rows`` with ``bulk=False``, small files): each row in its own savepoint
  goes through ``credit_record_create`` (source=import), ``decision_prepare`` and
  ``credit_record_submit`` — three audit entries a row;
- **in bulk** (large files and the benchmark): a chunk of new rows is written by ``COPY``
  (``executemany`` on SQLite) into records, transitions and decisions in one transaction, with
  one bulk audit entry per table and chunk listing each row's digest (as ``synth.loader``
  does). The per-row checks of the record services are run on every row
  (``_clean_fields``, ``validate_payload``, subject type, jurisdiction, uniqueness); a row
  whose 文书号 is already recorded goes through the services one by one; a chunk that still
  clashes on write is rolled back and redone row by row. With worker processes
  (``EDUCREDIT_IMPORT_WORKERS``) they validate the chunks ahead and, on PostgreSQL, where a
  chunk's ids come from the sequences before its write, also work out its COPY text and
  digests while this process writes the chunk before it.

Re-sending a 文书号 from the same body updates the existing draft and submits it again; one
awaiting review or already effective is "already imported" (``existing``, not a failure) when
the row says what the record says (subject, catalog item, decision date, title, issuing body,
payload), and otherwise an error that says what to do instead.

Resumable (``core.jobs``): every chunk's records, its rejected rows and the run's counts commit
in one transaction, which also renews the task's lease; a worker that takes over a run whose
worker died skips the rows the run has counted (``processed_rows``) and goes on from there.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from educredit.accounts.models import User
from educredit.audit.canonical import sequence_digester, snapshot_attnames
from educredit.audit.services import audit_append_bulk
from educredit.catalog.models import CatalogItem
from educredit.core import jobs, processes, uploads
from educredit.core.crypto import decrypt_text, encrypt_text
from educredit.core.i18n import shown
from educredit.core.lookups import AnyOf
from educredit.core.spreadsheet_safety import safe_row
from educredit.disclosure import mapping
from educredit.disclosure import national as n
from educredit.disclosure.models import Decision, DecisionImportError, DecisionImportRun
from educredit.disclosure.services import (
    decision_prepare,
    decision_refresh_draft,
    reporting_deadline,
)
from educredit.disclosure.validation import FieldError, RowResult, RowValidator
from educredit.records import lifecycle, windows
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource, CreditRecordStatus, DecisionProcedure
from educredit.records.minors import decided_while_minor
from educredit.records.models import CreditRecord, CreditRecordTransition
from educredit.subjects.imports import ImportFileError, RowSource, open_source
from educredit.subjects.models import Institution, Person
from educredit.synth import loader

__all__ = [
    "ImportFileError",
    "ImportSummary",
    "Problem",
    "import_file",
    "import_rows",
    "write_error_report",
]

# A per-row chunk is one transaction of three audited service calls a row: small, so the
# audit chain head (which every audited write, a screening check too, waits for) is held
# for a short while only.
CHUNK_ROWS = 200
# Bulk chunks are bigger: each costs a few fixed round trips (table locks, id reservation,
# sequence updates, subject and existing-record queries, audit entries, a commit).
BULK_CHUNK_ROWS = 10_000
BULK_THRESHOLD = 1_000  # files with more rows than this take the bulk path
ReportRow = tuple[int, list[str], list["Problem"]]
Progress = Callable[["ImportSummary"], None]  # called inside each chunk's transaction
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a row: the field code, the file's heading for it, and why."""

    code: str
    column: str
    reason: str  # "中文 / English"


@dataclass
class ImportSummary:
    """What an import did."""

    processed: int = 0
    ok: int = 0  # new records entered and submitted
    updated: int = 0  # existing drafts updated and submitted
    failed: int = 0
    existing: int = 0  # already recorded as the row gives them (an earlier import): untouched
    record_ids: list[int] = field(default_factory=list)


# --- file and rows ------------------------------------------------------------------------


def resolve_columns(kind: str, header: Sequence[str]) -> tuple[str | None, ...]:
    """The field code of each column, or ``ImportFileError`` naming what is wrong."""
    if not any(str(h).strip() for h in header):
        raise ImportFileError("文件没有表头行 / The file has no header row")
    resolution = n.resolve_headers(kind, header)
    # Unknown columns are tolerated only when they are our own report's additions.
    unknown = [h for h in resolution.unknown if h not in (REPORT_ROW_NUMBER, REPORT_REASON)]
    if unknown or resolution.duplicates or resolution.missing:
        messages = [m for m in resolution.messages(kind) if not _is_report_column(m)]
        raise ImportFileError("；".join(messages))
    return resolution.codes


def _is_report_column(message: str) -> bool:
    return message.endswith(f": {REPORT_ROW_NUMBER}") or message.endswith(f": {REPORT_REASON}")


def _row_dict(codes: Sequence[str | None], values: Sequence[str]) -> dict[str, str]:
    return {code: value for code, value in zip(codes, values, strict=False) if code}


@dataclass(slots=True)
class _Checked:
    """One row after validation: its number, raw cells and the validator's result.

    On the bulk path a valid row also carries what the record services would make of it,
    worked out in the worker process (see ``_Precheck``): its record arguments without the
    subject (found later, in the main process) and either the clean fields and payload or the
    problems the services would report.
    """

    number: int
    cells: list[str]
    result: RowResult
    arguments: mapping.RecordArguments | None = None
    clean: tuple[dict[str, Any], dict[str, Any]] | None = None
    refused: list[Problem] | None = None


class _AnySubject(mapping.SubjectIndex):
    """Stands in for the subject lookup so that ``record_arguments`` can run in a worker.

    The worker never touches the database: the real subject is looked up in the main process
    and put into the arguments there (``_prepare_chunk``), which also reports a missing one.
    """

    def __init__(self) -> None:
        super().__init__({}, {}, sealer=None)  # type: ignore[arg-type]
        self.placeholder = Institution()  # one for all rows: a model instance is not cheap

    def subject_of(self, kind: str, row: Mapping[str, Any]) -> Institution | Person | None:
        return self.placeholder


@dataclass(frozen=True)
class _Precheck:
    """What a worker needs to run the record services' checks (pickled once per chunk)."""

    item: CatalogItem
    columns: _Columns
    source: str


def _record_checks(
    item: CatalogItem, create: Mapping[str, Any], source: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record services' own field and payload checks (the subject is checked later)."""
    fields = records._clean_fields(
        catalog_item=item,
        title=create["title"],
        decision_number=create["decision_number"],
        issuing_body=create["issuing_body"],
        issuing_body_uscc=create["issuing_body_uscc"],
        decision_date=create["decision_date"],
        procedure=DecisionProcedure.ORDINARY,
        source=source,
    )
    return fields, records.validate_payload(item, create["payload"])


def _precheck(checked: _Checked, precheck: _Precheck, kind: str, subjects: _AnySubject) -> None:
    """Record arguments (subject left out) and the services' checks of one valid row."""
    arguments = mapping.record_arguments(
        kind, checked.result.values, subjects=subjects, catalog_item=precheck.item
    )
    create = {
        name: value
        for name, value in arguments.create.items()
        if name not in ("catalog_item", "institution", "person")
    }
    checked.arguments = mapping.RecordArguments(create=create, extra=arguments.extra)
    try:
        checked.clean = _record_checks(precheck.item, create, precheck.source)
    except records.RecordError as exc:
        checked.refused = precheck.columns.of_record_error(exc)


def _validate_chunk(
    kind: str,
    today: dt.date,
    codes: Sequence[str | None],
    rows: list[tuple[int, list[str]]],
    precheck: _Precheck | None = None,
) -> list[_Checked]:
    """Validate a chunk of rows (pure: no database; runs in a worker process for big files)."""
    validator = _validator(kind, today)
    chunk = [
        _Checked(number, cells, validator.validate(_row_dict(codes, cells)))
        for number, cells in rows
    ]
    if precheck is not None:
        subjects = _AnySubject()
        for checked in chunk:
            if not checked.result.errors:
                _precheck(checked, precheck, kind, subjects)
    return chunk


_validators: dict[tuple[str, dt.date], RowValidator] = {}


def _validator(kind: str, today: dt.date) -> RowValidator:
    key = (kind, today)
    if key not in _validators:
        _validators[key] = RowValidator(kind, today=today)
    return _validators[key]


def _checked_chunks(
    kind: str,
    today: dt.date,
    codes: Sequence[str | None],
    rows: Iterable[tuple[int, list[str]]],
    pool: ProcessPoolExecutor | None,
    workers: int,
    precheck: _Precheck | None = None,
) -> Iterator[list[_Checked]]:
    """Validated chunks in order; with a pool, its ``workers`` processes validate ahead."""
    iterator = iter(rows)
    size = BULK_CHUNK_ROWS if precheck is not None else CHUNK_ROWS
    chunks = iter(lambda: list(islice(iterator, size)), [])
    if pool is None:
        for chunk in chunks:
            yield _validate_chunk(kind, today, codes, chunk, precheck)
        return
    pending: deque[Future[list[_Checked]]] = deque()
    for chunk in chunks:
        pending.append(pool.submit(_validate_chunk, kind, today, codes, chunk, precheck))
        if len(pending) >= 2 * workers:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


@contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Forked worker processes for a big file (None for one worker: all in this process).

    ``core.processes.fork_pool``: the workers die with this process (a killed worker leaves
    no orphans) and freeze their inherited Django heap, as synth.loader's do. They never
    touch the database: they validate rows and encode chunks whose ids were taken here.
    """
    if workers <= 1:
        yield None
        return
    with processes.fork_pool(workers) as pool:
        yield pool


# --- from records' field names to the file's columns ----------------------------------------


class _Columns:
    """The file's heading for each field code (or the field's Chinese name if absent)."""

    def __init__(self, kind: str, header: Sequence[str], codes: Sequence[str | None]) -> None:
        self.kind = kind
        self.headings = {code: str(h) for code, h in zip(codes, header, strict=False) if code}
        fields = n.FIELDS_BY_CODE[kind]
        p = "CF" if kind == "penalty" else "XK"
        payload = {name: code for code, name in mapping.PAYLOAD_FIELDS[kind].items()}
        self.record_fields = {
            "title": "CF_WFXW" if kind == "penalty" else "XK_XKWS",
            "decision_number": n.DOCUMENT_NUMBER[kind],
            "issuing_body": n.ISSUING_BODY[kind],
            "issuing_body_uscc": n.ISSUING_BODY_USCC[kind],
            "decision_date": n.DECISION_DATE[kind],
            "subject": f"{p}_XDR_MC",
            **{f"payload.{name}": code for name, code in payload.items()},
        }
        self.names = {code: f.name for code, f in fields.items()}

    def heading(self, code: str) -> str:
        return self.headings.get(code) or self.names.get(code, code)

    def problem(self, code: str, reason: str) -> Problem:
        return Problem(code, self.heading(code) if code else "", reason)

    def of_field_error(self, error: FieldError) -> Problem:
        return Problem(error.code, self.heading(error.code), error.message)

    def of_record_error(self, exc: records.RecordError) -> list[Problem]:
        out = []
        for name, message in exc.errors.items():
            code = self.record_fields.get(name, "")
            out.append(self.problem(code, str(message)))
        return out


# --- the import ---------------------------------------------------------------------------


@dataclass
class _Context:
    """What every row of one import shares."""

    actor: User
    kind: str
    item: CatalogItem
    columns: _Columns
    today: dt.date
    source: str = CreditRecordSource.IMPORT
    reason: str = ""
    bulk: bool = False


def _key(kind: str, values: Mapping[str, Any]) -> tuple[str, str] | None:
    number = values.get(n.DOCUMENT_NUMBER[kind])
    uscc = values.get(n.ISSUING_BODY_USCC[kind])
    if not number or not uscc:
        return None
    return str(uscc), " ".join(str(number).split())


@dataclass
class _Prepared:
    """A row that passed validation and mapping: its record arguments and the existing record."""

    checked: _Checked
    arguments: mapping.RecordArguments
    existing: CreditRecord | None


def _prepare_chunk(
    ctx: _Context, chunk: list[_Checked], seen: dict[tuple[str, str], int], report: list[ReportRow]
) -> list[_Prepared]:
    """Validation errors, duplicates within the file, subjects and existing records of a chunk."""
    kind, columns = ctx.kind, ctx.columns
    good: list[_Checked] = []
    for checked in chunk:
        result = checked.result
        problems = [columns.of_field_error(error) for error in result.errors]
        key = _key(kind, result.values)
        if key is not None:
            first = seen.setdefault(key, checked.number)
            if first != checked.number:
                code = n.DOCUMENT_NUMBER[kind]
                problems.append(
                    columns.problem(
                        code,
                        f"与第 {first} 行的决定文书号及决定机关相同，同一文件中不能重复 / "
                        f"same document number and issuing body as row {first}; a file may "
                        "hold each decision once",
                    )
                )
        if problems:
            report.append((checked.number, checked.cells, problems))
        else:
            good.append(checked)
    if not good:
        return []
    subjects = mapping.SubjectIndex.load(
        kind,
        [c.result.values for c in good],
        institutions=_visible(Institution, ctx, "uscc"),
        people=_visible(Person, ctx, "document_type", "id_number_index"),
    )
    keys = [k for c in good if (k := _key(kind, c.result.values)) is not None]
    existing: dict[tuple[str, str], CreditRecord] = {}
    if keys:
        found = (
            CreditRecord.objects.filter(
                catalog_item__category=kind,
            )
            .filter(
                AnyOf(F("issuing_body_uscc"), list({uscc for uscc, _ in keys})),
                AnyOf(F("decision_number"), list({number for _, number in keys})),
            )
            .select_related("catalog_item")
        )
        existing = {(r.issuing_body_uscc, r.decision_number): r for r in found}
    prepared = []
    for checked in good:
        try:
            arguments = _arguments(ctx, checked, subjects)
        except mapping.MappingError as exc:
            report.append((checked.number, checked.cells, [columns.problem(exc.code, str(exc))]))
            continue
        key = _key(kind, checked.result.values)
        prepared.append(
            _Prepared(checked, arguments, existing.get(key) if key is not None else None)
        )
    return prepared


def _arguments(
    ctx: _Context, checked: _Checked, subjects: mapping.SubjectIndex
) -> mapping.RecordArguments:
    """A row's record arguments; those a worker prepared get their subject here."""
    values = checked.result.values
    subject = subjects.subject_of(ctx.kind, values) if checked.arguments is not None else None
    if checked.arguments is None or subject is None:
        # Not prepared, or no subject: record_arguments itself (and its MappingError).
        return mapping.record_arguments(ctx.kind, values, subjects=subjects, catalog_item=ctx.item)
    create = {
        **checked.arguments.create,
        "catalog_item": ctx.item,
        "institution": subject if isinstance(subject, Institution) else None,
        "person": subject if isinstance(subject, Person) else None,
    }
    return mapping.RecordArguments(create=create, extra=checked.arguments.extra)


def _visible(model: Any, ctx: _Context, *lookup: str) -> Any:
    """The subjects the importer may see; on the bulk path only the columns it needs.

    A bulk chunk loads thousands of subjects and uses only their ids and lookup keys; a row
    left to the services loads any other field it reads on first use (deferred).
    """
    subjects = model.objects.visible_to(ctx.actor)
    return subjects.only("pk", *lookup) if ctx.bulk else subjects


ALREADY_SUBMITTED = (
    "该决定已提交、正在等待审核；如需修改，请审核员退回后再导入 / "
    "This decision is awaiting review; to change it, have the reviewer return it, then import "
    "again"
)
ALREADY_EFFECTIVE = (
    "该决定已生效，不能通过导入修改，请使用更正 / "
    "This decision is already effective and cannot be changed by an import; use correction"
)
ALREADY_CLOSED = (
    "该决定的记录已撤销或已结束，不能通过导入修改 / "
    "This decision's record is revoked or closed and cannot be changed by an import"
)


# What a row did (``_apply_one``).
NEW, UPDATED, EXISTING = "new", "updated", "existing"
# A record in these states that says what the row says was imported before: left as it is.
_SETTLED = frozenset(
    {
        CreditRecordStatus.SUBMITTED,
        CreditRecordStatus.EFFECTIVE,
        CreditRecordStatus.UNDER_OBJECTION,
    }
)


def _as_json(value: Any) -> Any:
    """A payload as stored (JSON), so a cleaned one compares with one read back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def _same_decision(ctx: _Context, prepared: _Prepared) -> bool:
    """Whether the recorded decision is the row's: subject, item and what the row would set."""
    record = prepared.existing
    if record is None:
        return False
    create = prepared.arguments.create
    institution, person = create["institution"], create["person"]
    if (
        record.catalog_item_id != ctx.item.pk
        or record.institution_id != (institution.pk if institution is not None else None)
        or record.person_id != (person.pk if person is not None else None)
    ):
        return False
    try:
        fields, payload = prepared.checked.clean or _record_checks(ctx.item, create, ctx.source)
    except records.RecordError:
        return False
    return bool(
        record.decision_date == fields["decision_date"]
        and record.title == fields["title"]
        and record.issuing_body == fields["issuing_body"]
        and _as_json(record.payload) == _as_json(payload)
    )


def _apply_one(ctx: _Context, prepared: _Prepared) -> tuple[CreditRecord, str]:
    """Write one row through the services (inside the caller's savepoint); (record, what it
    did: ``NEW``, ``UPDATED`` or ``EXISTING``, already recorded so and left alone)."""
    create, extra = prepared.arguments.create, prepared.arguments.extra
    existing = prepared.existing
    if existing is None:
        record = records.credit_record_create(actor=ctx.actor, source=ctx.source, **create)
        decision_prepare(actor=ctx.actor, record=record, extra=extra)
        record = records.credit_record_submit(actor=ctx.actor, record=record)
        return record, NEW
    status = existing.status
    if status in _SETTLED and _same_decision(ctx, prepared):
        return existing, EXISTING
    if status == CreditRecordStatus.SUBMITTED:
        raise records.RecordError({"decision_number": ALREADY_SUBMITTED})
    if status in (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION):
        raise records.RecordError({"decision_number": ALREADY_EFFECTIVE})
    if status != CreditRecordStatus.DRAFT:
        raise records.RecordError({"decision_number": ALREADY_CLOSED})
    changes = {
        name: create[name]
        for name in (
            "title",
            "decision_number",
            "issuing_body",
            "issuing_body_uscc",
            "decision_date",
            "payload",
        )
    }
    record = records.credit_record_update(
        actor=ctx.actor, record=existing, reason=ctx.reason or "重新导入 / re-imported", **changes
    )
    decision_refresh_draft(actor=ctx.actor, record=record, extra=extra)
    record = records.credit_record_submit(actor=ctx.actor, record=record)
    return record, UPDATED


def _apply_rows(
    ctx: _Context, rows: Iterable[_Prepared], summary: ImportSummary, report: list[ReportRow]
) -> None:
    """The per-row path: each row whole or not at all, in its own savepoint."""
    for prepared in rows:
        checked = prepared.checked
        try:
            with transaction.atomic():
                record, outcome = _apply_one(ctx, prepared)
        except records.RecordError as exc:
            report.append((checked.number, checked.cells, ctx.columns.of_record_error(exc)))
            continue
        except PermissionDenied as exc:
            report.append((checked.number, checked.cells, [ctx.columns.problem("", str(exc))]))
            continue
        if outcome == EXISTING:
            summary.existing += 1
            continue
        summary.record_ids.append(record.pk)
        if outcome == UPDATED:
            summary.updated += 1
        else:
            summary.ok += 1


# --- the bulk path --------------------------------------------------------------------------

_RECORD_PROVIDED = (
    "id",
    "public_id",
    "catalog_item_id",
    "institution_id",
    "person_id",
    "organisation_id",
    "status",
    "severity",
    "title",
    "decision_number",
    "issuing_body",
    "issuing_body_uscc",
    "decision_date",
    "procedure",
    "corrected_minor_violation",
    "payload",
    "source",
    "public_from",
    "public_until",
    "repair_allowed_from",
    "window_rule",
    "created_by_id",
)
_TRANSITION_PROVIDED = (
    "id",
    "record_id",
    "from_status",
    "to_status",
    "actor_id",
    "actor_label",
    "reason",
    "at",
)
_DECISION_PROVIDED = (
    "id",
    "record_id",
    "kind",
    "document_number",
    "issuing_body_uscc",
    "decision_date",
    "deadline",
    "deadline_provisional",
    "entered_at",
    "organisation_id",
    "extra",
    "last_operation",
)


# The audited fields a new row leaves at these values (not among the COPY's provided columns).
# ``made_while_minor`` is always False here: a minor's row takes the per-row path (``stage``).
_RECORD_UNSET: dict[str, Any] = {
    "effective_at": None,
    "reviewed_by_id": None,
    "made_while_minor": False,
}
_DECISION_UNSET: dict[str, Any] = {
    "version": 1,
    "first_reported_at": None,
    "compliant": False,
    "complete": False,
    "problems": [],
}


def _snapshot_order(
    model: Any, provided: Sequence[str], unset: Mapping[str, Any]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """A row tuple (``provided`` order) → its values in ``snapshot_attnames`` order.

    Worked out once per import so that a row's digest needs no per-row mapping.
    """
    names = [*provided, *unset]
    positions = [names.index(attname) for attname in snapshot_attnames(model)]
    constants = tuple(unset.values())

    def order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        full = row + constants
        return tuple([full[i] for i in positions])

    return order


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def _text_copy(value: str | None) -> str:
    """``loader._text_copy``, skipping its per-character escape for text that needs none.

    Most cells need none, and four substring tests cost far less than ``str.translate``.
    """
    if value is None or _needs_escape(value):
        return loader._text_copy(value)
    return value


def _any_copy(value: Any) -> str:
    """``loader._copy_text``, likewise; a JSON field's value is dumped as it does it."""
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return loader._text_copy(text) if _needs_escape(text) else text
    return loader._copy_text(value)


# The loader's COPY formatters and their equivalents that skip needless escaping.
_FASTER_COPY: dict[loader.Formatter, loader.Formatter] = {
    loader._text_copy: _text_copy,
    loader._copy_text: _any_copy,
}


class _RefusedError(Exception):
    """The record services' checks, run in a worker, refused a row with these problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems


@dataclass
class _Staged:
    """A chunk of new rows on its way to the database: its table rows and their encoding.

    On PostgreSQL the ids come from the tables' sequences when the chunk is staged, so the
    rows are complete before the write: their COPY text and audit digests are worked out by a
    worker process (``encoding`` is then a future) while the main process prepares the next
    chunk. On SQLite the ids are the next free ones under the write lock, so ``rows`` is
    empty until ``_Bulk.store`` builds them inside its transaction.
    """

    checked: list[tuple[_Prepared, dict[str, Any], dict[str, Any]]]
    record_ids: list[int]
    encoding: Future[_EncodedChunk] | _EncodedChunk | None = None


@dataclass(frozen=True)
class _EncodedChunk:
    """The three tables' rows of a chunk, encoded, and the audit members of two of them."""

    tables: tuple[tuple[Any, loader._Encoded], ...]  # (model, encoded) in write order
    record_members: list[tuple[int, str]]
    decision_members: list[tuple[int, str]]


class _Bulk:
    """Writes chunks of new rows as the services would, by COPY, audited per chunk."""

    def __init__(self, ctx: _Context, pool: ProcessPoolExecutor | None = None) -> None:
        self.ctx = ctx
        who = records.actor_of(ctx.actor)
        if who.is_system or not who.roles & lifecycle.CLERKS:
            raise PermissionDenied(
                "只有录入员或管理员可以录入信用记录 / "
                "Only clerks and administrators may enter records"
            )
        self.who = who
        self.now = timezone.now()
        self.engine = "postgresql" if connection.vendor == "postgresql" else "sqlite"
        # Encoding goes to the worker processes only where the ids are known before the write.
        self.pool = pool if self.engine == "postgresql" else None
        self.specs = {
            CreditRecord: loader._table_spec(CreditRecord, _RECORD_PROVIDED, self.now),
            CreditRecordTransition: loader._table_spec(
                CreditRecordTransition, _TRANSITION_PROVIDED, self.now
            ),
            Decision: loader._table_spec(Decision, _DECISION_PROVIDED, self.now),
        }
        self._windows: dict[tuple[dt.date, bool], tuple[Any, ...]] = {}
        self._deadlines: dict[dt.date, tuple[dt.date, bool]] = {}

    def _window(self, decision_date: dt.date, on_person: bool) -> tuple[Any, ...]:
        key = (decision_date, on_person)
        if key not in self._windows:
            item = self.ctx.item
            prototype = CreditRecord(
                catalog_item=item,
                severity=item.severity,
                decision_date=decision_date,
                status=CreditRecordStatus.SUBMITTED,
                person_id=1 if on_person else None,
            )
            window = windows.window_for(prototype)
            self._windows[key] = (
                window.public_from,
                window.public_until,
                window.repair_allowed_from,
                window.rule,
            )
        return self._windows[key]

    def _deadline(self, decision_date: dt.date) -> tuple[dt.date, bool]:
        if decision_date not in self._deadlines:
            self._deadlines[decision_date] = reporting_deadline(decision_date)
        return self._deadlines[decision_date]

    def _check(self, prepared: _Prepared) -> tuple[dict[str, Any], dict[str, Any]]:
        """The record services' own checks on one row: (clean fields, clean payload).

        The field and payload checks usually ran in a worker (``_precheck``, same functions,
        same order); only the subject check, which needs the subject found in this process,
        runs here then. Raises ``RecordError`` as the services would.
        """
        create = prepared.arguments.create
        records._subject_matches(self.ctx.item, create["institution"], create["person"])
        checked = prepared.checked
        if checked.refused is not None:
            raise _RefusedError(checked.refused)
        if checked.clean is not None:
            return checked.clean
        return _record_checks(self.ctx.item, create, self.ctx.source)

    def stage(
        self, rows: list[_Prepared], report: list[ReportRow]
    ) -> tuple[_Staged | None, list[_Prepared]]:
        """Check new rows and start encoding them; (the staged chunk, rows left per row).

        Rows whose decision is already recorded are left for the per-row path; rows the
        services' checks refuse go to ``report``.
        """
        ctx = self.ctx
        checked: list[tuple[_Prepared, dict[str, Any], dict[str, Any]]] = []
        left: list[_Prepared] = []
        for prepared in rows:
            if prepared.existing is not None:
                left.append(prepared)
                continue
            try:
                fields, payload = self._check(prepared)
            except _RefusedError as exc:
                report.append((prepared.checked.number, prepared.checked.cells, exc.problems))
                continue
            except records.RecordError as exc:
                problems = ctx.columns.of_record_error(exc)
                report.append((prepared.checked.number, prepared.checked.cells, problems))
                continue
            person = prepared.arguments.create["person"]
            if person is not None and decided_while_minor(
                person.birth_date, fields["decision_date"]
            ):
                # The services flag a record decided while its person was a minor: per row.
                left.append(prepared)
                continue
            checked.append((prepared, fields, payload))
        if not checked:
            return None, left
        if self.engine != "postgresql":
            return _Staged(checked, record_ids=[]), left
        count = len(checked)
        ids = {
            model: _sequence_ids(model, count * (2 if model is CreditRecordTransition else 1))
            for model in self.specs
        }
        tables = self._rows(checked, ids)
        specs = self.specs
        if self.pool is not None:
            encoding: Future[_EncodedChunk] | _EncodedChunk = self.pool.submit(
                _encode_chunk, specs, tables, True
            )
        else:
            encoding = _encode_chunk(specs, tables, True)
        return _Staged(checked, record_ids=ids[CreditRecord], encoding=encoding), left

    def store(self, staged: _Staged, summary: ImportSummary) -> list[_Prepared]:
        """Write a staged chunk in one transaction; rows to redo one by one if it clashed."""
        try:
            with transaction.atomic():
                if staged.encoding is None:  # SQLite: ids under the write lock, then encode
                    ids = {
                        model: _next_free_ids(
                            model,
                            len(staged.checked) * (2 if model is CreditRecordTransition else 1),
                        )
                        for model in self.specs
                    }
                    staged.record_ids = ids[CreditRecord]
                    encoded = _encode_chunk(self.specs, self._rows(staged.checked, ids), False)
                elif isinstance(staged.encoding, Future):
                    encoded = staged.encoding.result()
                else:
                    encoded = staged.encoding
                self._write(encoded)
        except IntegrityError:
            # Someone entered one of these decisions meanwhile: redo the chunk row by row.
            return [prepared for prepared, _, _ in staged.checked]
        summary.ok += len(staged.record_ids)
        summary.record_ids.extend(staged.record_ids)
        return []

    def write(
        self, rows: list[_Prepared], summary: ImportSummary, report: list[ReportRow]
    ) -> list[_Prepared]:
        """Check and write new rows at once; return the rows left for the per-row path."""
        staged, left = self.stage(rows, report)
        return left + (self.store(staged, summary) if staged is not None else [])

    def _rows(
        self,
        rows: list[tuple[_Prepared, dict[str, Any], dict[str, Any]]],
        ids: Mapping[Any, Sequence[int]],
    ) -> dict[Any, list[tuple[Any, ...]]]:
        """The records', transitions' and decisions' row tuples (``*_PROVIDED`` order)."""
        ctx, who = self.ctx, self.who
        record_ids, transition_ids = ids[CreditRecord], ids[CreditRecordTransition]
        decision_ids = ids[Decision]
        organisation_id = who.organisation.pk if who.organisation is not None else None
        user_id = ctx.actor.pk
        label = who.label
        item = ctx.item
        record_rows, transition_rows, decision_rows = [], [], []
        for offset, (prepared, fields, payload) in enumerate(rows):
            create = prepared.arguments.create
            record_id = record_ids[offset]
            institution, person = create["institution"], create["person"]
            decision_date = fields["decision_date"]
            public_from, public_until, repair_from, rule = self._window(
                decision_date, person is not None
            )
            public_id = str(uuid.uuid4())
            record_rows.append(
                (
                    record_id,
                    public_id,
                    item.pk,
                    institution.pk if institution is not None else None,
                    person.pk if person is not None else None,
                    organisation_id,
                    CreditRecordStatus.SUBMITTED.value,
                    item.severity,
                    fields["title"],
                    fields["decision_number"],
                    fields["issuing_body"],
                    fields["issuing_body_uscc"],
                    decision_date,
                    fields["procedure"],
                    False,
                    payload,
                    fields["source"],
                    public_from,
                    public_until,
                    repair_from,
                    rule,
                    user_id,
                )
            )
            transition_rows.append(
                (
                    transition_ids[2 * offset],
                    record_id,
                    "",
                    CreditRecordStatus.DRAFT.value,
                    user_id,
                    label,
                    "",
                    self.now,
                )
            )
            transition_rows.append(
                (
                    transition_ids[2 * offset + 1],
                    record_id,
                    CreditRecordStatus.DRAFT.value,
                    CreditRecordStatus.SUBMITTED.value,
                    user_id,
                    label,
                    "",
                    self.now,
                )
            )
            deadline, provisional = self._deadline(decision_date)
            decision_rows.append(
                (
                    decision_ids[offset],
                    record_id,
                    ctx.kind,
                    fields["decision_number"] or f"EC-{public_id}",
                    fields["issuing_body_uscc"],
                    decision_date,
                    deadline,
                    provisional,
                    self.now,
                    organisation_id,
                    prepared.arguments.extra,
                    "",
                )
            )
        return {
            CreditRecord: record_rows,
            CreditRecordTransition: transition_rows,
            Decision: decision_rows,
        }

    def _write(self, encoded: _EncodedChunk) -> None:
        # The ids came from the sequences (PostgreSQL) or follow the largest (SQLite, whose
        # AUTOINCREMENT then follows them): no sequence to move afterwards.
        for model, table in encoded.tables:
            loader._write(self.specs[model], table)
        reason = self.ctx.reason
        audit_append_bulk(
            actor=self.ctx.actor,
            action="records.bulk_import",
            model=CreditRecord,
            members=encoded.record_members,
            reason=reason,
        )
        audit_append_bulk(
            actor=self.ctx.actor,
            action="disclosure.decision_bulk_prepare",
            model=Decision,
            members=encoded.decision_members,
            reason=reason,
        )


def _sequence_ids(model: Any, count: int) -> list[int]:
    """``count`` new ids from the table's identity sequence (PostgreSQL).

    Taken outside the write's transaction and never handed out again, so a chunk's rows can
    be complete before its write; a chunk that is redone row by row leaves a gap, as any
    rolled-back insert does.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _next_free_ids(model: Any, count: int) -> list[int]:
    """The next ``count`` ids after the largest, under the write lock (SQLite)."""
    first = loader._reserve_ids(model)
    return list(range(first, first + count))


@cache
def _digest_plans() -> dict[Any, tuple[Callable[..., Any], Callable[..., Any]]]:
    """Per audited table: (row digester, row tuple → snapshot order). Once per process."""
    return {
        CreditRecord: (
            sequence_digester(CreditRecord),
            _snapshot_order(CreditRecord, _RECORD_PROVIDED, _RECORD_UNSET),
        ),
        Decision: (
            sequence_digester(Decision),
            _snapshot_order(Decision, _DECISION_PROVIDED, _DECISION_UNSET),
        ),
    }


def _encode_chunk(
    specs: Mapping[Any, loader._TableSpec],
    tables: Mapping[Any, list[tuple[Any, ...]]],
    postgresql: bool,
) -> _EncodedChunk:
    """COPY text (PostgreSQL) or parameters (SQLite) of a chunk's rows, and audit members.

    Pure (no database): runs in a worker process for big files, in this one otherwise.
    """
    plans = _digest_plans()
    members: dict[Any, list[tuple[int, str]]] = {}
    for model, (digest, order) in plans.items():
        members[model] = [(row[0], digest(order(row))) for row in tables[model]]
    encoded = tuple(
        (model, _encode(specs[model], rows, postgresql)) for model, rows in tables.items()
    )
    return _EncodedChunk(
        tables=encoded,
        record_members=members[CreditRecord],
        decision_members=members[Decision],
    )


def _encode(
    spec: loader._TableSpec, rows: list[tuple[Any, ...]], postgresql: bool
) -> loader._Encoded:
    """Rows as the loader writes them: COPY text on PostgreSQL, parameters on SQLite."""
    if postgresql:
        formatters = [_FASTER_COPY.get(f, f) for f in spec.copy_formatters]
        text = "".join(
            "\t".join([f(v) for f, v in zip(formatters, row, strict=True)]) + spec.copy_suffix
            for row in rows
        )
        return loader._Encoded(rows=len(rows), copy_data=text.encode(), params=[], members=[])
    db_formatters = spec.db_formatters
    params = [
        (*[f(v) for f, v in zip(db_formatters, row, strict=True)], *spec.db_constants)
        for row in rows
    ]
    return loader._Encoded(rows=len(rows), copy_data=b"", params=params, members=[])


# --- entry points ---------------------------------------------------------------------------


# A staged chunk waiting for its write: (writer, staged new rows, rows left for the per-row
# path, the chunk's rejected rows, the chunk's size).
_Waiting = tuple["_Bulk", "_Staged | None", list["_Prepared"], list[ReportRow], int]


def import_rows(
    *,
    actor: User,
    kind: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, list[str]]],
    penalty_item_code: str = mapping.DEFAULT_PENALTY_ITEM,
    bulk: bool = False,
    workers: int = 1,
    reason: str = "",
    on_rejected: Callable[[int, list[str], list[Problem]], None] | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    skip: int = 0,
    start: ImportSummary | None = None,
) -> ImportSummary:
    """Import numbered rows of ``kind`` (header = the file's headings); rejected rows are passed
    to ``on_rejected(row_number, cells, problems)``. Raises ``ImportFileError`` for a header
    that cannot be used and ``MappingError`` for a missing catalog item.

    Each chunk is one transaction: its records, ``on_rejected`` and ``progress`` (called with
    the summary after the chunk) commit together or not at all. To go on after an interrupted
    run, ``skip`` its first rows (those already counted, read only for the within-file
    duplicate check) and ``start`` from its counts.
    """
    from educredit.core import clock

    codes = resolve_columns(kind, header)
    today = today or clock.today()
    item = mapping.catalog_item_for(kind, penalty_item_code=penalty_item_code, as_of=today)
    try:  # the bulk path below bypasses credit_record_create: refuse the file as a whole
        records.credit_record_item_check(actor=actor, catalog_item=item)
    except records.RecordError as exc:
        raise ImportFileError("；".join(exc.errors.values())) from None
    ctx = _Context(
        actor=actor,
        kind=kind,
        item=item,
        columns=_Columns(kind, header, codes),
        today=today,
        reason=reason,
        bulk=bulk,
    )
    summary = start if start is not None else ImportSummary()
    seen: dict[tuple[str, str], int] = {}
    remaining = iter(rows)
    if skip:
        _note_keys(ctx, codes, islice(remaining, skip), seen)
    # On the bulk path the workers also run the record services' field and payload checks.
    precheck = _Precheck(item, ctx.columns, ctx.source) if bulk else None

    def finish(chunk_size: int, left: list[_Prepared], report: list[ReportRow]) -> None:
        """The rest of a chunk once its new rows are written: per-row rows, report, progress."""
        _apply_rows(ctx, left, summary, report)
        summary.processed += chunk_size
        summary.failed += len(report)
        if on_rejected is not None:
            for number, cells, problems in sorted(report, key=lambda r: r[0]):
                on_rejected(number, cells, problems)
        if progress is not None:
            progress(summary)

    def write_and_finish(waiting: _Waiting) -> None:
        """Write a staged chunk, then finish it (rows it could not write go per row)."""
        writer, staged, left, report, size = waiting
        with transaction.atomic():
            if staged is not None:
                left = left + writer.store(staged, summary)
            finish(size, left, report)

    with _worker_pool(workers if bulk else 1) as pool:
        bulk_writer = _Bulk(ctx, pool) if bulk else None
        # On the bulk path a chunk is staged (checked, its rows built and handed to a worker
        # to encode) before the previous one is written, so the work overlaps the writes.
        waiting: _Waiting | None = None
        for chunk in _checked_chunks(kind, today, codes, remaining, pool, workers, precheck):
            report: list[ReportRow] = []
            prepared = _prepare_chunk(ctx, chunk, seen, report)
            if bulk_writer is None:
                with transaction.atomic():
                    finish(len(chunk), prepared, report)
                continue
            staged, left = bulk_writer.stage(prepared, report)
            if waiting is not None:
                write_and_finish(waiting)
            waiting = (bulk_writer, staged, left, report, len(chunk))
        if waiting is not None:
            write_and_finish(waiting)
    return summary


def _note_keys(
    ctx: _Context,
    codes: Sequence[str | None],
    rows: Iterable[tuple[int, list[str]]],
    seen: dict[tuple[str, str], int],
) -> None:
    """The decisions of rows an interrupted run had done, for the within-file duplicate check."""
    validator = _validator(ctx.kind, ctx.today)
    for number, cells in rows:
        key = _key(ctx.kind, validator.validate(_row_dict(codes, cells)).values)
        if key is not None:
            seen.setdefault(key, number)


def _error_rows(
    run: DecisionImportRun, number: int, cells: list[str], problems: list[Problem]
) -> list[DecisionImportError]:
    cipher = encrypt_text(json.dumps(cells, ensure_ascii=False))
    return [
        DecisionImportError(
            run=run,
            row_number=number,
            code=problem.code[:20],
            column=problem.column[:100],
            reason=problem.reason,
            values_cipher=cipher,
        )
        for problem in problems
    ]


UNREADABLE = (
    "文件无法读取：请上传 UTF-8 或 GBK 编码的 CSV，或 .xlsx 文件 / "
    "The file cannot be read: upload a CSV in UTF-8 or GBK, or an .xlsx file"
)


# Stored in Chinese, shown in the reader's language (``core.i18n.shown``).
INTERRUPTED = gettext_noop(
    "导入意外中断，已导入的行保持有效；请重新上传该文件，已导入的行会显示为“已导入过”"
)
COUNTS = ("processed_rows", "ok_rows", "updated_rows", "failed_rows", "existing_rows")


def import_file(run: DecisionImportRun, *, bulk: bool | None = None, workers: int = 1) -> None:
    """Import a run's file, recording progress and rejected rows on the run.

    A file that cannot be read or whose header cannot be used fails the run with a clear
    message and writes nothing. ``bulk=None`` chooses the bulk path above ``BULK_THRESHOLD``.
    A run taken over from a worker that died goes on after the rows it has counted. If this
    attempt loses its lease (``jobs.LeaseLost``) it stops and leaves the run to the next one.
    """
    from educredit.subjects.choices import ImportStatus

    def save(*names: str) -> None:
        DecisionImportRun.objects.filter(pk=run.pk).update(
            **{name: getattr(run, name) for name in (*COUNTS, *names)}
        )

    pending: list[DecisionImportError] = []

    def rejected(number: int, cells: list[str], problems: list[Problem]) -> None:
        pending.extend(_error_rows(run, number, cells, problems))

    def progress(summary: ImportSummary) -> None:
        # Inside the chunk's transaction: its rejected rows in one statement, then the counts
        # the page polls and a resumed attempt starts from, then the lease (or LeaseLost).
        DecisionImportError.objects.bulk_create(pending, batch_size=1000)
        pending.clear()
        run.processed_rows, run.ok_rows, run.updated_rows = (
            summary.processed,
            summary.ok,
            summary.updated,
        )
        run.failed_rows, run.existing_rows = summary.failed, summary.existing
        save()
        jobs.renew()

    try:
        source: RowSource = open_source(Path(run.file.path), run.original_filename)
        with source:
            run.header, run.encoding, run.total_rows = source.header, source.encoding, source.total
            resolve_columns(run.kind, source.header)
            save("header", "encoding", "total_rows")
            use_bulk = bulk if bulk is not None else source.total > BULK_THRESHOLD
            import_rows(
                actor=run.created_by,
                kind=run.kind,
                header=source.header,
                rows=source.rows(),
                penalty_item_code=run.catalog_item_code,
                bulk=use_bulk,
                workers=workers,
                reason=f"双公示导入 {run.public_id}（{run.original_filename}）",
                on_rejected=rejected,
                progress=progress,
                skip=run.processed_rows,
                start=ImportSummary(
                    processed=run.processed_rows,
                    ok=run.ok_rows,
                    updated=run.updated_rows,
                    failed=run.failed_rows,
                    existing=run.existing_rows,
                ),
            )
        run.status = ImportStatus.FINISHED
        run.total_rows = run.processed_rows
    except (ImportFileError, mapping.MappingError) as exc:
        run.status = ImportStatus.FAILED
        run.error_message = str(exc)
    except csv.Error:
        run.status = ImportStatus.FAILED
        run.error_message = UNREADABLE
    except jobs.LeaseLost:
        raise  # another attempt owns the run now: nothing more to write here
    except Exception:
        logger.exception("decision import run %s failed", run.pk)
        run.refresh_from_db(fields=list(COUNTS))  # the counts of the chunks that committed
        decision_import_fail(run, INTERRUPTED)
        raise
    run.finished_at = timezone.now()
    save("status", "total_rows", "error_message", "finished_at")
    _drop_file(run)


def _drop_file(run: DecisionImportRun) -> None:
    if run.file:  # rows may hold identity numbers in clear: keep only the encrypted errors
        run.file.delete(save=False)
        DecisionImportRun.objects.filter(pk=run.pk).update(file="")


def decision_import_fail(run: DecisionImportRun, reason: str) -> None:
    """End a run as failed with ``reason`` (a Chinese message id), as the page shows it, and
    drop its file; the rows its chunks committed stay."""
    from educredit.subjects.choices import ImportStatus

    run.status, run.error_message, run.finished_at = ImportStatus.FAILED, reason, timezone.now()
    DecisionImportRun.objects.filter(pk=run.pk).update(
        status=run.status, error_message=reason, finished_at=run.finished_at
    )
    _drop_file(run)


# --- error report -------------------------------------------------------------------------

REPORT_ROW_NUMBER = "原行号"
REPORT_REASON = "错误原因"


def summary_lines(run: DecisionImportRun) -> list[tuple[str, int]]:
    """The run's counts as the error report's summary sheet names them."""
    return [
        (gettext("总行数"), run.total_rows),
        (gettext("已提交审核"), run.ok_rows + run.updated_rows),
        (gettext("其中更新草稿"), run.updated_rows),
        (gettext("已导入过"), run.existing_rows),
        (gettext("失败"), run.failed_rows),
    ]


def write_error_report(run: DecisionImportRun, handle: IO[bytes]) -> None:
    """An XLSX of the rejected rows: the original columns, 原行号 and 错误原因; then a
    summary sheet with the run's counts (rows already imported are not failures).

    It can be corrected and uploaded again as it is: the two added columns and the second
    sheet are ignored (an import reads the first sheet).
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误行")
    sheet.append([*run.header, REPORT_ROW_NUMBER, REPORT_REASON])
    current: int | None = None
    cells: list[str] = []
    reasons: list[str] = []

    def flush() -> None:
        if current is not None:
            padded = cells + [""] * (len(run.header) - len(cells))
            sheet.append(safe_row([*padded, current, "；".join(reasons)]))

    for error in run.row_errors.order_by("row_number", "pk").iterator(chunk_size=500):
        if error.row_number != current:
            flush()
            current = error.row_number
            cells = json.loads(decrypt_text(error.values_cipher)) if error.values_cipher else []
            reasons = []
        reason = shown(error.reason)
        reasons.append(f"{error.column}：{reason}" if error.column else reason)
    flush()
    summary = book.create_sheet(gettext("汇总"))
    for label, count in summary_lines(run):
        summary.append([label, count])
    book.save(handle)


# --- starting a run -----------------------------------------------------------------------

IMPORT_SUFFIXES = frozenset({".csv", ".xlsx"})


class ImportStartError(ValueError):
    """An upload refused before it is queued (bilingual message, the form field at fault)."""

    def __init__(self, message: str, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def decision_import_start(
    *,
    actor: User,
    kind: str,
    upload: Any,
    penalty_item_code: str = mapping.DEFAULT_PENALTY_ITEM,
    enqueue: bool = True,
) -> DecisionImportRun:
    """Store an uploaded CSV/XLSX of decisions and queue its import once this commits."""
    from educredit.disclosure.models import DecisionKind

    organisation = actor.organisation
    if organisation is None or not set(actor.roles()) & lifecycle.CLERKS:
        raise PermissionDenied("无权操作 / Not permitted")
    if kind not in DecisionKind.values:
        raise ImportStartError("导入类别无效 / Unknown kind of decision", field="kind")
    item_code = mapping.LICENCE_ITEM if kind == "licence" else penalty_item_code
    mapping.catalog_item_for(kind, penalty_item_code=item_code)  # refuses an unknown item
    filename = Path(upload.name or "").name
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ImportStartError("请上传 .csv 或 .xlsx 文件 / Upload a .csv or .xlsx file")
    run = DecisionImportRun(
        kind=kind,
        catalog_item_code=item_code,
        original_filename=filename[:255],
        created_by=actor,
        organisation=organisation,
    )
    try:
        uploads.upload_check(upload)  # size, type by content, zip bomb: before storing
    except uploads.UploadRefusedError as exc:
        # Failed like a run whose file cannot be read, but the file is never stored.
        from educredit.subjects.choices import ImportStatus

        run.status, run.error_message = ImportStatus.FAILED, str(exc)
        run.finished_at = timezone.now()
        run.save()
        return run
    # Stored under a random name: the original name is shown, never used as a path.
    run.file.save(f"{run.public_id}{suffix}", upload, save=False)
    run.save()
    if enqueue:
        from educredit.disclosure.tasks import decision_import_task

        run_id = run.pk
        transaction.on_commit(lambda: decision_import_task.enqueue(run_id))
    return run


def _claim(run_id: int) -> bool:
    """Take a queued run, or the one a dead worker left RUNNING (``core.jobs.run_claim``)."""
    from educredit.subjects.choices import ImportStatus

    return jobs.run_claim(
        DecisionImportRun.objects.filter(pk=run_id),
        pending=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
    )


def decision_import_process(*, run_id: int) -> DecisionImportRun | None:
    """Process a queued run once (claimed by a conditional update); None if already taken.

    A task taken over after its worker died takes the run up where it stopped."""
    if not _claim(run_id):
        return None
    run = DecisionImportRun.objects.select_related("created_by", "organisation").get(pk=run_id)
    import_file(run, workers=settings.EDUCREDIT_IMPORT_WORKERS)
    run.refresh_from_db()
    return run
