"""The subjects API: institutions for staff sessions and API clients with ``subjects:read``,
scoped by the caller's jurisdiction, matching the OpenAPI schema, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from educredit.api import api
from educredit.subjects import services
from educredit.subjects.tests import factories
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

LIST = "/api/subjects/institutions"


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def reader(county):
    _client, key = make_api_client(
        organisation=county, name="中原区学籍系统", scopes=["subjects:read"]
    )
    return key


def test_api_client_lists_only_its_jurisdiction(
    client, reader, county_institution, other_institution
):
    response = client.get(LIST, **bearer(reader))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["name"] for item in body["items"]] == ["中原区第一小学"]
    assert body["items"][0]["supervisor"]["name"] == "中原区教育局"


def test_search_by_former_name_and_code(client, reader, county_institution):
    services.institution_rename(
        actor="system:test",
        institution=county_institution,
        new_name="中原区实验小学",
        effective_on=dt.date(2024, 9, 1),
    )
    by_old = client.get(LIST, {"q": "第一小学"}, **bearer(reader)).json()
    assert by_old["items"][0]["name"] == "中原区实验小学"
    assert by_old["items"][0]["former_names"] == [
        {"name": "中原区第一小学", "used_from": None, "used_until": "2024-08-31"}
    ]
    assert client.get(LIST, {"q": county_institution.uscc}, **bearer(reader)).json()["count"] == 1
    assert client.get(LIST, {"q": "不存在"}, **bearer(reader)).json()["count"] == 0


def test_detail_is_404_outside_jurisdiction(client, reader, county_institution, other_institution):
    own = client.get(f"{LIST}/{county_institution.public_id}", **bearer(reader))
    assert own.status_code == 200 and own.json()["uscc"] == county_institution.uscc
    assert client.get(f"{LIST}/{other_institution.public_id}", **bearer(reader)).status_code == 404


def test_key_without_the_scope_is_refused(client, api_client, county_institution):
    assert client.get(LIST, **bearer(api_client.key)).status_code == 403


def test_staff_session_reads_too(client, outsider, county_institution, other_institution):
    client.force_login(outsider)
    names = [item["name"] for item in client.get(LIST).json()["items"]]
    assert names == ["金水区实验小学"]
    assert client.get(f"{LIST}/{county_institution.public_id}").status_code == 404


def test_anonymous_is_401(client, county_institution):
    assert client.get(LIST).status_code == 401


def test_paging_is_bounded(client, reader, county):
    for serial in range(1, 6):
        factories.make_institution(supervisor=county, name=f"学校{serial}", serial=serial)
    page = client.get(LIST, {"limit": 2, "offset": 2}, **bearer(reader)).json()
    assert (page["count"], len(page["items"]), page["items"][0]["name"]) == (5, 2, "学校3")
    assert client.get(LIST, {"limit": 1000}, **bearer(reader)).status_code == 422


def test_list_query_count_is_constant(client, reader, county, django_assert_max_num_queries):
    factories.make_institution(supervisor=county, name="学校1", serial=1)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST, **bearer(reader))
    for serial in range(2, 12):
        factories.make_institution(supervisor=county, name=f"学校{serial}", serial=serial)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(LIST, **bearer(reader)).json()["count"] == 11


def test_responses_match_the_openapi_schema(client, reader, county_institution):
    schema = api.get_openapi_schema()
    ref = schema["paths"][LIST]["get"]["responses"][200]["content"]["application/json"]["schema"][
        "$ref"
    ]
    page_schema = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    body = client.get(LIST, **bearer(reader)).json()
    assert set(body) == set(page_schema["properties"])
    item_ref = page_schema["properties"]["items"]["items"]["$ref"]
    item_schema = schema["components"]["schemas"][item_ref.rsplit("/", 1)[1]]
    assert set(body["items"][0]) == set(item_schema["properties"])
