"""The spreadsheet import of a school's 师德考核 (CSV in UTF-8 or GBK/GB18030, or XLSX).

Columns (headings in any order): 姓名, 证件号码 (or 人员编号, the person's public id), 考核年度,
考核等次, 说明; 证件类型 optional (身份证 by default). Reading is the subjects import's
(``subjects.imports.open_source`` / ``map_columns``) and the run is the shared import run
(``subjects.models.ImportProgress``, claimed and leased by ``core.jobs``, resumed from its last
committed chunk by a worker that takes over from a dead one). Each row is one
``ethics_appraisal_enter`` and ``ethics_appraisal_submit`` in its own savepoint — the row is
written whole (待审核) or not at all; a rejected row is kept with its number, column and reason
(its values encrypted) for the downloadable error report.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from educredit.accounts.models import User
from educredit.core import jobs, uploads
from educredit.core.crypto import decrypt_text, encrypt_text
from educredit.core.i18n import shown
from educredit.core.spreadsheet_safety import safe_row
from educredit.integrity.appraisal import services
from educredit.integrity.appraisal.choices import EthicsAppraisalSource
from educredit.integrity.appraisal.models import (
    EthicsAppraisalImportError,
    EthicsAppraisalImportRun,
)
from educredit.integrity.appraisal.selectors import school_of
from educredit.records import lifecycle
from educredit.subjects.choices import DocumentType, ImportStatus
from educredit.subjects.imports import (
    DOCUMENT_VALUES,
    ImportFileError,
    map_columns,
    normalise_heading,
    open_source,
)
from educredit.subjects.models import Person
from educredit.subjects.selectors import people_visible_to, person_find

logger = logging.getLogger(__name__)

CHUNK_ROWS = 200
IMPORT_SUFFIXES = frozenset({".csv", ".xlsx"})
INTERRUPTED = gettext_noop("导入中断，已导入的行保持有效")
LOOKUP_PURPOSE = "导入师德考核"

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "教师姓名", "name"),
    "document_type": ("证件类型", "document_type"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number"),
    "person_id": ("人员编号", "person_id", "public_id"),
    "year": ("考核年度", "年度", "year"),
    "grade": ("考核等次", "等次", "grade"),
    "remarks": ("说明", "备注", "remarks"),
}
LABELS = {key: aliases[0] for key, aliases in COLUMNS.items()}
TEMPLATE_HEADER = ("姓名", "证件号码", "考核年度", "考核等次", "说明")
TEMPLATE_NOTES = (
    ("列", "填写"),
    ("姓名", "与登记的姓名一致"),
    ("证件号码", "居民身份证号码；也可改用“人员编号”列（平台的人员编号）"),
    ("考核年度", "四位数字，如 2025；不能是未来年度"),
    ("考核等次", "优秀、合格、基本合格或不合格"),
    ("说明", "基本合格、不合格须写明事实"),
)
# Which column of the file a service's refusal is about.
FIELD_COLUMNS = {
    "teacher": "id_number",
    "year": "year",
    "grade": "grade",
    "remarks": "remarks",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: the column's heading and why (a Chinese message id)."""

    column: str
    reason: str


class ImportStartError(ValueError):
    """An upload refused before it is queued."""


# --- starting a run ------------------------------------------------------------------------


@transaction.atomic
def appraisal_import_start(
    *, actor: User, upload: Any, enqueue: bool = True
) -> EthicsAppraisalImportRun:
    """Store an uploaded file of the actor's school's appraisals and queue its import once
    this commits (``core.uploads`` checks size, type by content and zip bombs first)."""
    school = school_of(actor)
    if school is None or not set(actor.roles()) & lifecycle.CLERKS:
        raise PermissionDenied(_("师德考核由教师所在学校的录入员录入"))
    filename = Path(upload.name or "").name
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ImportStartError(_("请上传 .csv 或 .xlsx 文件"))
    run = EthicsAppraisalImportRun(
        school=school,
        original_filename=filename[:255],
        created_by=actor,
        organisation=actor.organisation,
    )
    try:
        uploads.upload_check(upload)
    except uploads.UploadRefusedError as exc:
        run.status, run.error_message = ImportStatus.FAILED, str(exc)
        run.finished_at = timezone.now()
        run.save()
        return run
    # Stored under a random name: the original name is shown, never used as a path.
    run.file.save(f"{run.public_id}{suffix}", upload, save=False)
    run.save()
    if enqueue:
        from educredit.integrity.appraisal.tasks import appraisal_import_task

        run_id = run.pk
        transaction.on_commit(lambda: appraisal_import_task.enqueue(run_id))
    return run


# --- processing ----------------------------------------------------------------------------


class _Rows:
    """Checks one row and writes it through the services."""

    def __init__(self, run: EthicsAppraisalImportRun, header: list[str]) -> None:
        self.run = run
        self.actor = run.created_by
        self.header = header
        self.columns = map_columns(header, COLUMNS)
        missing = [
            label
            for key, label in (("year", "考核年度"), ("grade", "考核等次"), ("name", "姓名"))
            if key not in self.columns
        ]
        if "id_number" not in self.columns and "person_id" not in self.columns:
            missing.append("证件号码/人员编号")
        if missing:
            raise ImportFileError(_("缺少必需的列：%(columns)s") % {"columns": "，".join(missing)})

    def cell(self, values: list[str], key: str) -> str:
        index = self.columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    def heading(self, key: str) -> str:
        index = self.columns.get(key)
        return self.header[index] if index is not None else LABELS.get(key, key)

    def _person(self, values: list[str]) -> Person | Problem:
        public_id = self.cell(values, "person_id")
        number = self.cell(values, "id_number")
        if number:
            kind = DOCUMENT_VALUES.get(
                normalise_heading(self.cell(values, "document_type") or DocumentType.RESIDENT_ID)
            )
            if kind is None:
                return Problem(self.heading("document_type"), gettext_noop("证件类型无效"))
            person = person_find(
                user=self.actor, document_type=kind, id_number=number, purpose=LOOKUP_PURPOSE
            )
            column = "id_number"
        elif public_id:
            try:
                key = uuid.UUID(public_id)
            except ValueError:
                return Problem(self.heading("person_id"), gettext_noop("人员编号无效"))
            person = people_visible_to(self.actor).filter(public_id=key).first()
            column = "person_id"
        else:
            return Problem(self.heading("id_number"), gettext_noop("请填写证件号码或人员编号"))
        if person is None:
            return Problem(self.heading(column), gettext_noop("本校没有此人员"))
        if person.name != self.cell(values, "name"):
            return Problem(self.heading("name"), gettext_noop("姓名与证件号码登记的姓名不一致"))
        return person

    def apply(self, values: list[str]) -> None:
        """Write one row (entered and submitted) or raise ``_Rejected``."""
        found = self._person(values)
        if isinstance(found, Problem):
            raise _RejectedError([found])
        try:
            appraisal = services.ethics_appraisal_enter(
                actor=self.actor,
                teacher=found,
                year=self.cell(values, "year"),
                grade=self.cell(values, "grade"),
                remarks=self.cell(values, "remarks"),
                source=EthicsAppraisalSource.IMPORT,
            )
            services.ethics_appraisal_submit(actor=self.actor, appraisal=appraisal)
        except services.AppraisalError as exc:
            raise _RejectedError(
                [
                    Problem(self.heading(FIELD_COLUMNS.get(field, field)), str(message))
                    for field, messages in exc.message_dict.items()
                    for message in messages
                ]
            ) from exc
        except PermissionDenied as exc:
            raise _RejectedError([Problem("", str(exc))]) from exc


class _RejectedError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


def _save_progress(run: EthicsAppraisalImportRun, *fields: str) -> None:
    EthicsAppraisalImportRun.objects.filter(pk=run.pk).update(
        **{
            name: getattr(run, name)
            for name in ("processed_rows", "ok_rows", "failed_rows", "existing_rows", *fields)
        }
    )


def _chunk(run: EthicsAppraisalImportRun, rows: _Rows, chunk: list[tuple[int, list[str]]]) -> None:
    """One chunk in one transaction: each row in its savepoint, the rejected rows, the run's
    counts and the task's lease."""
    with transaction.atomic():
        for row_number, values in chunk:
            run.processed_rows += 1
            try:
                with transaction.atomic():
                    rows.apply(values)
            except _RejectedError as exc:
                run.failed_rows += 1
                cipher = encrypt_text(json.dumps(values, ensure_ascii=False))
                EthicsAppraisalImportError.objects.bulk_create(
                    EthicsAppraisalImportError(
                        run=run,
                        row_number=row_number,
                        column=problem.column[:100],
                        reason=problem.reason,
                        values_cipher=cipher,
                    )
                    for problem in exc.problems
                )
            else:
                run.ok_rows += 1
        _save_progress(run)
        jobs.renew()


def _claim(run_id: int) -> bool:
    return jobs.run_claim(
        EthicsAppraisalImportRun.objects.filter(pk=run_id),
        pending=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
    )


def appraisal_import_process(*, run_id: int) -> EthicsAppraisalImportRun | None:
    """Import every row of a queued run (claimed once; None if another worker has it). The
    messages are stored in Chinese, the platform's language, and shown in the reader's. The
    file goes when done: it holds identity numbers in clear."""
    if not _claim(run_id):
        return None
    run = EthicsAppraisalImportRun.objects.select_related(
        "created_by__organisation", "organisation", "school"
    ).get(pk=run_id)
    with translation.override("zh-hans"):
        try:
            with open_source(Path(run.file.path), run.original_filename) as source:
                run.header, run.encoding, run.total_rows = (
                    source.header,
                    source.encoding,
                    source.total,
                )
                _save_progress(run, "header", "encoding", "total_rows")
                rows = _Rows(run, source.header)
                lines: Iterator[tuple[int, list[str]]] = source.rows()
                for _done in islice(lines, run.processed_rows):
                    pass  # committed by an interrupted attempt
                while chunk := list(islice(lines, CHUNK_ROWS)):
                    _chunk(run, rows, chunk)
            run.status = ImportStatus.FINISHED
            run.total_rows = run.processed_rows
        except ImportFileError as exc:
            run.status, run.error_message = ImportStatus.FAILED, str(exc)
        except jobs.LeaseLost:
            raise
        except Exception:
            logger.exception("appraisal import run %s failed", run.pk)
            run.refresh_from_db(fields=["processed_rows", "ok_rows", "failed_rows"])
            run.status, run.error_message = ImportStatus.FAILED, INTERRUPTED
    run.finished_at = timezone.now()
    _save_progress(run, "status", "total_rows", "error_message", "finished_at")
    _drop_file(run)
    return run


def _drop_file(run: EthicsAppraisalImportRun) -> None:
    if run.file:
        run.file.delete(save=False)
        EthicsAppraisalImportRun.objects.filter(pk=run.pk).update(file="")


def appraisal_import_fail(run: EthicsAppraisalImportRun, reason: str) -> None:
    """End a run as failed with ``reason`` (a Chinese message id); its file goes."""
    run.status, run.error_message, run.finished_at = ImportStatus.FAILED, reason, timezone.now()
    EthicsAppraisalImportRun.objects.filter(pk=run.pk).update(
        status=run.status, error_message=reason, finished_at=run.finished_at
    )
    _drop_file(run)


# --- files handed out ----------------------------------------------------------------------

REPORT_ROW_NUMBER = "原行号"
REPORT_REASON = "错误原因"


def write_error_report(run: EthicsAppraisalImportRun, handle: IO[bytes]) -> None:
    """An XLSX of the rejected rows: the original columns, 原行号 and 错误原因 (the sheet can be
    corrected and uploaded again as it is: the two added columns are not import columns)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("错误行"))
    sheet.append([*run.header, REPORT_ROW_NUMBER, REPORT_REASON])
    grouped: dict[int, tuple[list[str], list[str]]] = {}
    for error in run.row_errors.order_by("row_number", "pk"):
        values, reasons = grouped.setdefault(
            error.row_number,
            (json.loads(decrypt_text(error.values_cipher)) if error.values_cipher else [], []),
        )
        reason = shown(error.reason)
        reasons.append(f"{error.column}：{reason}" if error.column else reason)
    for row_number, (values, reasons) in grouped.items():
        padded = values + [""] * (len(run.header) - len(values))
        sheet.append(safe_row([*padded, row_number, "；".join(reasons)]))
    book.save(handle)


def template_xlsx() -> bytes:
    """The file to fill in: the headings, and a sheet saying what each column takes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("师德考核")
    sheet.append(list(TEMPLATE_HEADER))
    notes = book.create_sheet("填写说明")
    for row in TEMPLATE_NOTES:
        notes.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
