"""One USCC validation (GB 32100, ``core.identifiers.validate_uscc``) wherever a credit code is
taken: a letter outside the code's alphabet (I, O, S, V, Z) in any position is a clear refusal
— 422 from the records API, a form error on the record form, a field error of the 双公示 row
validator, an error of an organisation's fields — never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.services import organisation_create
from educredit.core.identifiers import USCC_CHARSET, IdentifierError, validate_uscc
from educredit.disclosure.tests.rows import licence_row, penalty_row
from educredit.disclosure.validation import validate_row
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item
from educredit.subjects.tests.factories import make_institution, uscc
from educredit.testing.factories import make_api_client

VALID = uscc(5, "410102")  # a 事业单位 of 中原区: 12 410102 000000005 + check character
OUTSIDE = "IOSVZ"  # the five letters GB 32100 leaves out
# The code's parts, by their first position (1-based): one case per letter in each.
POSITION_CLASSES = {
    "registration authority": 1,
    "organisation type": 2,
    "region": 3,
    "subject body": 9,
    "check character": 18,
}


def _with(letter: str, position: int, code: str = VALID) -> str:
    return code[: position - 1] + letter + code[position:]


CASES = [
    pytest.param(letter, position, id=f"{letter}-{name}")
    for name, position in POSITION_CLASSES.items()
    for letter in OUTSIDE
]
EVERY_POSITION = [(letter, p) for letter in OUTSIDE for p in range(1, 19)]


def test_the_validator_names_the_letter_and_its_position() -> None:
    for letter, position in EVERY_POSITION:
        with pytest.raises(IdentifierError) as refused:
            validate_uscc(_with(letter, position))
        assert refused.value.code == "character"
        assert f"position {position})" in refused.value.en
        assert f"{letter}（第{position}位）" in refused.value.zh
    assert validate_uscc(VALID).code == VALID  # the control: the code itself passes


# --- the records API ------------------------------------------------------------------------


def _key(county: Any) -> str:
    _client, key = make_api_client(
        organisation=county,
        name="执法系统",
        scopes=("records:write", "records:read"),
        rate_limit_per_minute=10_000,  # this test sends hundreds of requests at once
    )
    return key


def _post(key: str, item: Any, school: Any, issuing_body_uscc: str, number: str) -> Any:
    body = {
        "catalog_item": str(item.public_id),
        "institution_uscc": school.uscc,
        "title": "未按规定公示收费项目",
        "decision_number": number,
        "issuing_body": "中原区教育局",
        "issuing_body_uscc": issuing_body_uscc,
        "decision_date": "2026-03-01",
        "payload": {"penalty_content": "警告"},
    }
    return Client().post(
        "/api/records/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


@pytest.fixture
def api(county: Any) -> tuple[str, Any, Any]:
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第五小学", serial=55)
    return _key(county), item, school


@pytest.mark.django_db
def test_the_records_api_refuses_each_letter_in_each_position_with_422(
    api: tuple[str, Any, Any],
) -> None:
    key, item, school = api
    for letter, position in EVERY_POSITION:
        response = _post(key, item, school, _with(letter, position), "郑中教罚〔2026〕8号")
        assert response.status_code == 422, (letter, position, response.content)
        message = response.json()["errors"]["issuing_body_uscc"]
        assert f"{letter}（第{position}位）" in message, message
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_the_records_api_says_what_the_check_character_should_be(
    api: tuple[str, Any, Any],
) -> None:
    key, item, school = api
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    response = _post(key, item, school, wrong, "郑中教罚〔2026〕8号")
    assert response.status_code == 422
    assert f"校验码应为 {VALID[17]}" in response.json()["errors"]["issuing_body_uscc"]
    # A valid code typed in lower case with spaces is taken, in canonical form.
    typed = f" {VALID[:9]} {VALID[9:].lower()} "
    assert _post(key, item, school, typed, "郑中教罚〔2026〕8号").status_code == 201
    assert CreditRecord.objects.get().issuing_body_uscc == VALID


ALPHABET = USCC_CHARSET + OUTSIDE + OUTSIDE.lower() + "abcxy -中Ｉ０\u00df\u0131"


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=st.text(alphabet=ALPHABET, min_size=18, max_size=18))
def test_the_records_api_never_answers_500_for_an_18_character_code(
    api: tuple[str, Any, Any], code: str
) -> None:
    key, item, school = api
    # A fresh decision number each time: a code that happens to be valid creates its draft.
    number = f"郑中教罚〔2026〕{CreditRecord.objects.count() + 100}号"
    response = _post(key, item, school, code, number)
    assert response.status_code in (201, 422), (code, response.content)
    if response.status_code == 422:
        assert "issuing_body_uscc" in response.json()["errors"]
    else:
        assert validate_uscc(code).code == response.json()["issuing_body_uscc"]


# --- the record form ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_record_form_shows_a_field_error_in_the_reader_language(
    county_clerk: Any, county: Any, language: str
) -> None:
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第九小学", serial=41)
    client = Client()
    client.force_login(county_clerk)
    client.cookies["django_language"] = language
    url = f"{reverse('records:record_create')}?item={item.public_id}"
    data = {
        "institution_query": school.uscc,
        "title": "违规收费",
        "decision_number": "郑中教罚〔2026〕1号",
        "issuing_body": "中原区教育局",
        "decision_date": "2026-02-01",
        "procedure": "ordinary",
        "f_penalty_content": "警告",
    }
    for position in POSITION_CLASSES.values():
        for letter in OUTSIDE:
            page = client.post(url, {**data, "issuing_body_uscc": _with(letter, position)})
            assert page.status_code == 200, (letter, position)
            errors = page.context["form"].errors["issuing_body_uscc"]
            text = page.content.decode()
            if language == "en":
                expected = f"not allowed: {letter} (position {position})"
                assert expected in errors[0] and expected in text
                assert "第" not in errors[0]
            else:
                assert f"{letter}（第{position}位）" in errors[0]
                assert "position" not in errors[0]
    assert not CreditRecord.objects.exists()
    # The control: with the code itself the record is saved.
    assert client.post(url, {**data, "issuing_body_uscc": VALID}).status_code == 302
    assert CreditRecord.objects.get().issuing_body_uscc == VALID


# --- the 双公示 row validator ------------------------------------------------------------------

ROW_CODES = [
    pytest.param(penalty_row, "penalty", "CF_CFJGDM", id="penalty-issuing-body"),
    pytest.param(penalty_row, "penalty", "CF_XDR_SHXYM", id="penalty-party"),
    pytest.param(licence_row, "licence", "XK_XKJGDM", id="licence-issuing-body"),
]


@pytest.mark.parametrize(("row_of", "kind", "code"), ROW_CODES)
@pytest.mark.parametrize(("letter", "position"), CASES)
def test_the_row_validator_gives_a_field_error(
    row_of: Any, kind: str, code: str, letter: str, position: int
) -> None:
    row = row_of()
    assert validate_row(kind, row).errors == []  # the control row is valid
    result = validate_row(kind, {**row, code: _with(letter, position, row[code])})
    (error,) = result.errors
    assert error.code == code
    assert f"{letter}（第{position}位）" in error.message
    assert f"position {position})" in error.message
    assert code not in result.values


# --- an organisation's fields ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("letter", "position"), CASES)
def test_an_organisation_credit_code_is_checked_by_the_same_rule(
    county: Any, letter: str, position: int
) -> None:
    with pytest.raises(ValidationError) as refused:
        organisation_create(
            actor="system:test",
            name="中原区第一实验小学",
            kind=OrganisationKind.SCHOOL,
            parent=county,
            uscc=_with(letter, position),
        )
    (message,) = refused.value.message_dict["uscc"]
    assert f"{letter}（第{position}位）" in message


@pytest.mark.django_db
def test_an_organisation_credit_code_with_a_wrong_check_character_is_refused(
    county: Any,
) -> None:
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(ValidationError) as refused:
        organisation_create(
            actor="system:test",
            name="某学校",
            kind=OrganisationKind.SCHOOL,
            parent=county,
            uscc=wrong,
        )
    assert "校验码" in refused.value.message_dict["uscc"][0]
    made = organisation_create(
        actor="system:test",
        name="某学校",
        kind=OrganisationKind.SCHOOL,
        parent=county,
        uscc=VALID.lower(),
    )
    assert made.uscc == VALID
