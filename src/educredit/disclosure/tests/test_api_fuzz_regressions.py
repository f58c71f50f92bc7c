"""What the API fuzz (``core/tests/test_api_fuzz.py``) found in the 双公示 API, kept fixed."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.disclosure.tests.pages import prepare_county, row_for, school_of
from educredit.testing.api_fuzz import send_checked
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

PENALTIES = "/api/disclosure/penalties/"
LICENCES = "/api/disclosure/licences/"


@pytest.fixture
def key(county: Any) -> str:
    prepare_county(county)
    _client, key = make_api_client(organisation=county, scopes=["disclosure:write"])
    return key


# Found: these 422s were ``{"detail": ...}`` while the schema declared the per-row results.
@pytest.mark.parametrize("url", [PENALTIES, LICENCES])
def test_neither_row_nor_rows_is_a_422_the_schema_declares(url: str, key: str) -> None:
    response = send_checked("POST", url, url, key=key, body={})
    assert response.status_code == 422
    assert "row" in response.get_json()["detail"]


def test_a_body_of_the_wrong_types_is_a_422_the_schema_declares(key: str) -> None:
    response = send_checked("POST", PENALTIES, PENALTIES, key=key, body={"rows": "not a list"})
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"][-1] == "rows"


def test_an_invalid_row_still_answers_its_results(key: str, county: Any) -> None:
    row = row_for(school_of(county), CF_JDRQ="not a date")
    response = send_checked("POST", PENALTIES, PENALTIES, key=key, body={"row": row})
    assert response.status_code == 422
    assert response.get_json()["results"][0]["status"] == "invalid"


# Found: 9999-12 has no following month, so its figures overflowed the calendar (a 500).
def test_a_month_past_the_calendar_is_refused(county: Any) -> None:
    _client, key = make_api_client(organisation=county, scopes=["disclosure:read"])
    url = "/api/disclosure/quality?month=9999-12"
    response = send_checked("GET", "/api/disclosure/quality", url, key=key)
    assert response.status_code == 422
    assert "YYYY-MM" in response.get_json()["detail"]
