"""What the API fuzz (``core/tests/test_api_fuzz.py``) found in the sanctions API, kept fixed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from educredit.sanctions.models import BulkCheckRun
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

BULK = "/api/sanctions/bulk-checks"


@pytest.fixture
def headers(shipped: Any, county: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


# Found: a U+0000 in the reference reached the database (PostgreSQL: 500). The bulk check
# reads its own body, so it refuses it as the API's parser does.
def test_a_nul_in_a_json_bulk_check_is_refused(client: Client, headers: dict[str, Any]) -> None:
    body = {
        "scenario": "teacher_qualification",
        "reference": "PL\x00-2026",
        "items": [{"document_type": "resident_id", "document_number": resident_id(62)}],
    }
    response = client.post(BULK, json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 400
    assert "U+0000" in response.json()["detail"]
    assert not BulkCheckRun.objects.exists()


def test_a_nul_in_a_bulk_check_form_is_refused(client: Client, headers: dict[str, Any]) -> None:
    upload = SimpleUploadedFile("名单.csv", f"证件号码\n{resident_id(62)}\n".encode())
    form = {"scenario": "teacher_qualification", "reference": "PL\x00-2026", "file": upload}
    response = client.post(BULK, form, **headers)
    assert response.status_code == 400
    assert not BulkCheckRun.objects.exists()
