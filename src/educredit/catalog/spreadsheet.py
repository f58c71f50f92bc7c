"""The catalog as a spreadsheet in the provincial template's columns (XLSX, openpyxl).

Sheet "目录" has one row per item: the ten elements of Henan regulation §11 (数据代码 …
信息项, the last being the field labels joined by 、), then 信用性质, 公开方式, 法律依据,
双人审核, 报送省平台, 信息类别 and 录入单位类型 (the organisation kinds that may record the
item, joined by 、; empty = any; a file made before the column imports and keeps the kinds). Sheet
"信息项" lists every field of every item (数据代码, 字段名, 字段名称, 类型, 必填, 公开, 最大
长度, 选项 joined by |).

An import replaces the items of a DRAFT version with the file's, all or nothing: every row is
checked first and every problem is listed with its sheet and row, in Chinese and English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from openpyxl import load_workbook

from educredit.accounts.choices import OrganisationKind
from educredit.catalog import services
from educredit.catalog.choices import (
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.schema import FIELD_TYPE_LABELS, FIELD_TYPES
from educredit.core import uploads
from educredit.core.exports import Column
from educredit.core.i18n import Bilingual
from educredit.core.spreadsheet_safety import unescape_cell
from educredit.editions.exports import edition_export, edition_sheet

ITEMS_SHEET = "目录"
FIELDS_SHEET = "信息项"
ITEM_COLUMNS = (
    "数据代码",
    "数据名称",
    "数据格式",
    "提供单位",
    "主体类型",
    "信息性质",
    "共享属性",
    "覆盖范围",
    "更新周期",
    "信息项",
    "信用性质",
    "公开方式",
    "法律依据",
    "双人审核",
    "报送省平台",
    "信息类别",
    "录入单位类型",
)
# Columns an import does without (a file exported before the column existed).
OPTIONAL_ITEM_COLUMNS = ("录入单位类型",)
KIND_SEPARATOR = "、"
FIELD_COLUMNS = ("数据代码", "字段名", "字段名称", "类型", "必填", "公开", "最大长度", "选项")
CHOICE_SEPARATOR = "|"
YES, NO = "是", "否"
# Column → (item attribute, choices enum, English name) for the enumerated columns.
ENUM_COLUMNS: dict[str, tuple[str, type[TextChoices], str]] = {
    "主体类型": ("subject_type", SubjectType, "subject type"),
    "共享属性": ("sharing", SharingAttribute, "sharing attribute"),
    "信用性质": ("severity", Severity, "severity"),
    "公开方式": ("disclosure_mode", DisclosureMode, "disclosure mode"),
    "信息类别": ("category", InfoCategory, "category"),
}
TEXT_COLUMNS = {
    "数据代码": "code",
    "数据名称": "name",
    "数据格式": "data_format",
    "提供单位": "provider",
    "信息性质": "nature",
    "覆盖范围": "coverage",
    "更新周期": "update_cycle",
    "法律依据": "legal_basis",
}
BOOL_COLUMNS = {"双人审核": "two_person_rule", "报送省平台": "reportable"}
FIELD_TYPE_BY_LABEL = {label: kind for kind, label in FIELD_TYPE_LABELS.items()}


class CatalogImportError(ValueError):
    """The file was refused as a whole; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class CatalogImportResult:
    """What an import did to the draft."""

    version: CatalogVersion
    items: int


def _label(enum: type[TextChoices], value: str) -> str:
    return str(dict(enum.choices).get(value, value))


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _field_labels(item: CatalogItem) -> str:
    return "、".join(str(field.get("label", "")) for field in item.field_schema or [])


def _kinds_text(item: CatalogItem) -> str:
    return KIND_SEPARATOR.join(_label(OrganisationKind, kind) for kind in item.recorder_kinds or [])


# The columns of sheet "目录", in ``ITEM_COLUMNS`` order: (header, value of an item).
ITEM_EXPORT = (
    Column("数据代码", lambda item: item.code),
    Column("数据名称", lambda item: item.name),
    Column("数据格式", lambda item: item.data_format),
    Column("提供单位", lambda item: item.provider),
    Column("主体类型", lambda item: _label(SubjectType, item.subject_type)),
    Column("信息性质", lambda item: item.nature),
    Column("共享属性", lambda item: _label(SharingAttribute, item.sharing)),
    Column("覆盖范围", lambda item: item.coverage),
    Column("更新周期", lambda item: item.update_cycle),
    Column("信息项", _field_labels),
    Column("信用性质", lambda item: _label(Severity, item.severity)),
    Column("公开方式", lambda item: _label(DisclosureMode, item.disclosure_mode)),
    Column("法律依据", lambda item: item.legal_basis),
    Column("双人审核", lambda item: _yes_no(item.two_person_rule)),
    Column("报送省平台", lambda item: _yes_no(item.reportable)),
    Column("信息类别", lambda item: _label(InfoCategory, item.category)),
    Column("录入单位类型", _kinds_text),
)
# The columns of sheet "信息项", in ``FIELD_COLUMNS`` order, of (item, field) pairs.
FIELD_EXPORT = (
    Column("数据代码", lambda pair: pair[0].code),
    Column("字段名", lambda pair: pair[1].get("name", "")),
    Column("字段名称", lambda pair: pair[1].get("label", "")),
    Column(
        "类型",
        lambda pair: FIELD_TYPE_LABELS.get(pair[1].get("type", ""), pair[1].get("type", "")),
    ),
    Column("必填", lambda pair: _yes_no(bool(pair[1].get("required")))),
    Column("公开", lambda pair: _yes_no(bool(pair[1].get("public")))),
    Column("最大长度", lambda pair: pair[1].get("max_length")),
    Column("选项", lambda pair: CHOICE_SEPARATOR.join(pair[1].get("choices") or [])),
)


def export_version(version: CatalogVersion) -> bytes:
    """The version as an XLSX workbook (bytes)."""
    items = list(version.items.order_by("sort_order", "code"))
    fields = [(item, field) for item in items for field in item.field_schema or []]
    return edition_export(
        [
            edition_sheet(ITEMS_SHEET, ITEM_EXPORT, items, widths=(12, 28, 10, 24)),
            edition_sheet(FIELDS_SHEET, FIELD_EXPORT, fields, widths=(12, 22, 24)),
        ]
    )


def _text(value: Any) -> str:
    value = unescape_cell(value)  # our own export quotes formula-like text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _enum_value(enum: type[TextChoices], text: str) -> str | None:
    for value, label in enum.choices:
        if text in (value, str(label)):
            return str(value)
    return None


Where = tuple[str, str]  # a row's place, in Chinese and English


def _at(where: Where, zh: str, en: str) -> Bilingual:
    """A problem at a row of the workbook, in both languages (shown in the reader's)."""
    return Bilingual(f"{where[0]}：{zh}", f"{where[1]}: {en}")


def _kinds(text: str, where: Where, errors: list[str]) -> list[str]:
    """Organisation kinds from labels or codes joined by 、 (or commas); empty = any kind."""
    kinds: list[str] = []
    for part in text.replace("，", KIND_SEPARATOR).replace(",", KIND_SEPARATOR).split("、"):
        if not part.strip():
            continue
        kind = _enum_value(OrganisationKind, part.strip())
        if kind is None:
            errors.append(
                _at(where, f"录入单位类型「{part.strip()}」无效", f"invalid kind {part.strip()!r}")
            )
        else:
            kinds.append(kind)
    return kinds


def _bool_value(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in {YES, "true", "1", "y", "yes"}:
        return True
    if lowered in {NO, "false", "0", "n", "no", ""}:
        return False
    return None


def _rows(
    sheet: Any,
    columns: tuple[str, ...],
    name: str,
    errors: list[str],
    optional: tuple[str, ...] = (),
) -> list[Any]:
    """(row number, {column: text}) for every non-empty row; header problems go to errors.
    A missing ``optional`` column reads as empty."""
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        errors.append(Bilingual(f"工作表「{name}」为空", f"sheet {name} is empty"))
        return []
    header = [_text(cell) for cell in rows[0]]
    missing = [column for column in columns if column not in header and column not in optional]
    if missing:
        errors.append(
            Bilingual(
                f"工作表「{name}」缺少列：{'、'.join(missing)}",
                f"sheet {name} lacks the columns: {', '.join(missing)}",
            )
        )
        return []
    positions = {column: header.index(column) for column in columns if column in header}

    def cell(row: tuple[Any, ...], column: str) -> str:
        index = positions.get(column)
        return _text(row[index]) if index is not None and index < len(row) else ""

    def values_of(row: tuple[Any, ...]) -> dict[str, str]:
        return {column: cell(row, column) for column in columns}

    numbered = ((number, values_of(row)) for number, row in enumerate(rows[1:], start=2))
    return [(number, values) for number, values in numbered if any(values.values())]


def _parse_fields(rows: list[Any], errors: list[str]) -> dict[str, list[dict[str, Any]]]:
    schemas: dict[str, list[dict[str, Any]]] = {}
    for number, values in rows:
        where = (f"{FIELDS_SHEET}第{number}行", f"{FIELDS_SHEET} row {number}")
        kind_text = values["类型"]
        kind = FIELD_TYPE_BY_LABEL.get(kind_text, kind_text)
        if kind not in FIELD_TYPES:
            errors.append(_at(where, f"类型「{kind_text}」无效", f"invalid type {kind_text!r}"))
        required = _bool_value(values["必填"])
        public = _bool_value(values["公开"])
        if required is None or public is None:
            errors.append(
                _at(where, "必填、公开应填“是”或“否”", "required and public must be 是 or 否")
            )
        max_length: int | None = None
        if values["最大长度"]:
            try:
                max_length = int(values["最大长度"])
            except ValueError:
                errors.append(_at(where, "最大长度应为整数", "max length must be a whole number"))
        choices = [part.strip() for part in values["选项"].split(CHOICE_SEPARATOR) if part.strip()]
        schemas.setdefault(values["数据代码"], []).append(
            {
                "name": values["字段名"],
                "label": values["字段名称"],
                "type": kind,
                "required": bool(required),
                "public": bool(public),
                "max_length": max_length,
                "choices": choices,
            }
        )
    return schemas


def parse_workbook(content: IO[bytes] | bytes) -> list[dict[str, Any]]:
    """The items of a catalog workbook as service arguments; ``CatalogImportError`` if any
    row is wrong (every problem listed)."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    errors: list[str] = []
    try:
        # Size, type by content and zip bomb, before openpyxl opens it.
        uploads.upload_check(stream, allowed=uploads.WORKBOOK, check_name=False)
    except uploads.UploadRefusedError as exc:
        raise CatalogImportError([str(exc)]) from None
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise CatalogImportError(
            [Bilingual("文件不是有效的 XLSX 工作簿", "the file is not a valid XLSX workbook")]
        ) from None
    errors.extend(
        Bilingual(f"缺少工作表「{name}」", f"the sheet {name} is missing")
        for name in (ITEMS_SHEET, FIELDS_SHEET)
        if name not in workbook.sheetnames
    )
    if errors:
        raise CatalogImportError(errors)
    first = next(workbook[ITEMS_SHEET].iter_rows(max_row=1, values_only=True), ())
    has_kinds = "录入单位类型" in [_text(cell) for cell in first]
    item_rows = _rows(
        workbook[ITEMS_SHEET], ITEM_COLUMNS, ITEMS_SHEET, errors, optional=OPTIONAL_ITEM_COLUMNS
    )
    field_rows = _rows(workbook[FIELDS_SHEET], FIELD_COLUMNS, FIELDS_SHEET, errors)
    workbook.close()
    if errors:
        raise CatalogImportError(errors)
    schemas = _parse_fields(field_rows, errors)
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for order, (number, values) in enumerate(item_rows, start=1):
        where = (f"{ITEMS_SHEET}第{number}行", f"{ITEMS_SHEET} row {number}")
        attributes: dict[str, Any] = {name: values[column] for column, name in TEXT_COLUMNS.items()}
        for column, (name, enum, english) in ENUM_COLUMNS.items():
            value = _enum_value(enum, values[column])
            if value is None:
                errors.append(
                    _at(
                        where,
                        f"{column}「{values[column]}」无效",
                        f"invalid {english} {values[column]!r}",
                    )
                )
            attributes[name] = value or ""
        for column, name in BOOL_COLUMNS.items():
            flag = _bool_value(values[column])
            if flag is None:
                errors.append(_at(where, f"{column}应填“是”或“否”", f"{name} must be 是 or 否"))
            attributes[name] = bool(flag)
        if has_kinds:  # a file made before the column leaves the items' kinds as they are
            attributes["recorder_kinds"] = _kinds(values["录入单位类型"], where, errors)
        code = attributes["code"]
        if code in seen:
            errors.append(_at(where, f"数据代码 {code} 重复", f"duplicate code {code}"))
        seen.add(code)
        attributes["field_schema"] = schemas.pop(code, [])
        attributes["sort_order"] = order * 10
        check = CatalogItem(**attributes)
        for field, messages in services.item_errors(check).items():
            place = (f"{where[0]}（{FIELDS_SHEET}）", f"{where[1]} ({FIELDS_SHEET})")
            for message in messages:
                zh, en = getattr(message, "zh", message), getattr(message, "en", message)
                errors.append(_at(place if field == "field_schema" else where, zh, en))
        items.append(attributes)
    errors.extend(
        Bilingual(
            f"{FIELDS_SHEET}：数据代码 {code} 不在目录中",
            f"{FIELDS_SHEET}: fields for code {code}, which is not in the catalog sheet",
        )
        for code in schemas
    )
    if not items and not errors:
        errors.append(Bilingual("文件中没有目录条目", "the file holds no catalog items"))
    if errors:
        raise CatalogImportError(errors)
    return items


def catalog_version_import(
    *, actor: Any, version: CatalogVersion, content: IO[bytes] | bytes
) -> CatalogImportResult:
    """Replace the items of draft ``version`` with the workbook's, all or nothing."""
    items = parse_workbook(content)
    try:
        services.catalog_version_replace_items(
            actor=actor,
            version=version,
            items=items,
            reason="从电子表格导入 / imported from a spreadsheet",
        )
    except ValidationError as error:
        raise CatalogImportError(list(error.messages)) from None
    return CatalogImportResult(version=version, items=len(items))
