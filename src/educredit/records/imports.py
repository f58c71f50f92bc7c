"""Spreadsheet import of credit records of one catalog item (CSV/XLSX, UTF-8/GBK/GB18030).

Reading, encoding detection, heading matching and date parsing are the subjects import's
(``subjects.imports.open_source`` / ``map_columns`` / ``parse_date`` / ``DOCUMENT_VALUES``).
Each row becomes one ``credit_record_create`` call inside a savepoint, so every bad row is
reported with its number, column and a bilingual reason; if ANY row is bad the whole file is
rolled back (nothing partial). Processing is synchronous in the request for this round.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.catalog.choices import SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core import uploads
from educredit.core.spreadsheet_safety import safe_row
from educredit.records import services
from educredit.records.choices import CreditRecordSource, DecisionProcedure
from educredit.subjects.imports import (
    DOCUMENT_VALUES,
    ImportFileError,
    map_columns,
    normalise_heading,
    open_source,
    parse_date,
)
from educredit.subjects.models import Institution, Person
from educredit.subjects.selectors import institutions_visible_to, person_find

MAX_ROWS = 5000

BASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "subject_uscc": ("主体统一社会信用代码", "统一社会信用代码", "subject_uscc"),
    "document_type": ("证件类型", "document_type"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number"),
    "title": ("事由", "title"),
    "decision_number": ("决定文书号", "文书号", "decision_number"),
    "issuing_body": ("认定单位", "issuing_body"),
    "issuing_body_uscc": ("认定单位统一社会信用代码", "issuing_body_uscc"),
    "decision_date": ("决定日期", "decision_date"),
    "procedure": ("程序", "procedure"),
    "corrected_minor_violation": ("轻微违法已主动改正", "corrected_minor_violation"),
}
PROCEDURE_VALUES = (
    {normalise_heading(str(label)): value for value, label in DecisionProcedure.choices}
    | {value: value for value in DecisionProcedure.values}
    | {"简易": "simplified", "普通": "ordinary"}
)


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class ImportResult:
    """What an import did: rows created, or the errors that stopped it."""

    total: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total > 0


def _columns_for(item: CatalogItem) -> dict[str, tuple[str, ...]]:
    columns = dict(BASE_COLUMNS)
    for spec in item.field_schema or []:
        columns["f:" + spec["name"]] = (spec.get("label") or spec["name"], spec["name"])
    return columns


def _label_of(key: str, item: CatalogItem) -> str:
    if key.startswith("payload."):
        name = key[len("payload.") :]
        for spec in item.field_schema or []:
            if spec["name"] == name:
                return str(spec.get("label") or name)
        return name
    aliases = BASE_COLUMNS.get(key)
    return aliases[0] if aliases else key


class _RollbackError(Exception):
    pass


def records_import_upload(*, actor: Any, item: CatalogItem, upload: Any) -> ImportResult:
    """Import an uploaded file (a Django ``UploadedFile``)."""
    try:
        uploads.upload_check(upload)  # size, type by content, zip bomb: before copying
    except uploads.UploadRefusedError as exc:
        return ImportResult(errors=[RowError(0, "", str(exc))])
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        return records_import_file(
            actor=actor, item=item, path=Path(handle.name), filename=upload.name
        )


def records_import_file(
    *, actor: Any, item: CatalogItem, path: Path, filename: str
) -> ImportResult:
    """Import a file of records of ``item``: all rows or none."""
    result = ImportResult()
    try:
        services.credit_record_item_check(actor=actor, catalog_item=item)
    except services.RecordError as exc:  # not an item this organisation records
        result.errors.append(RowError(0, "", "；".join(exc.errors.values())))
        return result
    except PermissionDenied as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    try:
        source = open_source(path, filename)
    except ImportFileError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    with source:
        columns = map_columns(source.header, _columns_for(item))
        missing = [key for key in ("title", "issuing_body", "decision_date") if key not in columns]
        if item.subject_type == SubjectType.INSTITUTION and "subject_uscc" not in columns:
            missing.append("subject_uscc")
        if item.subject_type == SubjectType.PERSON and "id_number" not in columns:
            missing.append("id_number")
        if missing:
            result.errors.append(
                RowError(
                    1,
                    "、".join(BASE_COLUMNS[key][0] for key in missing),
                    _("缺少必需的列"),
                )
            )
            return result
        try:
            with transaction.atomic():
                for row_number, values in source.rows():
                    result.total += 1
                    if result.total > MAX_ROWS:
                        result.errors.append(
                            RowError(
                                row_number,
                                "",
                                _("每次最多导入 %(n)d 行") % {"n": MAX_ROWS},
                            )
                        )
                        break
                    _import_row(actor, item, columns, row_number, values, result)
                if result.errors:
                    raise _RollbackError
        except _RollbackError:
            result.created = 0
    if result.total == 0 and not result.errors:
        result.errors.append(RowError(0, "", _("文件中没有数据行")))
    return result


def _import_row(
    actor: Any,
    item: CatalogItem,
    columns: dict[str, int],
    row_number: int,
    values: list[str],
    result: ImportResult,
) -> None:
    def cell(key: str) -> str:
        index = columns.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    errors: list[RowError] = []
    institution: Institution | None = None
    person: Person | None = None
    uscc = cell("subject_uscc").upper()
    number = cell("id_number")
    if uscc and item.subject_type != SubjectType.PERSON:
        institution = institutions_visible_to(actor).filter(uscc=uscc).first()
        if institution is None:
            errors.append(
                RowError(
                    row_number,
                    BASE_COLUMNS["subject_uscc"][0],
                    _("管辖范围内没有该机构"),
                )
            )
    elif number and item.subject_type != SubjectType.INSTITUTION:
        document_type = DOCUMENT_VALUES.get(normalise_heading(cell("document_type") or "身份证"))
        if document_type is None:
            errors.append(RowError(row_number, "证件类型", _("证件类型无效")))
        else:
            person = person_find(
                user=actor, document_type=document_type, id_number=number, purpose="导入信用记录"
            )
            if person is None:
                errors.append(
                    RowError(
                        row_number,
                        "证件号码",
                        _("管辖范围内没有此证件号码的人员"),
                    )
                )
    else:
        errors.append(RowError(row_number, "", _("缺少主体")))
    try:
        decision_date = parse_date(cell("decision_date"))
    except ValueError:
        decision_date = None
    if decision_date is None:
        errors.append(RowError(row_number, "决定日期", _("决定日期无效")))
    procedure = PROCEDURE_VALUES.get(normalise_heading(cell("procedure") or "普通程序"))
    if procedure is None:
        errors.append(RowError(row_number, "程序", _("程序无效")))
    if errors:
        result.errors.extend(errors)
        return
    payload = {
        spec["name"]: cell("f:" + spec["name"])
        for spec in item.field_schema or []
        if cell("f:" + spec["name"])
    }
    try:
        with transaction.atomic():
            services.credit_record_create(
                actor=actor,
                catalog_item=item,
                institution=institution,
                person=person,
                title=cell("title"),
                decision_number=cell("decision_number"),
                issuing_body=cell("issuing_body"),
                issuing_body_uscc=cell("issuing_body_uscc"),
                decision_date=decision_date,  # type: ignore[arg-type]
                procedure=procedure or DecisionProcedure.ORDINARY,
                corrected_minor_violation=cell("corrected_minor_violation") in {"是", "1", "true"},
                payload=payload,
                source=CreditRecordSource.IMPORT,
            )
    except services.RecordError as exc:
        for key, message in exc.errors.items():
            result.errors.append(RowError(row_number, _label_of(key, item), message))
    except PermissionDenied as exc:
        result.errors.append(RowError(row_number, "", str(exc)))
    else:
        result.created += 1


REPORT_HEADER = ("原行号", "列", "错误原因")


def error_report_csv(result: ImportResult) -> bytes:
    """The rejected rows as a CSV a spreadsheet opens (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    for error in result.errors:
        writer.writerow(safe_row([error.row or "", error.column, error.reason]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
