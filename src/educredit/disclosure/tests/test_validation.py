"""Validation of national rows: each rule of domain rules §1.1–1.3, table-driven."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from educredit.disclosure import national as n
from educredit.disclosure.tests.rows import (
    RESIDENT_ID,
    SOLE_TRADER_USCC,
    TODAY,
    licence_row,
    penalty_row,
)
from educredit.disclosure.validation import RowValidator, validate_row

PERSON = {
    "CF_XDR_LB": "自然人",
    "CF_XDR_MC": "李四",
    "CF_XDR_SHXYM": "",
    "CF_FRDB": "",
    "CF_XDR_ZJLX": "身份证",
    "CF_XDR_ZJHM": RESIDENT_ID,
}


def check(kind: str, row: dict[str, str]) -> tuple[set[str], dict[str, object]]:
    result = validate_row(kind, row, today=TODAY)
    return {e.code for e in result.errors}, result.values


def test_valid_rows_pass_and_are_cleaned() -> None:
    result = validate_row("penalty", penalty_row(CF_CFLB="警告；罚款"), today=TODAY)
    assert result.errors == []
    assert result.compliant and result.complete
    assert result.values["CF_JDRQ"] == dt.date(2026, 4, 1)
    assert result.values["CF_NR_FK"] == Decimal("3.5")
    assert result.values["CF_CFLB"] == "警告;罚款"

    licence = validate_row("licence", licence_row(), today=TODAY)
    assert licence.errors == []
    assert licence.values["XK_YXQZI"] == dt.date(2099, 12, 31)
    assert licence.values["XK_JDRQ"] == dt.date(2026, 4, 1)


def test_a_natural_person_row_passes_with_their_document() -> None:
    errors, values = check("penalty", penalty_row(**PERSON))
    assert errors == set()
    assert values["CF_XDR_ZJHM"] == RESIDENT_ID and values["CF_XDR_ZJLX"] == "身份证"


PENALTY_CASES = [
    # (what, changes, codes with errors)
    ("name missing", {"CF_XDR_MC": " "}, {"CF_XDR_MC"}),
    ("name too long", {"CF_XDR_MC": "校" * 201}, {"CF_XDR_MC"}),
    ("unknown party category", {"CF_XDR_LB": "法人"}, {"CF_XDR_LB"}),
    ("bad USCC check digit", {"CF_XDR_SHXYM": "91410100MA44BCDE16"}, {"CF_XDR_SHXYM"}),
    ("organisation without USCC", {"CF_XDR_SHXYM": ""}, {"CF_XDR_SHXYM"}),
    ("organisation without 法定代表人", {"CF_FRDB": ""}, {"CF_FRDB"}),
    (
        "placeholder for a sole trader needs 工商注册号",
        {"CF_XDR_LB": "个体工商户", "CF_XDR_SHXYM": "00000000000000000x", "CF_FRDB": ""},
        {"CF_XDR_GSZC"},
    ),
    (
        "placeholder for a sole trader with 工商注册号",
        {
            "CF_XDR_LB": "个体工商户",
            "CF_XDR_SHXYM": "00000000000000000X",
            "CF_XDR_GSZC": "410102600123456",
            "CF_FRDB": "",
        },
        set(),
    ),
    (
        "placeholder for an organisation",
        {"CF_XDR_SHXYM": "00000000000000000X"},
        {"CF_XDR_SHXYM", "CF_XDR_GSZC"},
    ),
    (
        "sole trader with a real code",
        {"CF_XDR_LB": "个体工商户", "CF_XDR_SHXYM": SOLE_TRADER_USCC, "CF_FRDB": ""},
        set(),
    ),
    ("person without document", {**PERSON, "CF_XDR_ZJHM": ""}, {"CF_XDR_ZJHM"}),
    ("person without type", {**PERSON, "CF_XDR_ZJLX": ""}, {"CF_XDR_ZJLX"}),
    ("person with a bad ID", {**PERSON, "CF_XDR_ZJHM": "410105199003071230"}, {"CF_XDR_ZJHM"}),
    ("person with an unknown type", {**PERSON, "CF_XDR_ZJLX": "驾驶证"}, {"CF_XDR_ZJLX"}),
    (
        "person with a passport",
        {**PERSON, "CF_XDR_ZJLX": "护照", "CF_XDR_ZJHM": "E12345678"},
        set(),
    ),
    ("legal representative's number alone", {"CF_FR_ZJHM": RESIDENT_ID}, {"CF_FR_ZJLX"}),
    ("legal representative's type alone", {"CF_FR_ZJLX": "身份证"}, {"CF_FR_ZJHM"}),
    (
        "legal representative's bad ID",
        {"CF_FR_ZJLX": "身份证", "CF_FR_ZJHM": "41010519900307123"},
        {"CF_FR_ZJHM"},
    ),
    ("no 文书号", {"CF_WSH": ""}, {"CF_WSH"}),
    ("date with slashes", {"CF_JDRQ": "2026/04/01", "CF_YXQ": "2027/04/01"}, set()),
    ("date in another format", {"CF_JDRQ": "2026.04.01"}, {"CF_JDRQ"}),
    ("date mixing separators", {"CF_JDRQ": "2026-04/01"}, {"CF_JDRQ"}),
    ("impossible date", {"CF_JDRQ": "2026-02-30"}, {"CF_JDRQ"}),
    ("compact date", {"CF_JDRQ": "20260401"}, {"CF_JDRQ"}),
    ("decision in the future", {"CF_JDRQ": "2026-04-21"}, {"CF_JDRQ"}),
    ("validity end before decision", {"CF_YXQ": "2026-03-31"}, {"CF_YXQ"}),
    ("validity end on decision day", {"CF_YXQ": "2026-04-01"}, set()),
    ("publication end before decision", {"CF_GSJZQ": "2026-01-01"}, {"CF_GSJZQ"}),
    ("long-term validity", {"CF_YXQ": "2099-12-31"}, set()),
    ("fine with six decimals", {"CF_NR_FK": "3.472365"}, set()),
    ("fine with seven decimals", {"CF_NR_FK": "3.4723651"}, {"CF_NR_FK"}),
    ("fine not a number", {"CF_NR_FK": "三万"}, {"CF_NR_FK"}),
    ("fine negative", {"CF_NR_FK": "-1"}, {"CF_NR_FK"}),
    ("fine zero", {"CF_NR_FK": "0"}, {"CF_NR_FK"}),
    ("fine too large", {"CF_NR_FK": "1234567890123"}, {"CF_NR_FK"}),
    ("fine missing", {"CF_NR_FK": ""}, {"CF_NR_FK"}),
    ("warning needs no fine", {"CF_CFLB": "警告", "CF_NR_FK": ""}, set()),
    ("category outside §9", {"CF_CFLB": "警告;罚金"}, {"CF_CFLB"}),
    ("empty categories", {"CF_CFLB": ";"}, {"CF_CFLB"}),
    ("confiscation needs an amount", {"CF_CFLB": "没收违法所得", "CF_NR_FK": ""}, {"CF_NR_WFFF"}),
    (
        "confiscation with amount",
        {"CF_CFLB": "没收非法财物", "CF_NR_FK": "", "CF_NR_WFFF": "0.2"},
        set(),
    ),
    ("revocation needs the licence", {"CF_CFLB": "吊销许可证件", "CF_NR_FK": ""}, {"CF_NR_ZKDX"}),
    ("suspension needs the licence", {"CF_CFLB": "暂扣许可证件"}, {"CF_NR_ZKDX"}),
    (
        "revocation with the licence",
        {"CF_CFLB": "吊销许可证件", "CF_NR_ZKDX": "办学许可证 教民141010270000123号"},
        set(),
    ),
    (
        "categories too long",
        {"CF_CFLB": "警告;通报批评;罚款;降低资质等级;限制开展生产经营活动;责令关闭;限制从业"},
        {"CF_CFLB"},
    ),
    ("issuing body USCC invalid", {"CF_CFJGDM": "11410102005566778B"}, {"CF_CFJGDM"}),
    ("issuing body USCC missing", {"CF_CFJGDM": ""}, {"CF_CFJGDM"}),
    ("data source missing", {"CF_SJLY": ""}, {"CF_SJLY"}),
    ("data source USCC invalid", {"CF_SJLYDM": "123"}, {"CF_SJLYDM"}),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [c[1:] for c in PENALTY_CASES], ids=[c[0] for c in PENALTY_CASES]
)
def test_penalty_rules(changes: dict[str, str], expected: set[str]) -> None:
    errors, _ = check("penalty", penalty_row(**changes))
    assert errors == expected


LICENCE_CASES = [
    ("unknown licence category", {"XK_XKLB": "一般"}, {"XK_XKLB"}),
    ("other category", {"XK_XKLB": "其他"}, set()),
    ("bad status", {"XK_ZT": "有效"}, {"XK_ZT"}),
    ("no 文书号", {"XK_WSH": ""}, {"XK_WSH"}),
    ("no content", {"XK_NR": ""}, {"XK_NR"}),
    ("end before decision", {"XK_YXQZI": "2026/03/01"}, {"XK_YXQZI"}),
    ("end before start", {"XK_YXQZ": "2026/05/01", "XK_YXQZI": "2026/04/20"}, {"XK_YXQZI"}),
    ("authority USCC invalid", {"XK_XKJGDM": "114101020055667780"}, {"XK_XKJGDM"}),
    ("source USCC missing", {"XK_LYDWDM": ""}, {"XK_LYDWDM"}),
    ("document name optional", {"XK_XKWS": ""}, set()),
    (
        "placeholder USCC needs 工商注册号",
        {"XK_XDR_LB": "个体工商户", "XK_XDR_SHXYM": "00000000000000000X", "XK_FRDB": ""},
        {"XK_XDR_GSZC"},
    ),
    (
        "natural person needs a document",
        {"XK_XDR_LB": "自然人", "XK_XDR_SHXYM": "", "XK_FRDB": ""},
        {"XK_XDR_ZJLX", "XK_XDR_ZJHM"},
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [c[1:] for c in LICENCE_CASES], ids=[c[0] for c in LICENCE_CASES]
)
def test_licence_rules(changes: dict[str, str], expected: set[str]) -> None:
    errors, _ = check("licence", licence_row(**changes))
    assert errors == expected


def test_errors_name_code_chinese_name_and_speak_both_languages() -> None:
    result = validate_row("penalty", penalty_row(CF_NR_FK="", CF_CFJGDM="X"), today=TODAY)
    by_code = {e.code: e for e in result.errors}
    assert by_code["CF_NR_FK"].name == "罚款金额（万元）"
    for error in result.errors:
        zh, _, en = error.message.partition(" / ")
        assert zh and en, error.message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        assert en.isascii()


def test_completeness_is_distinct_from_compliance() -> None:
    # Every required field given, one badly: complete but not compliant.
    bad_code = validate_row("penalty", penalty_row(CF_XDR_SHXYM="91410100MA44BCDE16"), today=TODAY)
    assert bad_code.complete and not bad_code.compliant
    # A required field left out (here the fine its category calls for): neither.
    no_fine = validate_row("penalty", penalty_row(CF_NR_FK=""), today=TODAY)
    assert not no_fine.complete and not no_fine.compliant
    assert no_fine.missing == ["CF_NR_FK"]
    # Optional fields left out do not make a row incomplete.
    assert validate_row("licence", licence_row(XK_XKZS="", XK_XKBH=""), today=TODAY).complete


def test_missing_keys_and_none_count_as_not_given() -> None:
    row: dict[str, str | None] = dict(penalty_row())
    del row["CF_SY"]
    row["CF_YJ"] = None
    result = validate_row("penalty", row, today=TODAY)
    assert set(result.missing) == {"CF_SY", "CF_YJ"}


def test_unknown_codes_are_ignored_and_values_trimmed() -> None:
    result = validate_row(
        "penalty", {**penalty_row(CF_XDR_MC="  某某学校 "), "XK_WSH": "x"}, today=TODAY
    )
    assert result.values["CF_XDR_MC"] == "某某学校"
    assert "XK_WSH" not in result.values


def test_a_validator_is_reusable_across_rows() -> None:
    validator = RowValidator("penalty", today=TODAY)
    first = validator.validate(penalty_row(CF_WSH=""))
    second = validator.validate(penalty_row())
    assert first.errors and not second.errors


def test_every_field_condition_is_known() -> None:
    for fields in n.LAYOUTS.values():
        for f in fields:
            assert f.required in n.REQUIRED_CONDITIONS
