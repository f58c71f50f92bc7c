"""Validation of one 双公示 row in the national layout (domain rules §1.1–1.3).

``RowValidator(kind)`` is built once and checks many rows: it touches no database, no
settings and no translation catalogue, so a spreadsheet import can call it a million times.
``validate_row`` is the one-off shortcut.

A row is a mapping field code → raw text (blank or missing = not given). The result holds the
cleaned values (``str`` text, ``datetime.date`` dates, ``Decimal`` amounts; the party's
categories as given, 处罚类别 re-joined with ";"), the list of errors (each naming the field's
code and Chinese name with a "中文 / English" message), and two flags:

- ``complete`` (完整率): every field the standard requires for this row is given;
- ``compliant`` (合规率): the row passes every rule (no error at all).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from educredit.core import clock
from educredit.core.identifiers import (
    USCC_PLACEHOLDER,
    IdentifierError,
    is_uscc_placeholder,
    validate_document,
    validate_uscc,
)
from educredit.disclosure import national as n

LONG_TERM = dt.date(2099, 12, 31)  # 有效期至 2099-12-31 means 长期
AMOUNT_MAX_DIGITS = 18  # decimal(18,6) in 万元
AMOUNT_PLACES = 6
FIRST_DECISION_YEAR = 1990  # earlier dates are typing errors, not decisions
# Dates that end something and so cannot come before the decision.
END_DATES = {"penalty": ("CF_YXQ", "CF_GSJZQ"), "licence": ("XK_YXQZI",)}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field of a row."""

    code: str
    name: str
    message: str  # "中文 / English"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）：{self.message}"


@dataclass(slots=True)
class RowResult:
    """The outcome of validating one row."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required codes not given

    @property
    def compliant(self) -> bool:
        """Passes every rule (合规)."""
        return not self.errors

    @property
    def complete(self) -> bool:
        """Every field the standard requires for this row is given (完整)."""
        return not self.missing

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD or YYYY/MM/DD (one separator throughout), else None."""
    if len(text) != 10 or text[4] != text[7] or text[4] not in "-/":
        return None
    try:
        return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None


def split_categories(text: str) -> list[str]:
    """处罚类别 split on ";" or "；" (blank parts dropped)."""
    return [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]


class RowValidator:
    """Checks rows of one kind; build once, call ``validate`` per row."""

    def __init__(self, kind: str, *, today: dt.date | None = None) -> None:
        self.kind = kind
        self.fields = n.layout(kind)
        self.by_code = n.FIELDS_BY_CODE[kind]
        self.today = today or clock.today()
        p = "CF" if kind == "penalty" else "XK"
        self.p = p
        self.c_category = f"{p}_XDR_LB"
        self.c_uscc = f"{p}_XDR_SHXYM"
        self.c_gszc = f"{p}_XDR_GSZC"
        self.c_frdb = f"{p}_FRDB"
        self.c_fr_type = f"{p}_FR_ZJLX"
        self.c_fr_number = f"{p}_FR_ZJHM"
        self.c_doc_type = f"{p}_XDR_ZJLX"
        self.c_doc_number = f"{p}_XDR_ZJHM"
        self.c_decision_date = n.DECISION_DATE[kind]
        self._texts = [f for f in self.fields if f.type == "text" and not f.uscc]
        self._usccs = [f for f in self.fields if f.uscc]
        self._dates = [f for f in self.fields if f.type == "date"]
        self._decimals = [f for f in self.fields if f.type == "decimal"]
        self._always = [f.code for f in self.fields if f.always_required]

    # -- helpers --------------------------------------------------------------------------

    def _error(self, result: RowResult, code: str, zh: str, en: str) -> None:
        result.errors.append(FieldError(code, self.by_code[code].name, f"{zh} / {en}"))

    def _require(self, result: RowResult, code: str, condition_zh: str, condition_en: str) -> None:
        result.missing.append(code)
        f = self.by_code[code]
        zh = f"{condition_zh}，{f.name}为必填项" if condition_zh else f"{f.name}为必填项"
        self._error(result, code, zh, f"{f.english} is required {condition_en}".rstrip())

    # -- the row --------------------------------------------------------------------------

    def validate(self, row: Mapping[str, Any]) -> RowResult:
        """Check one row (field code → raw value) and return cleaned values and errors."""
        result = RowResult(self.kind)
        raw: dict[str, str] = {}
        for code in self.by_code:
            value = row.get(code)
            if value is None:
                continue
            text = value.strip() if isinstance(value, str) else str(value).strip()
            if text:
                raw[code] = text
        values = result.values

        for code in self._always:
            if code not in raw:
                self._require(result, code, "", "")

        for f in self._texts:
            given = raw.get(f.code)
            if given is None:
                continue
            if f.max_length is not None and len(given) > f.max_length:
                self._error(
                    result,
                    f.code,
                    f"不能超过{f.max_length}个字符（实为{len(given)}个）",
                    f"must be at most {f.max_length} characters (got {len(given)})",
                )
            values[f.code] = given

        category = self._party(raw, result)
        self._codes(raw, result, category)
        self._documents(raw, result, category)
        self._dates_check(raw, result)
        self._amounts(raw, result)
        if self.kind == "penalty":
            self._penalty(raw, result)
        else:
            self._licence(raw, result)
        return result

    def _party(self, raw: dict[str, str], result: RowResult) -> str | None:
        text = raw.get(self.c_category)
        if text is None:
            return None
        if text not in n.PARTY_CATEGORIES:
            self._error(
                result,
                self.c_category,
                f"应为 {'、'.join(n.PARTY_CATEGORIES)} 之一（实为 {text}）",
                "must be one of 法人及非法人组织 (legal person or organisation), "
                "自然人 (natural person), 个体工商户 (sole trader)",
            )
            return None
        result.values[self.c_category] = text
        return text

    def _codes(self, raw: dict[str, str], result: RowResult, category: str | None) -> None:
        for f in self._usccs:
            text = raw.get(f.code)
            if text is None:
                continue
            if f.code == self.c_uscc and is_uscc_placeholder(text):
                if category == n.PARTY_SOLE_TRADER:
                    result.values[f.code] = USCC_PLACEHOLDER
                    continue
                self._error(
                    result,
                    f.code,
                    "17个0加X的占位符只适用于无统一社会信用代码的个体工商户",
                    "the 17-zeros-plus-X placeholder is only for sole traders without a code",
                )
                continue
            try:
                result.values[f.code] = validate_uscc(text).code
            except IdentifierError as error:
                self._error(result, f.code, error.zh, error.en)
        uscc = raw.get(self.c_uscc)
        if category in (n.PARTY_ORGANISATION, n.PARTY_SOLE_TRADER) and uscc is None:
            self._require(result, self.c_uscc, f"行政相对人类别为{category}时", f"for a {category}")
        if uscc is not None and is_uscc_placeholder(uscc) and self.c_gszc not in raw:
            self._require(
                result,
                self.c_gszc,
                "统一社会信用代码为17个0加X时",
                "when the credit code is the placeholder",
            )
        if category == n.PARTY_ORGANISATION and self.c_frdb not in raw:
            self._require(
                result,
                self.c_frdb,
                "行政相对人类别为法人及非法人组织时",
                "for a legal person or organisation",
            )

    def _document_pair(
        self, raw: dict[str, str], result: RowResult, type_code: str, number_code: str
    ) -> None:
        """A (证件类型, 证件号码) pair: both or neither; the number checked for its type."""
        type_text, number = raw.get(type_code), raw.get(number_code)
        if type_text is None and number is None:
            return
        if type_text is None:
            self._require(result, type_code, "填写证件号码时", "with a document number")
            return
        document_type = n.DOCUMENT_TYPES.get(type_text)
        if document_type is None:
            self._error(
                result,
                type_code,
                f"应为 {'、'.join(n.DOCUMENT_TYPE_NAMES.values())} 之一（实为 {type_text}）",
                "document type must be one of " + ", ".join(n.DOCUMENT_TYPE_NAMES.values()),
            )
            result.values.pop(type_code, None)
        else:
            result.values[type_code] = n.DOCUMENT_TYPE_NAMES[document_type]
        if number is None:
            self._require(result, number_code, "填写证件类型时", "with a document type")
            return
        if document_type is None:
            result.values.pop(number_code, None)
            return
        try:
            result.values[number_code] = validate_document(
                document_type, number, today=self.today
            ).number
        except IdentifierError as error:
            result.values.pop(number_code, None)
            self._error(result, number_code, error.zh, error.en)

    def _documents(self, raw: dict[str, str], result: RowResult, category: str | None) -> None:
        if category == n.PARTY_PERSON:
            for code in (self.c_doc_type, self.c_doc_number):
                if code not in raw:
                    self._require(result, code, "行政相对人类别为自然人时", "for a natural person")
        self._document_pair(raw, result, self.c_doc_type, self.c_doc_number)
        self._document_pair(raw, result, self.c_fr_type, self.c_fr_number)

    def _dates_check(self, raw: dict[str, str], result: RowResult) -> None:
        for f in self._dates:
            text = raw.get(f.code)
            if text is None:
                continue
            day = parse_date(text)
            if day is None or day.year < FIRST_DECISION_YEAR:
                self._error(
                    result,
                    f.code,
                    f"应为日期 YYYY-MM-DD 或 YYYY/MM/DD（实为 {text}）",
                    f"must be a date as YYYY-MM-DD or YYYY/MM/DD (got {text})",
                )
                continue
            result.values[f.code] = day
        decided = result.values.get(self.c_decision_date)
        if decided is not None and decided > self.today:
            self._error(
                result,
                self.c_decision_date,
                "决定日期不能晚于今天",
                "the decision date cannot be in the future",
            )
            decided = None
        if decided is None:
            return
        for code in END_DATES[self.kind]:
            end = result.values.get(code)
            if end is not None and end < decided:
                f = self.by_code[code]
                self._error(
                    result,
                    code,
                    f"{f.name}不能早于决定日期",
                    f"{f.english} cannot be before the decision date",
                )
        start, end = result.values.get("XK_YXQZ"), result.values.get("XK_YXQZI")
        if start is not None and end is not None and end < start:
            self._error(
                result,
                "XK_YXQZI",
                "有效期至不能早于有效期自",
                "valid until cannot be before valid from",
            )

    def _amounts(self, raw: dict[str, str], result: RowResult) -> None:
        for f in self._decimals:
            text = raw.get(f.code)
            if text is None:
                continue
            try:
                amount = Decimal(text.replace(",", ""))
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite():
                self._error(
                    result,
                    f.code,
                    f"应为以万元计的数字（实为 {text}）",
                    f"must be a number in 10,000 yuan (got {text})",
                )
                continue
            exponent = amount.as_tuple().exponent
            places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
            if places > AMOUNT_PLACES:
                self._error(
                    result,
                    f.code,
                    f"以万元计，最多{AMOUNT_PLACES}位小数（实为{places}位）",
                    f"in 10,000 yuan with at most {AMOUNT_PLACES} decimal places (got {places})",
                )
                continue
            if amount < 0:
                self._error(result, f.code, "不能为负数", "cannot be negative")
                continue
            if amount.adjusted() >= AMOUNT_MAX_DIGITS - AMOUNT_PLACES:
                self._error(
                    result,
                    f.code,
                    "金额过大（以万元计，整数部分最多12位）",
                    "amount too large (in 10,000 yuan, at most 12 digits before the point)",
                )
                continue
            result.values[f.code] = amount

    def _penalty(self, raw: dict[str, str], result: RowResult) -> None:
        text = raw.get("CF_CFLB")
        if text is None:
            return
        parts = split_categories(text)
        wrong = [part for part in parts if part not in n.ACCEPTED_PENALTY_CATEGORIES]
        if wrong or not parts:
            shown = "、".join(wrong) or text
            self._error(
                result,
                "CF_CFLB",
                f"处罚类别 {shown} 不在《行政处罚法》第九条所列种类中（多个类别以;分隔）",
                f"penalty category {shown} is not one of the kinds in article 9 of the "
                "Administrative Penalty Law (separate several with ;)",
            )
            return
        joined = ";".join(parts)
        if len(joined) > 36:
            self._error(
                result,
                "CF_CFLB",
                f"不能超过36个字符（实为{len(joined)}个）",
                f"must be at most 36 characters (got {len(joined)})",
            )
        result.values["CF_CFLB"] = joined
        if "罚款" in parts:
            fine = result.values.get("CF_NR_FK")
            if "CF_NR_FK" not in raw:
                self._require(result, "CF_NR_FK", "处罚类别含罚款时", "when the penalty is a fine")
            elif fine is not None and fine <= 0:
                self._error(
                    result,
                    "CF_NR_FK",
                    "处罚类别含罚款时，罚款金额应大于0",
                    "the fine must be more than 0 when the penalty is a fine",
                )
        if any(part.startswith("没收") for part in parts) and "CF_NR_WFFF" not in raw:
            self._require(
                result, "CF_NR_WFFF", "处罚类别含没收时", "when the penalty includes confiscation"
            )
        if any("暂扣" in part or "吊销" in part for part in parts) and "CF_NR_ZKDX" not in raw:
            self._require(
                result,
                "CF_NR_ZKDX",
                "处罚类别含暂扣或吊销时",
                "when a licence is suspended or revoked",
            )

    def _licence(self, raw: dict[str, str], result: RowResult) -> None:
        for code, allowed in (("XK_XKLB", n.LICENCE_CATEGORIES), ("XK_ZT", n.LICENCE_STATUSES)):
            text = raw.get(code)
            if text is None:
                continue
            if text in allowed:
                result.values[code] = text
            else:
                shown = "、".join(allowed)
                self._error(
                    result,
                    code,
                    f"应为 {shown} 之一（实为 {text}）",
                    f"must be one of {', '.join(allowed)}",
                )


def validate_row(kind: str, row: Mapping[str, Any], *, today: dt.date | None = None) -> RowResult:
    """Check one row of ``kind`` (for many rows, build a ``RowValidator`` once)."""
    return RowValidator(kind, today=today).validate(row)


def is_long_term(day: dt.date | None) -> bool:
    """Whether a validity end means 长期 (2099-12-31)."""
    return day == LONG_TERM
