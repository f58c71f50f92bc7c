"""Identifier validators: the standards' own examples, precise rejections, property tests."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from educredit.core.identifiers import (
    PROVINCE_CODES,
    RESIDENT_ID_CHARSET,
    USCC_AUTHORITIES,
    USCC_CHARSET,
    USCC_PLACEHOLDER,
    IdentifierError,
    is_uscc_placeholder,
    resident_id_check_character,
    uscc_check_character,
    validate_document,
    validate_foreign_permanent_resident_id,
    validate_passport,
    validate_resident_id,
    validate_uscc,
)

TODAY = dt.date(2026, 3, 2)


def rejection(validator, value, **kwargs) -> IdentifierError:
    with pytest.raises(IdentifierError) as exc:
        validator(value, **kwargs)
    return exc.value


# --- 统一社会信用代码 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # GB 32100-2015's example
        "91110000600037341L",
        "91230500MA1B3N1N2M",  # domain rules §1.2 sample
    ],
)
def test_uscc_examples_pass(code):
    assert validate_uscc(code).code == code


def test_uscc_parts_are_named():
    parsed = validate_uscc(" 91350100m000100y43 ")
    assert parsed.code == "91350100M000100Y43"
    assert (parsed.authority, parsed.authority_name) == ("9", "工商")
    assert (parsed.organisation_type, parsed.organisation_type_name) == ("1", "企业")
    assert parsed.region_code == "350100"
    assert parsed.body == "M000100Y4"


@pytest.mark.parametrize(
    "first16",
    [
        "1241000041", "5241010241", "A1410100XX", "N2410102XX", "Y1410100XX", "1110000000",
    ],
)  # fmt: skip
def test_uscc_letter_authorities_and_national_region_pass(first16):
    first17 = (first16 + "1234567")[:17]
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code).authority == first16[0]


def test_uscc_wrong_check_names_the_right_one():
    error = rejection(validate_uscc, "91350100M000100Y44")
    assert error.code == "check"
    assert (error.zh, error.en) == ("校验码应为 3（实为 4）", "check character should be 3 (got 4)")
    # The message is the reader's language only.
    assert str(error) == "校验码应为 3（实为 4）"
    with translation.override("en"):
        assert str(error) == "check character should be 3 (got 4)"


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("91350100M000100Y4", "length", "长度应为18位（实为17位） / must be 18 characters"),
        ("9135010IM000100Y43", "character", "含有不允许的字符 I（第8位） / contains a character"),
        ("91350100M00O100Y43", "character", "含有不允许的字符 O"),
        ("B1350100M000100Y43", "authority", "登记管理部门代码 B 不存在"),
        ("94350100M000100Y43", "organisation_type", "机构类别代码 4 不适用于登记管理部门 9"),
        ("Y2350100M000100Y43", "organisation_type", "机构类别代码 2 不适用于登记管理部门 Y"),
        ("913501A0M000100Y43", "region", "应为6位数字"),
        ("91990100M000100Y43", "region", "省级代码 99 不存在"),
        (USCC_PLACEHOLDER, "placeholder", "占位符"),
    ],
)
def test_uscc_rejections_say_what_is_wrong(value, code, fragment):
    error = rejection(validate_uscc, value)
    assert error.code == code
    assert fragment in f"{error.zh} / {error.en}"
    assert error.zh and error.en and str(error) == error.zh


def test_placeholder_is_recognised_but_not_valid():
    assert is_uscc_placeholder("00000000000000000x")
    assert not is_uscc_placeholder("91350100M000100Y43")


@st.composite
def valid_usccs(draw):
    authority = draw(st.sampled_from(sorted(USCC_AUTHORITIES)))
    organisation_type = draw(st.sampled_from(sorted(USCC_AUTHORITIES[authority][1])))
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region_rest = draw(st.text("0123456789", min_size=4, max_size=4))
    body = draw(st.text(USCC_CHARSET, min_size=9, max_size=9))
    first17 = authority + organisation_type + province + region_rest + body
    return first17 + uscc_check_character(first17)


@settings(max_examples=150, deadline=None, database=None)
@given(valid_usccs())
def test_every_generated_uscc_passes_and_every_single_change_is_rejected(code):
    assert validate_uscc(code).code == code
    for position in range(18):
        for char in USCC_CHARSET:
            if char == code[position]:
                continue
            changed = code[:position] + char + code[position + 1 :]
            with pytest.raises(IdentifierError):
                validate_uscc(changed)


# --- 居民身份证号码 -----------------------------------------------------------------------------


def test_resident_id_standard_examples_pass():
    woman = validate_resident_id("11010519491231002X", today=TODAY)
    assert woman.region_code == "110105"
    assert woman.birth_date == dt.date(1949, 12, 31)
    assert woman.gender == "F"
    man = validate_resident_id("440524188001010014", today=TODAY)  # GB 11643's second example
    assert (man.birth_date, man.gender, man.sequence) == (dt.date(1880, 1, 1), "M", "001")


def test_lower_case_x_is_accepted_and_normalised():
    assert validate_resident_id(" 11010519491231002x", today=TODAY).number == "11010519491231002X"


def with_check(first17: str) -> str:
    return first17 + resident_id_check_character(first17)


def test_county_code_not_in_force_in_the_birth_year_still_passes():
    # 济源 became 419001 in 1997; people born earlier carry it on re-issued cards.
    parsed = validate_resident_id(with_check("41900119800101123"), today=TODAY)
    assert parsed.region_code == "419001"
    # 410108 was 邙山区 until 2002 (惠济区 since); a code long abolished (地区 code 412101).
    assert validate_resident_id(with_check("41012119750505001"), today=TODAY)
    assert validate_resident_id(with_check("41210119700505001"), today=TODAY)


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("1101051949123100", "length", "长度应为18位（实为16位） / must be 18 characters"),
        ("110105491231002", "length", "15位的第一代身份证号码已停用"),
        ("11010519491231002Y", "character", "含有不允许的字符 Y（第18位）"),
        ("1101051949123100X2", "character", "含有不允许的字符 X（第17位）"),
        (with_check("99010519491231002"), "region", "省级行政区划代码 99 不存在"),
        (with_check("10010519491231002"), "region", "省级行政区划代码 10 不存在"),
        (with_check("11010519490230002"), "birth_date", "不是有效日期 / birth date 19490230"),
        (with_check("11010520260303002"), "birth_date", "晚于今天 / birth date 2026-03-03 is in"),
        (with_check("11010518790101002"), "birth_date", "早于1880年"),
        ("110105194912310021", "check", "校验码应为 X（实为 1） / check character should be X"),
    ],
)
def test_resident_id_rejections_say_what_is_wrong(value, code, fragment):
    error = rejection(validate_resident_id, value, today=TODAY)
    assert error.code == code
    assert fragment in f"{error.zh} / {error.en}"


def test_born_today_is_accepted():
    assert validate_resident_id(with_check("41010520260302001"), today=TODAY).birth_date == TODAY


@st.composite
def valid_resident_ids(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    born = draw(st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return with_check(province + rest + born.strftime("%Y%m%d") + sequence), born, sequence


@settings(max_examples=150, deadline=None, database=None)
@given(valid_resident_ids())
def test_every_generated_resident_id_passes_and_every_single_change_is_rejected(generated):
    number, born, sequence = generated
    parsed = validate_resident_id(number, today=TODAY)
    assert parsed.birth_date == born
    assert parsed.gender == ("M" if int(sequence[2]) % 2 else "F")
    for position in range(18):
        for char in RESIDENT_ID_CHARSET:
            if char == number[position]:
                continue
            changed = number[:position] + char + number[position + 1 :]
            with pytest.raises(IdentifierError):
                validate_resident_id(changed, today=TODAY)


# --- other documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document_type", "number"),
    [
        ("passport", "E12345678"),
        ("passport", "ea1234567"),
        ("passport", "X1234567"),  # a foreign passport: 5-20 letters or digits
        ("passport", "123456789012"),
        ("hk_macao_permit", "H12345678"),
        ("hk_macao_permit", "M1234567890"),
        ("taiwan_permit", "12345678"),
        ("taiwan_permit", "1234567890"),
        ("foreign_prc", "USA110082020011"),
        ("foreign_prc", with_check("91184019900101001")),
    ],
)
def test_other_documents_pass(document_type, number):
    document = validate_document(document_type, number, today=TODAY)
    assert document.document_type == document_type
    assert document.number == number.upper()


@pytest.mark.parametrize(
    ("document_type", "number", "fragment"),
    [
        ("passport", "E12-345", "护照号码应为5至20位字母或数字 / a passport number"),
        ("passport", "E123", "5至20位"),
        ("hk_macao_permit", "K12345678", "H或M加8位或10位数字"),
        ("hk_macao_permit", "H123456789", "H或M加8位或10位数字"),
        ("taiwan_permit", "1234567", "8位数字"),
        ("foreign_prc", "US1110082020011", "3位字母加12位数字"),
        ("foreign_prc", with_check("81184019900101001"), "以9开头"),
        ("foreign_prc", "911840199001010010", "校验码应为"),
        ("foreign_prc", with_check("91184019901301001"), "不是有效日期"),
        ("resident_id", "11010519491231002Y", "含有不允许的字符 Y"),
        ("driving_licence", "123", "不支持的证件类型"),
    ],
)
def test_other_documents_rejections(document_type, number, fragment):
    with pytest.raises(IdentifierError) as exc:
        validate_document(document_type, number, today=TODAY)
    assert fragment in f"{exc.value.zh} / {exc.value.en}"


def test_chinese_passport_format_when_known_chinese():
    assert validate_passport("G12345678", chinese=True).number == "G12345678"
    error = rejection(validate_passport, "X1234567", chinese=True)
    assert "中国护照号码应为E或G加8位" in str(error)


def test_resident_id_document_carries_birth_date_and_gender():
    document = validate_document("resident_id", "11010519491231002X", today=TODAY)
    assert (document.birth_date, document.gender, document.region_code) == (
        dt.date(1949, 12, 31),
        "F",
        "110105",
    )


def test_new_foreign_permanent_resident_id_carries_birth_date():
    number = with_check("91184019900101002")
    document = validate_foreign_permanent_resident_id(number, today=TODAY)
    assert document.birth_date == dt.date(1990, 1, 1)
    assert document.gender == "F"


@pytest.mark.parametrize(
    ("validator", "number", "charset"),
    [
        (validate_uscc, "91350100M000100Y43", USCC_CHARSET),
        (validate_uscc, "91110000600037341L", USCC_CHARSET),
        (validate_resident_id, "11010519491231002X", RESIDENT_ID_CHARSET),
        (validate_resident_id, "440524188001010014", RESIDENT_ID_CHARSET),
    ],
)
def test_every_single_change_of_the_standards_examples_is_rejected(validator, number, charset):
    kwargs = {"today": TODAY} if validator is validate_resident_id else {}
    rejected = 0
    for position, original in enumerate(number):
        for char in charset.replace(original, ""):
            with pytest.raises(IdentifierError):
                validator(number[:position] + char + number[position + 1 :], **kwargs)
            rejected += 1
    assert rejected == 18 * (len(charset) - 1)
