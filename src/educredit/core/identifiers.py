"""Validators for the identifiers EduCredit matches subjects by.

- 统一社会信用代码 (unified social credit code, USCC), GB 32100-2015;
- 居民身份证号码 (citizen identity number), GB 11643-1999;
- the other documents a person may be registered with (passports, the Mainland travel permits
  for Hong Kong, Macao and Taiwan residents, the foreign permanent-resident ID card).

Each validator returns a parsed result or raises ``IdentifierError`` whose message names what
is wrong in both languages (``zh``: "校验码应为 X", ``en``: "check character should be X");
``str(error)`` is the one of the reader's language (ADR 0038). The validators are pure
functions: no database, no settings, no translation catalogue (only ``today`` for birth
dates), so an import can call them a million times.

Rules deliberately NOT applied: the region code inside a resident ID is not looked up in the
GB/T 2260 table, because people keep numbers issued under codes that were later abolished or
that did not exist yet in their birth year (济源 419001 for someone born in 1980); only the
province part must be a real province.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.utils import translation

from educredit.core import clock

# --- errors -------------------------------------------------------------------------------


class IdentifierError(ValueError):
    """An identifier was rejected: ``zh`` and ``en`` say why, ``str(error)`` in the reader's
    language; ``code`` is stable."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code = code
        self.zh = zh
        self.en = en
        super().__init__(zh)

    def __str__(self) -> str:
        return self.en if (translation.get_language() or "").startswith("en") else self.zh


def _normalise(value: str) -> str:
    """Upper-case, without any whitespace (people type spaces and lower-case ``x``)."""
    return "".join(value.split()).upper()


def _require_length(value: str, length: int) -> None:
    if len(value) != length:
        raise IdentifierError(
            "length",
            f"长度应为{length}位（实为{len(value)}位）",
            f"must be {length} characters (got {len(value)})",
        )


def _reject_char(value: str, position: int) -> IdentifierError:
    char = value[position]
    return IdentifierError(
        "character",
        f"含有不允许的字符 {char}（第{position + 1}位）",
        f"contains a character not allowed: {char} (position {position + 1})",
    )


# --- 统一社会信用代码 GB 32100-2015 --------------------------------------------------------------

# The 31 characters of the code, in the order of their values 0..30 (no I, O, Z, S, V).
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {char: value for value, char in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 个体工商户 without a code are reported with this placeholder (17 zeros and X); it is NOT a
# valid code, and a report carrying it must give the 工商注册号 instead (domain rules §1.3).
USCC_PLACEHOLDER = "00000000000000000X"

# 登记管理部门代码 (position 1) → its name and the 机构类别代码 (position 2) it may be followed by,
# as GB 32100-2015 Table 1 and its amendment (A: 中央军委改革和编制办公室, N: 农业) give them.
USCC_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": (
        "机构编制",
        {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    ),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {
            "1": "外国旅游部门常驻代表机构",
            "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "9": "其他",
        },
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": (
        "农业",
        {
            "1": "组级集体经济组织",
            "2": "村级集体经济组织",
            "3": "乡镇级集体经济组织",
            "9": "其他",
        },
    ),
    "Y": ("其他", {"1": "其他"}),
}

# Province-level codes of GB/T 2260 (first two digits). 10 is the national level: organisations
# registered by a central authority carry the region code 100000 (e.g. 11100000…).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82",
    }
)  # fmt: skip
USCC_REGION_PREFIXES = PROVINCE_CODES | {"10"}


@dataclass(frozen=True)
class Uscc:
    """A valid 统一社会信用代码, split into its parts."""

    code: str
    authority: str
    authority_name: str
    organisation_type: str
    organisation_type_name: str
    region_code: str
    body: str  # 主体标识码 (the former 组织机构代码), positions 9-17

    def __str__(self) -> str:
        return self.code


def uscc_check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code."""
    if len(first17) != 17 or not set(first17) <= USCC_VALUES.keys():
        raise ValueError("uscc_check_character needs 17 characters of the code's charset")
    total = sum(
        USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True)
    )
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_uscc_placeholder(value: str) -> bool:
    """Whether ``value`` is the 17-zeros-and-X placeholder of a 个体工商户 without a code."""
    return _normalise(value) == USCC_PLACEHOLDER


def validate_uscc(value: str) -> Uscc:
    """Check a 统一社会信用代码 against GB 32100-2015 and return its parts."""
    code = _normalise(value)
    _require_length(code, 18)
    for position, char in enumerate(code):
        if char not in USCC_VALUES:
            raise _reject_char(code, position)
    if code == USCC_PLACEHOLDER:
        raise IdentifierError(
            "placeholder",
            "这是个体工商户无代码时使用的占位符（17个0加X），不是统一社会信用代码",
            "this is the placeholder for a sole trader without a code, not a credit code",
        )
    authority, organisation_type = code[0], code[1]
    if authority not in USCC_AUTHORITIES:
        raise IdentifierError(
            "authority",
            f"第1位登记管理部门代码 {authority} 不存在",
            f"registration authority code {authority} (position 1) does not exist",
        )
    authority_name, types = USCC_AUTHORITIES[authority]
    if organisation_type not in types:
        allowed = "、".join(types)
        raise IdentifierError(
            "organisation_type",
            f"第2位机构类别代码 {organisation_type} 不适用于登记管理部门 {authority}"
            f"（{authority_name}），应为 {allowed} 之一",
            f"organisation type code {organisation_type} (position 2) is not valid for "
            f"registration authority {authority}; expected one of {', '.join(types)}",
        )
    region = code[2:8]
    if not region.isdigit():
        raise IdentifierError(
            "region",
            f"第3至8位登记管理机关行政区划码应为6位数字（实为 {region}）",
            f"positions 3-8 (region code) must be 6 digits (got {region})",
        )
    if region[:2] not in USCC_REGION_PREFIXES:
        raise IdentifierError(
            "region",
            f"行政区划码 {region} 的省级代码 {region[:2]} 不存在",
            f"region code {region}: province code {region[:2]} does not exist",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "check",
            f"校验码应为 {expected}（实为 {code[17]}）",
            f"check character should be {expected} (got {code[17]})",
        )
    return Uscc(
        code=code,
        authority=authority,
        authority_name=authority_name,
        organisation_type=organisation_type,
        organisation_type_name=types[organisation_type],
        region_code=region,
        body=code[8:17],
    )


# --- 居民身份证号码 GB 11643-1999 --------------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: index is the weighted sum mod 11
RESIDENT_ID_CHARSET = "0123456789X"
# 港澳台居民居住证 use the same format under 81/82/83 (83 for Taiwan residents).
RESIDENT_ID_PROVINCES = PROVINCE_CODES | {"83"}
# GB 11643-1999's own worked example is a man born on 1880-01-01 (440524188001010014), so the
# lower bound that catches typos (a 0 for a 9 in the century) cannot be 1900.
EARLIEST_BIRTH_YEAR = 1880

Gender = Literal["M", "F"]


@dataclass(frozen=True)
class ResidentId:
    """A valid 居民身份证号码 with what it says about its holder."""

    number: str
    region_code: str
    birth_date: dt.date
    sequence: str
    gender: Gender  # odd sequence digit = male ("M"), even = female ("F")

    def __str__(self) -> str:
        return self.number


def mod11_2_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for 17 digits (``X`` stands for 10)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("mod11_2_check_character needs exactly 17 digits")
    total = sum(
        int(char) * weight for char, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)
    )
    return RESIDENT_ID_CHECK[total % 11]


def resident_id_check_character(first17: str) -> str:
    """The check character (position 18) of a resident ID."""
    return mod11_2_check_character(first17)


def _birth_date(digits: str, *, today: dt.date, where: str) -> dt.date:
    """Parse YYYYMMDD: a real date, not in the future, not before ``EARLIEST_BIRTH_YEAR``."""
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdentifierError(
            "birth_date",
            f"{where}出生日期 {digits} 不是有效日期",
            f"birth date {digits} is not a real date",
        ) from None
    if born > today:
        raise IdentifierError(
            "birth_date",
            f"出生日期 {born.isoformat()} 晚于今天",
            f"birth date {born.isoformat()} is in the future",
        )
    if born.year < EARLIEST_BIRTH_YEAR:
        raise IdentifierError(
            "birth_date",
            f"出生日期 {born.isoformat()} 早于{EARLIEST_BIRTH_YEAR}年",
            f"birth date {born.isoformat()} is before {EARLIEST_BIRTH_YEAR}",
        )
    return born


def _require_mod11_2(number: str) -> None:
    expected = mod11_2_check_character(number[:17])
    if number[17] != expected:
        raise IdentifierError(
            "check",
            f"校验码应为 {expected}（实为 {number[17]}）",
            f"check character should be {expected} (got {number[17]})",
        )


def validate_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Check a 居民身份证号码 against GB 11643-1999 and return region, birth date and gender."""
    number = _normalise(value)
    if len(number) == 15 and number.isdigit():
        raise IdentifierError(
            "length",
            "长度应为18位（15位的第一代身份证号码已停用）",
            "must be 18 characters (15-digit first-generation numbers are no longer valid)",
        )
    _require_length(number, 18)
    for position, char in enumerate(number[:17]):
        if not char.isdigit():
            raise _reject_char(number, position)
    if number[17] not in RESIDENT_ID_CHARSET:
        raise _reject_char(number, 17)
    if number[:2] not in RESIDENT_ID_PROVINCES:
        raise IdentifierError(
            "region",
            f"前两位省级行政区划代码 {number[:2]} 不存在",
            f"province code {number[:2]} (positions 1-2) does not exist",
        )
    born = _birth_date(number[6:14], today=today or clock.today(), where="第7至14位")
    _require_mod11_2(number)
    sequence = number[14:17]
    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=born,
        sequence=sequence,
        gender="M" if int(sequence[2]) % 2 else "F",
    )


# --- other documents ------------------------------------------------------------------------

CHINESE_PASSPORT = re.compile(r"^(?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8})$")
FOREIGN_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
HK_MACAO_PERMIT = re.compile(r"^[HM](?:[0-9]{8}|[0-9]{10})$")
TAIWAN_PERMIT = re.compile(r"^(?:[0-9]{8}|[0-9]{10})$")
FOREIGN_PRC_OLD = re.compile(r"^[A-Z]{3}[0-9]{12}$")
FOREIGN_PRC_NEW = re.compile(r"^9[0-9]{16}[0-9X]$")


@dataclass(frozen=True)
class Document:
    """A valid identity document number, normalised, with what its format reveals."""

    document_type: str
    number: str
    birth_date: dt.date | None = None
    gender: Gender | None = None
    region_code: str | None = None

    def __str__(self) -> str:
        return self.number


def validate_passport(value: str, *, chinese: bool | None = None) -> Document:
    """A passport number: a Chinese one (E/G + 8) when ``chinese``, else 5-20 letters/digits."""
    number = _normalise(value)
    if chinese:
        if not CHINESE_PASSPORT.match(number):
            raise IdentifierError(
                "format",
                "中国护照号码应为E或G加8位（如 E12345678、EA1234567）",
                "a Chinese passport number is E or G followed by 8 characters "
                "(e.g. E12345678, EA1234567)",
            )
    elif not FOREIGN_PASSPORT.match(number):
        raise IdentifierError(
            "format",
            "护照号码应为5至20位字母或数字",
            "a passport number must be 5 to 20 letters or digits",
        )
    return Document(document_type="passport", number=number)


def validate_hk_macao_permit(value: str) -> Document:
    """港澳居民来往内地通行证: H (Hong Kong) or M (Macao) followed by 8 or 10 digits."""
    number = _normalise(value)
    if not HK_MACAO_PERMIT.match(number):
        raise IdentifierError(
            "format",
            "港澳居民来往内地通行证号码应为H或M加8位或10位数字",
            "a Mainland travel permit for Hong Kong and Macao residents is H or M "
            "followed by 8 or 10 digits",
        )
    return Document(document_type="hk_macao_permit", number=number)


def validate_taiwan_permit(value: str) -> Document:
    """台湾居民来往大陆通行证: 8 digits (10 digits in the older booklets)."""
    number = _normalise(value)
    if not TAIWAN_PERMIT.match(number):
        raise IdentifierError(
            "format",
            "台湾居民来往大陆通行证号码应为8位数字（旧版为10位）",
            "a Mainland travel permit for Taiwan residents is 8 digits (10 in older ones)",
        )
    return Document(document_type="taiwan_permit", number=number)


def validate_foreign_permanent_resident_id(value: str, *, today: dt.date | None = None) -> Document:
    """外国人永久居留身份证: 15 characters (before 2023) or 18 digits starting with 9 (2023).

    The 2023 card: 9, province code (2), nationality code (3), birth date (8), sequence (3) and
    a MOD 11-2 check character, like a resident ID.
    """
    number = _normalise(value)
    if FOREIGN_PRC_OLD.match(number):
        return Document(document_type="foreign_prc", number=number)
    if len(number) == 18:
        if not FOREIGN_PRC_NEW.match(number):
            raise IdentifierError(
                "format",
                "18位的外国人永久居留身份证号码应以9开头，前17位为数字",
                "an 18-character foreign permanent resident ID starts with 9 "
                "and has 17 digits before the check character",
            )
        if number[1:3] not in PROVINCE_CODES:
            raise IdentifierError(
                "region",
                f"第2至3位受理地省级代码 {number[1:3]} 不存在",
                f"province code {number[1:3]} (positions 2-3) does not exist",
            )
        born = _birth_date(number[6:14], today=today or clock.today(), where="第7至14位")
        _require_mod11_2(number)
        return Document(
            document_type="foreign_prc",
            number=number,
            birth_date=born,
            gender="M" if int(number[16]) % 2 else "F",
        )
    raise IdentifierError(
        "format",
        "外国人永久居留身份证号码应为3位字母加12位数字（旧版），或以9开头的18位（2023年版）",
        "a foreign permanent resident ID is 3 letters and 12 digits (old cards) "
        "or 18 characters starting with 9 (2023 cards)",
    )


def _validate_resident_id_document(value: str, *, today: dt.date | None = None) -> Document:
    parsed = validate_resident_id(value, today=today)
    return Document(
        document_type="resident_id",
        number=parsed.number,
        birth_date=parsed.birth_date,
        gender=parsed.gender,
        region_code=parsed.region_code,
    )


DOCUMENT_TYPES = ("resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_prc")


def validate_document(document_type: str, number: str, *, today: dt.date | None = None) -> Document:
    """Validate ``number`` as a document of ``document_type`` (``subjects`` DocumentType values)."""
    if document_type == "resident_id":
        return _validate_resident_id_document(number, today=today)
    if document_type == "passport":
        return validate_passport(number)
    if document_type == "hk_macao_permit":
        return validate_hk_macao_permit(number)
    if document_type == "taiwan_permit":
        return validate_taiwan_permit(number)
    if document_type == "foreign_prc":
        return validate_foreign_permanent_resident_id(number, today=today)
    raise IdentifierError(
        "document_type",
        f"不支持的证件类型 {document_type}",
        f"unsupported document type {document_type}",
    )
