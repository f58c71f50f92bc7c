"""The 信用承诺信息 layout the provincial platform takes (domain rules §4.2 with §12's correction).

A commitment is reported once when it is made (``add``) and again at every change of its
supervision state or fulfilment result (``change``), each change under its own idempotency key.
The field codes are the standard's (the provincial data template's names). The standard keeps
two separate fields that a careless layout mixes up: the supervision state (承诺监管状态: 监管中 →
监管完成) and the fulfilment result (承诺履行状态: 全部履行 / 部分履行 / 全部未履行, blank until it
is decided). The platform refuses a row that puts a supervision word in the fulfilment field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LayoutField:
    code: str
    chinese: str
    english: str
    required: bool = False


COMMITMENT_FIELDS: tuple[LayoutField, ...] = (
    LayoutField("code", "承诺编码", "commitment code", required=True),
    LayoutField("subjectName", "承诺人名称", "committing party", required=True),
    LayoutField("subjectCategory", "承诺人类别", "party category", required=True),
    LayoutField("identify", "承诺人代码", "party's code or document number", required=True),
    LayoutField("commitmentTypeId", "承诺类型", "commitment type", required=True),
    LayoutField("reason", "承诺事由", "matter", required=True),
    LayoutField("content", "承诺内容", "content", required=True),
    LayoutField("liabilityBreachCommitment", "违诺责任", "liability for breach", required=True),
    LayoutField("commitmentDate", "承诺作出日期", "date made", required=True),
    LayoutField("commitmentValidity", "承诺有效期", "valid until"),
    LayoutField("superviseStatus", "承诺监管状态", "supervision state", required=True),
    LayoutField("fulfillmentStatus", "承诺履行状态", "fulfilment result"),
    LayoutField("unperformedCommitmentContent", "未履行的承诺内容", "content not fulfilled"),
    LayoutField("liabilityBreachCommitmentContent", "违诺责任追究内容", "liability pursued"),
    LayoutField("fulfillmentStatusDate", "承诺履行状态认定日期", "fulfilment decided on"),
    LayoutField("acceptanceConfirmUnit", "承诺履行状态认定单位", "body that decided"),
    LayoutField("acceptanceConfirmUnitIdentify", "认定单位统一社会信用代码", "its credit code"),
    LayoutField("acceptanceUnit", "承诺受理单位", "accepting body", required=True),
    LayoutField(
        "acceptanceUnitIdentify", "受理单位统一社会信用代码", "its credit code", required=True
    ),
    LayoutField("publicationType", "公开类型", "publication type", required=True),
    LayoutField("remarks", "备注", "remarks"),
)
COMMITMENT_COLUMNS = tuple(f.code for f in COMMITMENT_FIELDS)
COMMITMENT_REQUIRED = tuple(f.code for f in COMMITMENT_FIELDS if f.required)
# A natural person's document number travels sealed like the decisions' (rows.SEALED_FIELDS);
# an organisation's credit code in the same field is sealed too, so the rule has no exception.
IDENTITY_FIELD = "identify"
CREDIT_CODE_FIELDS = ("acceptanceUnitIdentify", "acceptanceConfirmUnitIdentify")

PARTY_CATEGORIES = ("法人及非法人组织", "自然人", "个体工商户")
COMMITMENT_TYPES = (
    "审批替代型",
    "容缺受理型",
    "证明事项型",
    "信用修复型",
    "行业自律型",
    "主动型",
    "其他",
)
SUPERVISION_STATES = ("监管中", "监管完成")
FULFILMENT_RESULTS = ("全部履行", "部分履行", "全部未履行")
UNFULFILLED_RESULTS = ("部分履行", "全部未履行")
PUBLICATION_TYPES = ("可向社会公开", "特定范围内公开", "不可公开")

# 6-digit region of the accepting body + 8-digit date made + 6-digit serial (§4.2).
CODE_PATTERN = re.compile(r"^(\d{6})(\d{8})(\d{6})$")


def commitment_key(code: str, revision: int) -> str:
    """The idempotency key of one report of a commitment: revision 1 is the commitment as made,
    each later revision a change of its supervision state or fulfilment result."""
    return f"CN|{code}|{revision}"


def code_date(code: str) -> dt.date | None:
    """The date a well-formed commitment code carries, or None when the code is not one."""
    match = CODE_PATTERN.match(code)
    if not match:
        return None
    digits = match.group(2)
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
