"""What the API fuzz (``test_api_fuzz.py``) found across the API, kept fixed: U+0000 in a
query string or a JSON body is refused with 400 by the API's parser (PostgreSQL text cannot
hold it; it failed deep in the handlers with a 500, or a check answered 503)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item
from educredit.subjects.tests.factories import make_institution, resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def headers(county: Any) -> dict[str, Any]:
    scopes = ["subjects:read", "records:write", "sanctions:check"]
    _client, key = make_api_client(organisation=county, scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _refused(response: Any) -> None:
    assert response.status_code == 400, response.content
    assert "U+0000" in response.json()["detail"]


@pytest.mark.parametrize("query", ["q=%00", "kind=a%00", "region=%0041"])
def test_a_nul_in_a_query_string_is_refused(
    client: Client, headers: dict[str, Any], query: str
) -> None:
    _refused(client.get(f"/api/subjects/institutions?{query}", **headers))


def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(
    client: Client, headers: dict[str, Any], county: Any
) -> None:
    school = make_institution(supervisor=county, name="中原区第九小学", serial=60)
    body = {
        "catalog_item": str(make_catalog_item().public_id),
        "institution_uscc": school.uscc,
        "title": "未按规定公示\x00收费项目",
        "decision_number": "郑中教罚〔2026〕10号",
        "issuing_body": "中原区教育局",
        "decision_date": "2026-03-01",
        "payload": {"penalty_content": "警告"},
    }
    response = client.post(
        "/api/records/", json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert not CreditRecord.objects.exists()


def test_a_nul_in_a_check_is_refused_not_answered_as_unavailable(
    client: Client, headers: dict[str, Any]
) -> None:
    body = {
        "document_type": "resident_id",
        "document_number": resident_id(61),
        "scenario": "teacher_qualification",
        "reference": "JS\x00-2026",
    }
    response = client.post(
        "/api/sanctions/check", json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 400
