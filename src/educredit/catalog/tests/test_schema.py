"""Field schemas and the validation of record payloads against them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from educredit.catalog.data import VERSION_1_ITEMS
from educredit.catalog.schema import (
    PayloadError,
    SchemaError,
    public_fields,
    validate_field_schema,
    validate_payload,
)
from educredit.core.i18n import Bilingual

PENALTY = SimpleNamespace(
    field_schema=next(i for i in VERSION_1_ITEMS if i["code"] == "JY-CF-02")["field_schema"]
)
VALID_USCC = "91350100M000100Y43"


def item_with(*fields: dict[str, object]) -> SimpleNamespace:
    return SimpleNamespace(field_schema=list(fields))


def test_every_shipped_schema_is_valid():
    for item in VERSION_1_ITEMS:
        assert validate_field_schema(item["field_schema"]) == item["field_schema"]


def test_a_missing_required_field_is_named_in_both_languages():
    with pytest.raises(PayloadError) as caught:
        validate_payload(PENALTY, {"violation_type": "无证办学"})
    errors = caught.value.errors
    message = errors["penalty_content"]
    assert isinstance(message, Bilingual)
    assert (message.zh, message.en) == ("处罚内容为必填项", "penalty content is required")
    # Shown in the reader's language only.
    assert str(message) == "处罚内容为必填项"
    with translation.override("en"):
        assert str(message) == "penalty content is required"
    assert "violation_type" not in errors


def test_a_valid_payload_comes_back_cleaned():
    payload = {
        "violation_type": " 无证办学 ",
        "violation_facts": "未经批准举办培训机构",
        "penalty_basis": "《民办教育促进法》第六十四条",
        "penalty_category": "罚款",
        "penalty_content": "罚款2万元",
        "fine_amount": "2.000000",
        "valid_until": "2027/03/01",
        "remarks": "",
    }
    cleaned = validate_payload(PENALTY, payload)
    assert cleaned["violation_type"] == "无证办学"
    assert cleaned["fine_amount"] == "2.000000"
    assert cleaned["valid_until"] == "2027-03-01"
    assert "remarks" not in cleaned


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ({"name": "d", "label": "日期", "type": "date"}, "2026-02-30", "应为日期"),
        ({"name": "n", "label": "金额", "type": "decimal"}, "一万", "应为数字"),
        ({"name": "i", "label": "年度", "type": "integer"}, "2026.5", "应为整数"),
        ({"name": "b", "label": "已缴", "type": "boolean"}, "也许", "应为是或否"),
        ({"name": "c", "label": "等级", "type": "choice", "choices": ["A", "B"]}, "C", "A、B"),
        ({"name": "t", "label": "内容", "type": "text", "max_length": 3}, "四个字符", "不能超过 3"),
        ({"name": "u", "label": "机关代码", "type": "uscc"}, "91350100M000100Y4X", "机关代码"),
    ],
)
def test_each_type_rejects_a_bad_value_bilingually(field, value, fragment):
    with pytest.raises(PayloadError) as caught:
        validate_payload(item_with(field), {field["name"]: value})
    message = caught.value.errors[field["name"]]
    assert isinstance(message, Bilingual)
    assert fragment in message.zh and message.en and str(message) == message.zh


def test_types_clean_good_values():
    item = item_with(
        {"name": "i", "label": "年度", "type": "integer"},
        {"name": "b", "label": "已缴", "type": "boolean"},
        {"name": "u", "label": "代码", "type": "uscc"},
    )
    assert validate_payload(item, {"i": "2026", "b": "是", "u": VALID_USCC.lower()}) == {
        "i": 2026,
        "b": True,
        "u": VALID_USCC,
    }


def test_unknown_keys_are_refused():
    with pytest.raises(PayloadError) as caught:
        validate_payload(item_with({"name": "a", "label": "甲", "type": "text"}), {"zzz": "1"})
    assert "zzz" in caught.value.errors


@pytest.mark.parametrize(
    "schema",
    [
        "not a list",
        [{"name": "A", "label": "甲", "type": "text"}],
        [{"name": "a", "label": "", "type": "text"}],
        [{"name": "a", "label": "甲", "type": "money"}],
        [{"name": "a", "label": "甲", "type": "choice"}],
        [{"name": "a", "label": "甲", "type": "text", "choices": ["x"]}],
        [{"name": "a", "label": "甲", "type": "text", "max_length": -1}],
        [
            {"name": "a", "label": "甲", "type": "text"},
            {"name": "a", "label": "乙", "type": "date"},
        ],
    ],
)
def test_malformed_schemas_are_refused(schema):
    with pytest.raises(SchemaError):
        validate_field_schema(schema)


def test_public_fields_lists_only_public_ones():
    names = public_fields(PENALTY)
    assert "penalty_content" in names
    assert "remarks" not in names and "data_source" not in names


def test_a_schema_edited_in_place_is_checked_again():
    # validate_payload remembers checked schemas (an import checks a million payloads against
    # one item); an edit to the same list object must still be seen.
    item = item_with({"name": "note", "label": "说明", "type": "text", "max_length": 5})
    assert validate_payload(item, {"note": "短"}) == {"note": "短"}
    item.field_schema[0]["max_length"] = 1
    with pytest.raises(PayloadError) as caught:
        validate_payload(item, {"note": "太长了"})
    assert "note" in caught.value.errors
    item.field_schema[0]["type"] = "money"
    with pytest.raises(SchemaError):
        validate_payload(item, {"note": "短"})
