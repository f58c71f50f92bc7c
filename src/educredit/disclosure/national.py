"""The national 双公示 layouts as data: 行政处罚 (CF_*, 30 fields) and 行政许可 (XK_*, 28 fields).

Field codes, Chinese names, types and lengths follow domain rules §1.1–1.2 (the "2.0" layout
the provincial platform 信用河南 takes). Each field says when it is required:

- ``ALWAYS`` / ``OPTIONAL``;
- ``ORGANISATION``: when 行政相对人类别 is 法人及非法人组织;
- ``NOT_PERSON``: when the party is not a natural person (法人及非法人组织、个体工商户);
- ``PERSON``: when the party is a natural person (自然人);
- ``PLACEHOLDER``: when the party's USCC is the 17-zeros-plus-X placeholder;
- ``PAIRED``: when the other half of a (document type, number) pair is given;
- ``FINE`` / ``CONFISCATION`` / ``LICENCE_ACTION``: when 处罚类别 includes 罚款 / 没收… /
  暂扣… or 吊销….

Natural persons' and legal representatives' document numbers are never published
(``published=False``). ``resolve_headers`` maps spreadsheet or API headers to codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["penalty", "licence"]
KINDS: tuple[Kind, ...] = ("penalty", "licence")
KIND_LABELS = {"penalty": "行政处罚", "licence": "行政许可"}

# --- required conditions --------------------------------------------------------------------
ALWAYS = "always"
OPTIONAL = "optional"
ORGANISATION = "organisation"
NOT_PERSON = "not_person"
PERSON = "person"
PLACEHOLDER = "placeholder"
PAIRED = "paired"
FINE = "fine"
CONFISCATION = "confiscation"
LICENCE_ACTION = "licence_action"

REQUIRED_CONDITIONS = {
    ALWAYS: "必填 / always",
    OPTIONAL: "选填 / optional",
    ORGANISATION: "类别为法人及非法人组织时必填 / when the party is a legal person or organisation",
    NOT_PERSON: "类别不是自然人时必填 / when the party is not a natural person",
    PERSON: "类别为自然人时必填 / when the party is a natural person",
    PLACEHOLDER: (
        "统一社会信用代码为17个0加X时必填 / when the credit code is the 17-zeros-plus-X placeholder"
    ),
    PAIRED: "证件类型与证件号码须同时填写 / document type and number go together",
    FINE: "处罚类别含罚款时必填 / when the categories include a fine",
    CONFISCATION: "处罚类别含没收时必填 / when the categories include confiscation",
    LICENCE_ACTION: (
        "处罚类别含暂扣或吊销时必填 / when the categories include suspending or revoking a licence"
    ),
}

# --- code tables ----------------------------------------------------------------------------
PARTY_ORGANISATION = "法人及非法人组织"
PARTY_PERSON = "自然人"
PARTY_SOLE_TRADER = "个体工商户"
PARTY_CATEGORIES = (PARTY_ORGANISATION, PARTY_PERSON, PARTY_SOLE_TRADER)

# 证件类型 as the platform writes them → the ``subjects.DocumentType`` value core validates.
DOCUMENT_TYPES: dict[str, str] = {
    "身份证": "resident_id",
    "居民身份证": "resident_id",
    "护照号": "passport",
    "护照": "passport",
    "港澳居民来往内地通行证": "hk_macao_permit",
    "台湾居民来往大陆通行证": "taiwan_permit",
    "外国人永久居留身份证": "foreign_prc",
}
# The name EduCredit writes for each document type (first of the aliases above).
DOCUMENT_TYPE_NAMES: dict[str, str] = {}
for _name, _value in DOCUMENT_TYPES.items():
    DOCUMENT_TYPE_NAMES.setdefault(_value, _name)

# 行政处罚法 (2021) §9; the 1996/2017 text's wording is still found on older decisions.
PENALTY_CATEGORIES = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
)
LEGACY_PENALTY_CATEGORIES = ("暂扣或者吊销许可证", "暂扣或者吊销执照", "没收违法所得、没收非法财物")
ACCEPTED_PENALTY_CATEGORIES = frozenset(PENALTY_CATEGORIES + LEGACY_PENALTY_CATEGORIES)

LICENCE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记", "其他")
LICENCE_STATUSES = {"1": "有效", "2": "无效"}  # XK_ZT: 2 = 撤销、注销、吊销

FieldType = Literal["text", "date", "decimal", "choice"]


@dataclass(frozen=True, slots=True)
class NationalField:
    """One field of a national layout."""

    code: str
    name: str
    type: FieldType
    max_length: int | None
    required: str = OPTIONAL
    published: bool = True
    choices: tuple[str, ...] = ()
    uscc: bool = False  # the value must be a valid 统一社会信用代码
    identity_number: bool = False  # sealed in the outbox, never published
    english: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def always_required(self) -> bool:
        return self.required == ALWAYS


F = NationalField


def _party_fields(prefix: str) -> list[NationalField]:
    """The 15 leading fields both layouts share (party, codes, representatives, documents)."""
    return [
        F(f"{prefix}_XDR_MC", "行政相对人名称", "text", 200, ALWAYS, english="party name"),
        F(
            f"{prefix}_XDR_LB",
            "行政相对人类别",
            "choice",
            100,
            ALWAYS,
            choices=PARTY_CATEGORIES,
            english="party category",
        ),
        F(
            f"{prefix}_XDR_SHXYM",
            "行政相对人代码_1（统一社会信用代码）",
            "text",
            18,
            NOT_PERSON,
            uscc=True,
            english="party's unified social credit code",
            aliases=("统一社会信用代码",),
        ),
        F(
            f"{prefix}_XDR_GSZC",
            "行政相对人代码_2（工商注册号）",
            "text",
            50,
            PLACEHOLDER,
            english="business registration number",
            aliases=("工商注册号",),
        ),
        F(
            f"{prefix}_XDR_ZZJG",
            "行政相对人代码_3（组织机构代码）",
            "text",
            32,
            english="organisation code",
            aliases=("组织机构代码",),
        ),
        F(
            f"{prefix}_XDR_SWDJ",
            "行政相对人代码_4（税务登记号）",
            "text",
            32,
            english="tax registration number",
            aliases=("税务登记号",),
        ),
        F(
            f"{prefix}_XDR_SYDW",
            "行政相对人代码_5（事业单位证书号）",
            "text",
            120,
            english="public institution certificate number",
            aliases=("事业单位证书号",),
        ),
        F(
            f"{prefix}_XDR_SHZZ",
            "行政相对人代码_6（社会组织登记证号）",
            "text",
            50,
            english="social organisation registration number",
            aliases=("社会组织登记证号",),
        ),
        F(f"{prefix}_FRDB", "法定代表人", "text", 50, ORGANISATION, english="legal representative"),
        F(
            f"{prefix}_FR_ZJLX",
            "法定代表人证件类型",
            "text",
            64,
            PAIRED,
            english="legal representative's document type",
        ),
        F(
            f"{prefix}_FR_ZJHM",
            "法定代表人证件号码",
            "text",
            32,
            PAIRED,
            published=False,
            identity_number=True,
            english="legal representative's document number",
            aliases=(f"{prefix}_FR_SFZH", "法定代表人身份证号"),
        ),
        F(
            f"{prefix}_XDR_ZJLX",
            "证件类型",
            "text",
            64,
            PERSON,
            english="document type",
        ),
        F(
            f"{prefix}_XDR_ZJHM",
            "证件号码",
            "text",
            64,
            PERSON,
            published=False,
            identity_number=True,
            english="document number",
        ),
    ]


PENALTY_FIELDS: tuple[NationalField, ...] = (
    *_party_fields("CF"),
    F("CF_WSH", "行政处罚决定书文号", "text", 128, ALWAYS, english="decision document number"),
    F("CF_WFXW", "违法行为类型", "text", None, ALWAYS, english="type of violation"),
    F("CF_SY", "违法事实", "text", None, ALWAYS, english="facts"),
    F("CF_YJ", "处罚依据", "text", None, ALWAYS, english="legal basis"),
    F(
        "CF_CFLB",
        "处罚类别",
        "choice",
        36,
        ALWAYS,
        choices=PENALTY_CATEGORIES,
        english="penalty category",
    ),
    F("CF_NR", "处罚内容", "text", None, ALWAYS, english="penalty content"),
    F(
        "CF_NR_FK",
        "罚款金额（万元）",
        "decimal",
        None,
        FINE,
        english="fine (10,000 yuan)",
        aliases=("罚款金额",),
    ),
    F(
        "CF_NR_WFFF",
        "没收违法所得、没收非法财物的金额（万元）",
        "decimal",
        None,
        CONFISCATION,
        english="confiscated amount (10,000 yuan)",
        aliases=("没收违法所得、没收非法财物的金额",),
    ),
    F(
        "CF_NR_ZKDX",
        "暂扣或吊销证照名称及编号",
        "text",
        200,
        LICENCE_ACTION,
        english="suspended or revoked licence",
    ),
    F("CF_JDRQ", "处罚决定日期", "date", None, ALWAYS, english="decision date"),
    F("CF_YXQ", "处罚有效期", "date", None, ALWAYS, english="validity end"),
    F("CF_GSJZQ", "公示截止期", "date", None, english="publication end"),
    F("CF_CFJG", "处罚机关", "text", 200, ALWAYS, english="deciding authority"),
    F(
        "CF_CFJGDM",
        "处罚机关统一社会信用代码",
        "text",
        18,
        ALWAYS,
        uscc=True,
        english="deciding authority's credit code",
    ),
    F("CF_SJLY", "数据来源单位", "text", 200, ALWAYS, english="data source"),
    F(
        "CF_SJLYDM",
        "数据来源单位统一社会信用代码",
        "text",
        18,
        ALWAYS,
        uscc=True,
        english="data source's credit code",
    ),
    F("BZ", "备注", "text", None, english="remarks"),
)

LICENCE_FIELDS: tuple[NationalField, ...] = (
    *_party_fields("XK"),
    F("XK_XKWS", "行政许可决定文书名称", "text", 200, english="decision document name"),
    F("XK_WSH", "行政许可决定文书号", "text", 128, ALWAYS, english="decision document number"),
    F(
        "XK_XKLB",
        "许可类别",
        "choice",
        256,
        ALWAYS,
        choices=LICENCE_CATEGORIES,
        english="licence category",
    ),
    F("XK_XKZS", "许可证书名称", "text", 64, english="certificate name"),
    F("XK_XKBH", "许可编号", "text", 64, english="licence number"),
    F("XK_NR", "许可内容", "text", 4000, ALWAYS, english="licence content"),
    F("XK_JDRQ", "许可决定日期", "date", None, ALWAYS, english="decision date"),
    F("XK_YXQZ", "有效期自", "date", None, ALWAYS, english="valid from"),
    F("XK_YXQZI", "有效期至", "date", None, ALWAYS, english="valid until"),
    F("XK_XKJG", "许可机关", "text", 200, ALWAYS, english="licensing authority"),
    F(
        "XK_XKJGDM",
        "许可机关统一社会信用代码",
        "text",
        18,
        ALWAYS,
        uscc=True,
        english="licensing authority's credit code",
    ),
    F(
        "XK_ZT",
        "当前状态",
        "choice",
        2,
        ALWAYS,
        choices=tuple(LICENCE_STATUSES),
        english="current status",
    ),
    F("XK_LYDW", "数据来源单位", "text", 200, ALWAYS, english="data source"),
    F(
        "XK_LYDWDM",
        "数据来源单位统一社会信用代码",
        "text",
        18,
        ALWAYS,
        uscc=True,
        english="data source's credit code",
    ),
    F("BZ", "备注", "text", None, english="remarks"),
)

LAYOUTS: dict[str, tuple[NationalField, ...]] = {
    "penalty": PENALTY_FIELDS,
    "licence": LICENCE_FIELDS,
}
FIELDS_BY_CODE: dict[str, dict[str, NationalField]] = {
    kind: {f.code: f for f in fields} for kind, fields in LAYOUTS.items()
}

# The fields that identify a decision, its date and its issuing body, per kind.
DOCUMENT_NUMBER = {"penalty": "CF_WSH", "licence": "XK_WSH"}
DECISION_DATE = {"penalty": "CF_JDRQ", "licence": "XK_JDRQ"}
ISSUING_BODY = {"penalty": "CF_CFJG", "licence": "XK_XKJG"}
ISSUING_BODY_USCC = {"penalty": "CF_CFJGDM", "licence": "XK_XKJGDM"}
DATA_SOURCE = {"penalty": "CF_SJLY", "licence": "XK_LYDW"}
DATA_SOURCE_USCC = {"penalty": "CF_SJLYDM", "licence": "XK_LYDWDM"}


def layout(kind: str) -> tuple[NationalField, ...]:
    """The fields of ``kind`` ("penalty" or "licence"), in the standard's order."""
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise ValueError(f"unknown 双公示 kind {kind!r}") from None


def published_codes(kind: str) -> tuple[str, ...]:
    """Codes of the fields the public may see."""
    return tuple(f.code for f in layout(kind) if f.published)


def identity_codes(kind: str) -> tuple[str, ...]:
    """Codes of the identity-number fields (sealed in the outbox, never published)."""
    return tuple(f.code for f in layout(kind) if f.identity_number)


# --- header resolution ----------------------------------------------------------------------

_FULL_WIDTH = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "【": "(",
        "】": ")",
        "［": "(",
        "］": ")",
        "＿": "_",
        "，": ",",
        "、": ",",
        "\u3000": "",
        "*": "",
        "＊": "",
    }
)


def normalise_header(header: str) -> str:
    """A header as compared: no whitespace, half-width brackets, no asterisks, upper-case."""
    text = "".join(str(header).split()).translate(_FULL_WIDTH)
    return text.upper().lstrip("\ufeff")


def _header_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for f in layout(kind):
        for spelling in (f.code, f.name, *f.aliases):
            key = normalise_header(spelling)
            if key in index and index[key] != f.code:
                ambiguous.add(key)
            index[key] = f.code
    for key in ambiguous:  # an alias two fields share resolves to neither
        del index[key]
    return index


HEADER_INDEX: dict[str, dict[str, str]] = {kind: _header_index(kind) for kind in LAYOUTS}


@dataclass(frozen=True)
class HeaderResolution:
    """Which column holds which field code (None for an unknown column), and what is wrong."""

    codes: tuple[str | None, ...]
    unknown: tuple[str, ...]  # headers that name no field, as given
    duplicates: tuple[str, ...]  # codes named by more than one column
    missing: tuple[str, ...]  # always-required codes no column names

    @property
    def ok(self) -> bool:
        return not (self.unknown or self.duplicates or self.missing)

    def messages(self, kind: str) -> list[str]:
        """Bilingual messages for a spreadsheet's header row."""
        fields = FIELDS_BY_CODE[kind]
        out = [f"无法识别的表头：{h} / unknown header: {h}" for h in self.unknown]
        out += [
            f"表头重复：{fields[c].name}（{c}） / duplicate column: {c}" for c in self.duplicates
        ]
        out += [
            f"缺少必填列：{fields[c].name}（{c}） / missing required column: {c}"
            for c in self.missing
        ]
        return out


def resolve_header(kind: str, header: str) -> str | None:
    """The field code a header names (its code or Chinese name), or None."""
    return HEADER_INDEX[kind].get(normalise_header(header))


def resolve_headers(kind: str, headers: Iterable[str]) -> HeaderResolution:
    """Map a header row (any column order) to field codes; report unknown and missing ones."""
    index = HEADER_INDEX[kind]
    codes: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for header in headers:
        key = normalise_header(header)
        if not key:
            codes.append(None)  # an empty trailing column
            continue
        code = index.get(key)
        codes.append(code)
        if code is None:
            unknown.append(str(header).strip())
        elif code in seen:
            duplicates.append(code)
        else:
            seen.add(code)
    missing = tuple(f.code for f in layout(kind) if f.always_required and f.code not in seen)
    return HeaderResolution(tuple(codes), tuple(unknown), tuple(duplicates), missing)
