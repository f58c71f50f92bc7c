"""Field schemas of catalog items (信息项) and the validation of record payloads against them.

A field schema is a list of fields, each a dict::

    {"name": "penalty_content", "label": "处罚内容", "type": "text", "required": True,
     "public": True, "max_length": 2000, "choices": []}

``type`` is one of :data:`FIELD_TYPES`. ``validate_field_schema`` checks and normalises the
structure (the catalog services call it before saving); ``validate_payload`` checks a record's
payload against its item and returns the cleaned values (the records services call it).
Every message is a ``core.i18n.Bilingual``: Chinese and English, shown in the reader's
language (the module touches no translation catalogue: an import validates a million rows).
"""

from __future__ import annotations

import copy
import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from educredit.core.i18n import Bilingual
from educredit.core.identifiers import IdentifierError, validate_uscc

FIELD_TYPES = ("text", "date", "decimal", "integer", "choice", "uscc", "boolean")
FIELD_TYPE_LABELS = {
    "text": "文本",
    "date": "日期",
    "decimal": "小数",
    "integer": "整数",
    "choice": "选项",
    "uscc": "统一社会信用代码",
    "boolean": "是/否",
}
DEFAULT_TEXT_MAX = 2000
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
TRUE_WORDS = {"true", "1", "yes", "y", "是", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "否", "f"}


class SchemaError(ValueError):
    """A field schema is malformed; ``errors`` lists its problems (``Bilingual``)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("；".join(errors))


class PayloadError(ValueError):
    """A payload does not fit its item; ``errors`` maps field name → message (``Bilingual``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("；".join(f"{name}: {message}" for name, message in errors.items()))


class HasFieldSchema(Protocol):
    field_schema: Any


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None


def validate_field_schema(schema: Any) -> list[dict[str, Any]]:
    """Check a field schema's structure and return it normalised (every key present)."""
    if not isinstance(schema, list):
        raise SchemaError([Bilingual("信息项应为列表", "the field schema must be a list")])
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, field in enumerate(schema, start=1):

        def problem(zh: str, en: str, position: int = position) -> Bilingual:
            return Bilingual(f"第{position}项：{zh}", f"field {position}: {en}")

        if not isinstance(field, dict):
            errors.append(problem("应为对象", "must be an object"))
            continue
        name = str(field.get("name", "")).strip()
        label = str(field.get("label", "")).strip()
        kind = str(field.get("type", "")).strip()
        if not NAME_PATTERN.match(name):
            errors.append(
                problem(
                    "字段名应为小写字母开头的字母、数字或下划线",
                    "name must be lower-case letters, digits or underscores, "
                    "starting with a letter",
                )
            )
        elif name in seen:
            errors.append(problem(f"字段名 {name} 重复", f"duplicate field name {name}"))
        seen.add(name)
        if not label:
            errors.append(problem("缺少中文名称", "label is required"))
        if kind not in FIELD_TYPES:
            errors.append(
                problem(
                    f"类型应为 {'、'.join(FIELD_TYPES)} 之一",
                    f"type must be one of {', '.join(FIELD_TYPES)}",
                )
            )
        required = _bool(field.get("required", False))
        public = _bool(field.get("public", False))
        if required is None or public is None:
            errors.append(
                problem("required 和 public 应为是/否", "required and public must be booleans")
            )
        raw_length = field.get("max_length")
        max_length: int | None
        if raw_length in ("", None):
            max_length = DEFAULT_TEXT_MAX if kind == "text" else None
        else:
            try:
                max_length = int(str(raw_length))
            except (TypeError, ValueError):
                max_length = 0
            if max_length <= 0:
                errors.append(
                    problem("最大长度应为正整数", "max_length must be a positive integer")
                )
        choices = field.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            errors.append(problem("选项应为文本列表", "choices must be a list of strings"))
            choices = []
        if kind == "choice" and not choices:
            errors.append(problem("选项类型须列出选项", "a choice field needs choices"))
        if kind != "choice" and choices:
            errors.append(problem("只有选项类型可以列出选项", "only choice fields take choices"))
        cleaned.append(
            {
                "name": name,
                "label": label,
                "type": kind,
                "required": bool(required),
                "public": bool(public),
                "max_length": max_length,
                "choices": list(choices),
            }
        )
    if errors:
        raise SchemaError(errors)
    return cleaned


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_value(field: dict[str, Any], value: Any) -> Any:
    """The cleaned value of one non-blank field, or raise ValueError with a ``Bilingual``."""
    kind = field["type"]
    label = field["label"]
    if kind == "text":
        text = str(value).strip()
        limit = field.get("max_length")
        if limit and len(text) > limit:
            raise ValueError(
                Bilingual(
                    f"{label}不能超过 {limit} 个字符",
                    f"{_english(field)} must be at most {limit} characters",
                )
            )
        return text
    if kind == "date":
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = str(value).strip().replace("/", "-")
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(
                Bilingual(f"{label}应为日期（YYYY-MM-DD）", f"{_english(field)} must be a date")
            ) from None
    if kind == "decimal":
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise ValueError(Bilingual(f"{label}应为数字", f"{_english(field)} must be a number"))
        return str(number)
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError(_whole_number(field))
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(_whole_number(field))
        return int(text)
    if kind == "choice":
        text = str(value).strip()
        if text not in field["choices"]:
            raise ValueError(
                Bilingual(
                    f"{label}应为 {'、'.join(field['choices'])} 之一",
                    f"{_english(field)} must be one of {', '.join(field['choices'])}",
                )
            )
        return text
    if kind == "uscc":
        try:
            return validate_uscc(str(value)).code
        except IdentifierError as error:
            raise ValueError(
                Bilingual(f"{label}：{error.zh}", f"{_english(field)}: {error.en}")
            ) from None
    if kind == "boolean":
        flag = _bool(value)
        if flag is None:
            raise ValueError(
                Bilingual(f"{label}应为是或否", f"{_english(field)} must be yes or no")
            )
        return flag
    raise ValueError(  # pragma: no cover
        Bilingual(f"{label}类型未知", f"unknown type of {_english(field)}")
    )


def _whole_number(field: dict[str, Any]) -> Bilingual:
    return Bilingual(f"{field['label']}应为整数", f"{_english(field)} must be a whole number")


# Schemas already checked, most recent first, each beside a copy of what was checked: an import
# validates a million payloads against one item, and re-checking its schema for each was about
# a third of the per-row cost. Found by equality with the copy, so a schema edited in place
# (a form working on the item) is checked again rather than served stale.
_CHECKED_SCHEMAS: list[tuple[Any, list[dict[str, Any]]]] = []
_CHECKED_SCHEMAS_KEPT = 32


def checked_field_schema(schema: Any) -> list[dict[str, Any]]:
    """``validate_field_schema`` remembered for recently checked schemas (same result)."""
    for position, (seen, cleaned) in enumerate(_CHECKED_SCHEMAS):
        if seen == schema:
            if position:
                _CHECKED_SCHEMAS.insert(0, _CHECKED_SCHEMAS.pop(position))
            return cleaned
    cleaned = validate_field_schema(schema)
    _CHECKED_SCHEMAS.insert(0, (copy.deepcopy(schema), cleaned))
    del _CHECKED_SCHEMAS[_CHECKED_SCHEMAS_KEPT:]
    return cleaned


def validate_payload(item: HasFieldSchema, payload: dict[str, Any]) -> dict[str, Any]:
    """Check ``payload`` against the item's field schema; return the cleaned values.

    Unknown keys, missing required fields and values of the wrong type raise ``PayloadError``
    with one bilingual message per field. Blank optional fields are left out of the result.
    """
    schema = checked_field_schema(item.field_schema)
    if not isinstance(payload, dict):
        raise PayloadError(
            {"__all__": Bilingual("信息项应为键值对象", "the payload must be an object")}
        )
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    known = {field["name"] for field in schema}
    for name in payload:
        if name not in known:
            errors[str(name)] = Bilingual(
                f"目录中没有信息项 {name}", f"{name} is not a field of this item"
            )
    for field in schema:
        value = payload.get(field["name"])
        if _is_blank(value):
            if field["required"]:
                errors[field["name"]] = Bilingual(
                    f"{field['label']}为必填项", f"{_english(field)} is required"
                )
            continue
        try:
            cleaned[field["name"]] = _clean_value(field, value)
        except ValueError as error:
            message = error.args[0] if error.args else ""
            errors[field["name"]] = message if isinstance(message, Bilingual) else str(error)
    if errors:
        raise PayloadError(errors)
    return cleaned


def _english(field: dict[str, Any]) -> str:
    """An English name for a field: its snake_case name in words ("penalty content")."""
    return str(field["name"]).replace("_", " ")


def public_fields(item: HasFieldSchema) -> list[str]:
    """Names of the fields that may appear on the public portal (``public: true``)."""
    return [
        str(field.get("name"))
        for field in item.field_schema or []
        if isinstance(field, dict) and field.get("public") is True
    ]
