"""GET /api/sanctions/scenarios and /api/sanctions/measures."""

from __future__ import annotations

import datetime as dt

import pytest

from educredit.sanctions import services
from educredit.sanctions.tests.factories import TEST_ACTOR
from educredit.testing.factories import make_api_client

SCENARIOS = "/api/sanctions/scenarios"
MEASURES = "/api/sanctions/measures"


def test_staff_read_the_list_in_force(client, county_viewer, shipped):
    client.force_login(county_viewer)
    body = client.get(MEASURES).json()
    assert body["version"] == 1 and body["effective_from"] == "2026-01-01"
    assert len(body["measures"]) == shipped.measures.count()
    revoked = next(m for m in body["measures"] if m["code"] == "JY-CJ-001")
    assert revoked["trigger_items"] == ["JY-ZG-01"] and revoked["verdict"] == "restricted"
    assert revoked["duration_field"] == "reapply_from" and revoked["duration_months"] == 60
    assert revoked["scenarios"] == ["teacher_qualification"]
    scenarios = client.get(SCENARIOS).json()["scenarios"]
    assert {"code": "student_aid", "name": "学生资助"}.items() <= scenarios[12].items()


def test_as_of_answers_with_the_version_then_in_force(client, county_viewer, draft):
    services.measure_list_version_publish(
        actor=TEST_ACTOR, version=draft, effective_from=dt.date(2027, 1, 1)
    )
    client.force_login(county_viewer)
    assert client.get(MEASURES, {"as_of": "2026-06-01"}).json()["version"] == 1
    assert client.get(MEASURES, {"as_of": "2027-01-01"}).json()["version"] == 2
    before = client.get(MEASURES, {"as_of": "2025-01-01"}).json()
    assert before["version"] is None and before["measures"] == []
    assert client.get(MEASURES, {"as_of": "not-a-date"}).status_code == 422


def test_an_api_client_needs_the_scope(client, county, shipped):
    _reader, key = make_api_client(organisation=county, name="筛查", scopes=["sanctions:read"])
    for target in (SCENARIOS, MEASURES):
        assert client.get(target, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    _other, other = make_api_client(organisation=county, name="无权限", scopes=["catalog:read"])
    for target in (SCENARIOS, MEASURES):
        assert client.get(target, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403


@pytest.mark.django_db
def test_anonymous_callers_are_refused(client):
    for target in (SCENARIOS, MEASURES):
        assert client.get(target).status_code == 401


def test_the_schema_documents_both_operations(client, shipped):
    schema = client.get("/api/openapi.json").json()
    assert "/api/sanctions/measures" in schema["paths"]
    assert "/api/sanctions/scenarios" in schema["paths"]
    fields = schema["components"]["schemas"]["MeasureOut"]["properties"]
    assert {"matter", "target", "means", "implementer", "legal_basis"} <= set(fields)


def test_the_endpoints_use_a_fixed_number_of_queries(
    client, county_viewer, shipped, django_assert_max_num_queries
):
    client.force_login(county_viewer)
    with django_assert_max_num_queries(8):
        client.get(MEASURES)
    with django_assert_max_num_queries(8):
        client.get(SCENARIOS)
