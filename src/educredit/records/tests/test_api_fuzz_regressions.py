"""What the API fuzz (``core/tests/test_api_fuzz.py``) found in the records API, kept fixed."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.records.tests.factories import make_catalog_item
from educredit.subjects.tests.factories import make_institution
from educredit.testing.api_fuzz import send_checked
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


def test_a_body_of_the_wrong_types_is_a_422_the_schema_declares(county: Any) -> None:
    # Found: a number as ``issuing_body_uscc`` got ninja's 422 (``detail`` a list of problems)
    # while the schema declared ``detail`` a string.
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第八小学", serial=59)
    _client, key = make_api_client(organisation=county, scopes=["records:write"])
    body = {
        "catalog_item": str(item.public_id),
        "institution_uscc": school.uscc,
        "title": "未按规定公示收费项目",
        "decision_number": "郑中教罚〔2026〕9号",
        "issuing_body": "中原区教育局",
        "issuing_body_uscc": 1.5,
        "decision_date": "2026-03-01",
        "payload": {"penalty_content": "警告"},
    }
    response = send_checked("POST", "/api/records/", "/api/records/", key=key, body=body)
    assert response.status_code == 422
    assert response.get_json()["detail"][0]["loc"] == ["body", "data", "issuing_body_uscc"]
