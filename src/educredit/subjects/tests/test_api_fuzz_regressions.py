"""What the API fuzz (``core/tests/test_api_fuzz.py``) found in the subjects API, kept fixed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


# Found: an offset past 64 bits reached the database (SQLite: datatype mismatch; PostgreSQL:
# bigint out of range), a 500.
@pytest.mark.parametrize("offset", ["99999999999999999999", "1000000001"])
def test_an_offset_out_of_range_is_refused(client: Client, county: Any, offset: str) -> None:
    _client, key = make_api_client(organisation=county, scopes=["subjects:read"])
    response = client.get(
        f"/api/subjects/institutions?offset={offset}", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422
    assert "offset" in response.json()["detail"]
