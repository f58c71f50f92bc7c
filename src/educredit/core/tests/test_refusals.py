"""Characters no database can store are refused with 400 before anything reads the database
(ADR 0039): U+0000 in a path, query string, form field or JSON body, and lone surrogates in
JSON; pages get the site's 400 page in its layout, ``/api/`` the API's JSON. On PostgreSQL
these were 500s ("PostgreSQL text fields cannot contain NUL (0x00) bytes")."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from educredit.accounts.models import Organisation
from educredit.subjects.models import ImportRun
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

UNSTORABLE_PAGE = "请求中含有无法保存的字符"


def _page_refused(response: Any) -> str:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    text: str = response.content.decode()
    assert UNSTORABLE_PAGE in text
    return text


def _api_refused(response: Any) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "U+0000" in response.json()["detail"]


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "q=%E4%B8%AD%00&region=41"])
def test_a_nul_in_the_public_search_is_the_sites_400_page(client: Client, query: str) -> None:
    text = _page_refused(client.get(f"/query/?{query}"))
    assert "ec-portal" in text  # the portal's layout, not a bare page


def test_the_refusal_comes_before_any_query(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        _page_refused(client.get("/query/?q=%00"))


def test_a_nul_in_a_staff_list_is_the_400_page_in_the_workspace(
    client: Client, county_admin: Any
) -> None:
    client.force_login(county_admin)
    text = _page_refused(client.get("/accounts/users/?q=%00"))
    assert "ec-workspace" in text


def test_the_400_page_is_in_the_readers_language(client: Client, county_admin: Any) -> None:
    client.cookies["django_language"] = "en"
    response = client.get("/query/?q=%00")
    assert response.status_code == 400
    text = response.content.decode()
    assert "cannot be stored" in text and UNSTORABLE_PAGE not in text


def test_a_nul_in_the_path_is_refused(client: Client, county_admin: Any) -> None:
    client.force_login(county_admin)
    _page_refused(client.get("/subjects/institutions/%00/"))


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(
    client: Client, county_admin: Any, county: Any
) -> None:
    client.force_login(county_admin)
    before = Organisation.objects.count()
    response = client.post(
        f"/accounts/organisations/{county.public_id}/add/",
        {"name": "中原区\x00第二小学", "kind": "school", "region_code": "410102"},
    )
    _page_refused(response)
    assert Organisation.objects.count() == before


def test_a_nul_in_a_field_name_is_refused(client: Client) -> None:
    _page_refused(client.post("/accounts/login/", {"user\x00name": "a", "password": "b"}))


def test_a_multipart_field_is_refused_but_a_files_content_is_not_judged_here(
    client: Client, county_clerk: Any
) -> None:
    client.force_login(county_clerk)
    content = b"name,uscc\n\x00\x00,123\n"
    upload = io.BytesIO(content)
    upload.name = "institutions.csv"
    response = client.post("/subjects/imports/new/", {"kind": "inst\x00", "file": upload})
    _page_refused(response)
    assert not ImportRun.objects.exists()

    upload = io.BytesIO(content)
    upload.name = "institutions.csv"
    response = client.post("/subjects/imports/new/", {"kind": "nonsense", "file": upload})
    # The file's bytes are the upload check's business, not this refusal's.
    assert UNSTORABLE_PAGE not in response.content.decode()


@pytest.fixture
def headers(county: Any) -> dict[str, Any]:
    _client, key = make_api_client(organisation=county, scopes=["subjects:read", "records:write"])
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("query", ["q=%00", "kind=a%00"])
def test_a_nul_in_an_api_query_string_is_json(
    client: Client, headers: dict[str, Any], query: str
) -> None:
    _api_refused(client.get(f"/api/subjects/institutions?{query}", **headers))


@pytest.mark.parametrize(
    "escaped",
    ['"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udfffy"', '{"\\u0000": 1}'],
    ids=["nul", "nul-inside", "high-surrogate", "low-surrogate", "in-a-key"],
)
def test_unstorable_characters_in_a_json_body_are_refused(
    client: Client, headers: dict[str, Any], escaped: str
) -> None:
    body = '{"title": ' + escaped + ', "payload": {}}'
    response = client.post("/api/records/", body, content_type="application/json", **headers)
    _api_refused(response)


def test_text_a_database_can_store_is_not_refused(client: Client, headers: dict[str, Any]) -> None:
    # An escaped pair is one character (U+1F600), escaped Chinese is ordinary text.
    body = '{"title": "\\ud83d\\ude00 \\u4e2d\\u6587", "payload": {}}'
    assert json.loads(body)["title"] == "\U0001f600 中文"
    response = client.post("/api/records/", body, content_type="application/json", **headers)
    assert response.status_code not in (400, 500), response.content[:300]
    response = client.get("/api/subjects/institutions?q=%E4%B8%AD%E5%8E%9F", **headers)
    assert response.status_code == 200


def test_a_json_body_to_a_page_is_refused_with_the_page(client: Client) -> None:
    response = client.post("/query/", '{"q": "\\u0000"}', content_type="application/json")
    _page_refused(response)
