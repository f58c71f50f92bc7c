"""GET /api/catalog/items: the catalog in force with field schemas."""

from __future__ import annotations

import pytest

from educredit.testing.factories import make_api_client

URL = "/api/catalog/items"


def test_staff_read_the_catalog_in_force(client, county_viewer, shipped):
    client.force_login(county_viewer)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["effective_from"] == "2026-01-01"
    penalty = next(item for item in body["items"] if item["code"] == "JY-CF-02")
    assert penalty["severity"] == "general" and penalty["disclosure_mode"] == "public"
    content = next(f for f in penalty["field_schema"] if f["name"] == "penalty_content")
    assert content["required"] is True and content["type"] == "text"


def test_an_api_client_needs_the_scope(client, county, shipped):
    _reader, key = make_api_client(organisation=county, name="读目录", scopes=["catalog:read"])
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and len(response.json()["items"]) == shipped.items.count()
    _other, other_key = make_api_client(
        organisation=county, name="无权限", scopes=["accounts:read"]
    )
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 403


def test_anonymous_callers_are_refused(client, shipped):
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_no_catalog_yet(client, county_viewer):
    client.force_login(county_viewer)
    assert client.get(URL).json() == {
        "version": None,
        "title": "",
        "effective_from": None,
        "items": [],
    }


def test_the_endpoint_uses_a_fixed_number_of_queries(
    client, county_viewer, shipped, django_assert_max_num_queries
):
    client.force_login(county_viewer)
    with django_assert_max_num_queries(8):
        client.get(URL)
