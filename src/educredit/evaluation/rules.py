"""The checks of an evaluation standard's rules against the catalog in force on its date.

A records rule: ``{"items": [codes], "where": {field: [values]}, "window_months": 12,
"aggregate": "count" | "sum" | "exists", "field": <numeric payload field, for sum>,
"deduct_per": 10 | "award_per": 10, "cap": 40, "decay": {"half_life_months": 12}}`` (all but
``items`` and ``aggregate`` optional). An input rule: ``{"input": "public_grade" |
"annual_inspection", "map": {grade: points}}``. A red line's rule: ``{"list": <CreditListKind>}``
or ``{"items": [...], "where": {...}, "window_months": 12}``.

Each check returns the problems (``Bilingual``) found, naming the rule's subject; an empty list
is a valid rule.
"""

from __future__ import annotations

import datetime
from typing import Any

from educredit.catalog.models import CatalogItem
from educredit.catalog.selectors import current_catalog_version
from educredit.core.i18n import Bilingual
from educredit.records.choices import CreditListKind

AGGREGATES = ("count", "sum", "exists")
INPUTS = ("public_grade", "annual_inspection")
NUMERIC_TYPES = ("decimal", "integer")
RECORD_KEYS = {
    "items",
    "where",
    "window_months",
    "aggregate",
    "field",
    "deduct_per",
    "award_per",
    "cap",
    "decay",
}
RED_LINE_KEYS = {"items", "where", "window_months", "list"}


def _items(as_of: datetime.date) -> dict[str, CatalogItem]:
    version = current_catalog_version(as_of)
    if version is None:
        return {}
    return {item.code: item for item in version.items.all()}


def _fields(item: CatalogItem) -> dict[str, dict[str, Any]]:
    return {str(f.get("name")): f for f in item.field_schema or []}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _records_problems(
    rule: dict[str, Any], as_of: datetime.date, who: Bilingual, allowed: set[str]
) -> list[Bilingual]:
    problems: list[Bilingual] = []
    unknown_keys = sorted(set(rule) - allowed)
    if unknown_keys:
        keys = ", ".join(unknown_keys)
        problems.append(
            Bilingual(f"{who.zh}：规则含未知的键 {keys}", f"{who.en}: unknown rule keys {keys}")
        )
    codes = rule.get("items")
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        return [
            *problems,
            Bilingual(
                f"{who.zh}：规则须列出目录条目", f"{who.en}: the rule must list catalog items"
            ),
        ]
    catalog = _items(as_of)
    items = []
    for code in codes:
        item = catalog.get(code)
        if item is None:
            problems.append(
                Bilingual(
                    f"{who.zh}：规则中的条目 {code} 不在 {as_of} 施行的目录中",
                    f"{who.en}: item {code} of the rule is not in the catalog in force on {as_of}",
                )
            )
        else:
            items.append(item)
    where = rule.get("where", {})
    if not isinstance(where, dict):
        problems.append(
            Bilingual(
                f"{who.zh}：where 须为字段到取值列表的映射",
                f"{who.en}: where must map fields to value lists",
            )
        )
        where = {}
    for name, values in where.items():
        for item in items:
            spec = _fields(item).get(name)
            if spec is None:
                problems.append(
                    Bilingual(
                        f"{who.zh}：条目 {item.code} 没有信息项 {name}",
                        f"{who.en}: item {item.code} has no field {name}",
                    )
                )
                continue
            choices = spec.get("choices") or []
            if not isinstance(values, list) or not values:
                problems.append(
                    Bilingual(
                        f"{who.zh}：信息项 {name} 的取值须为非空列表",
                        f"{who.en}: the values of field {name} must be a non-empty list",
                    )
                )
                continue
            strange = [v for v in values if choices and v not in choices]
            if strange:
                listed = "、".join(str(v) for v in strange)
                problems.append(
                    Bilingual(
                        f"{who.zh}：条目 {item.code} 的信息项 {name} 没有取值 {listed}",
                        f"{who.en}: field {name} of item {item.code} has no value {listed}",
                    )
                )
    window = rule.get("window_months")
    if window is not None and (
        not isinstance(window, int) or isinstance(window, bool) or window <= 0
    ):
        problems.append(
            Bilingual(
                f"{who.zh}：统计期（月）须为正整数",
                f"{who.en}: window_months must be a positive whole number",
            )
        )
    return problems


def indicator_rule_problems(rule: Any, as_of: datetime.date, who: Bilingual) -> list[Bilingual]:
    """What is wrong with an indicator's ``rule`` for a standard effective ``as_of``."""
    if not isinstance(rule, dict):
        return [Bilingual(f"{who.zh}：规则须为对象", f"{who.en}: the rule must be an object")]
    if "input" in rule:
        problems = []
        if rule["input"] not in INPUTS:
            problems.append(
                Bilingual(
                    f"{who.zh}：未知的输入 {rule['input']}（可选：{'、'.join(INPUTS)}）",
                    f"{who.en}: unknown input {rule['input']} (one of {', '.join(INPUTS)})",
                )
            )
        mapping = rule.get("map")
        if (
            not isinstance(mapping, dict)
            or not mapping
            or not all(_number(v) for v in mapping.values())
        ):
            problems.append(
                Bilingual(
                    f"{who.zh}：输入规则须以 map 给出每个等级的分数",
                    f"{who.en}: an input rule needs a map of grade to points",
                )
            )
        extra = sorted(set(rule) - {"input", "map"})
        if extra:
            problems.append(
                Bilingual(
                    f"{who.zh}：规则含未知的键 {', '.join(extra)}",
                    f"{who.en}: unknown rule keys {', '.join(extra)}",
                )
            )
        return problems
    problems = _records_problems(rule, as_of, who, RECORD_KEYS)
    aggregate = rule.get("aggregate")
    if aggregate not in AGGREGATES:
        problems.append(
            Bilingual(
                f"{who.zh}：汇总方式须为 {'、'.join(AGGREGATES)} 之一",
                f"{who.en}: aggregate must be one of {', '.join(AGGREGATES)}",
            )
        )
    if aggregate == "sum":
        name = rule.get("field")
        catalog = _items(as_of)
        if not isinstance(name, str) or not name:
            problems.append(
                Bilingual(
                    f"{who.zh}：求和须指定信息项 field", f"{who.en}: a sum must name its field"
                )
            )
        else:
            for code in rule.get("items") or []:
                item = catalog.get(code) if isinstance(code, str) else None
                if item is None:
                    continue
                spec = _fields(item).get(name)
                if spec is None:
                    problems.append(
                        Bilingual(
                            f"{who.zh}：条目 {code} 没有信息项 {name}",
                            f"{who.en}: item {code} has no field {name}",
                        )
                    )
                elif spec.get("type") not in NUMERIC_TYPES:
                    problems.append(
                        Bilingual(
                            f"{who.zh}：不能对非数值信息项 {code}.{name} 求和",
                            f"{who.en}: cannot sum the non-numeric field {code}.{name}",
                        )
                    )
    if "deduct_per" in rule and "award_per" in rule:
        problems.append(
            Bilingual(
                f"{who.zh}：扣分与加分不能同时设置",
                f"{who.en}: deduct_per and award_per exclude each other",
            )
        )
    for key in ("deduct_per", "award_per", "cap"):
        if key in rule and not _number(rule[key]):
            problems.append(
                Bilingual(
                    f"{who.zh}：{key} 须为非负数", f"{who.en}: {key} must be a non-negative number"
                )
            )
    decay = rule.get("decay")
    if decay is not None and (
        not isinstance(decay, dict)
        or not _number(decay.get("half_life_months"))
        or not decay["half_life_months"]
    ):
        problems.append(
            Bilingual(
                f"{who.zh}：衰减须给出正的半衰期（月）",
                f"{who.en}: decay needs a positive half_life_months",
            )
        )
    return problems


def red_line_rule_problems(rule: Any, as_of: datetime.date, who: Bilingual) -> list[Bilingual]:
    """What is wrong with a red line's ``rule`` for a standard effective ``as_of``."""
    if not isinstance(rule, dict):
        return [Bilingual(f"{who.zh}：规则须为对象", f"{who.en}: the rule must be an object")]
    if "list" in rule:
        kinds = CreditListKind.values
        if rule["list"] not in kinds:
            return [
                Bilingual(
                    f"{who.zh}：未知的名单 {rule['list']}（可选：{'、'.join(kinds)}）",
                    f"{who.en}: unknown list {rule['list']} (one of {', '.join(kinds)})",
                )
            ]
        extra = sorted(set(rule) - {"list"})
        return (
            [
                Bilingual(
                    f"{who.zh}：规则含未知的键 {', '.join(extra)}",
                    f"{who.en}: unknown rule keys {', '.join(extra)}",
                )
            ]
            if extra
            else []
        )
    return _records_problems(rule, as_of, who, RED_LINE_KEYS)
