"""The shared edition pieces on the catalog's pages: what a version changed against the one
before it, and the publish page's panel."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse

from educredit.catalog.services import catalog_item_delete, catalog_item_update
from educredit.catalog.tests.factories import TEST_ACTOR, make_draft


def _detail(client: Client, number: int) -> str:
    page = client.get(f"{reverse('catalog:version_detail')}?v={number}")
    assert page.status_code == 200
    return page.content.decode()


def test_a_version_page_shows_what_changed_against_the_one_before(client, county_viewer, db):
    draft = make_draft(effective_from=datetime.date(2027, 1, 1))
    items = {item.code: item for item in draft.items.all()}
    catalog_item_update(actor=TEST_ACTOR, item=items["JY-CF-02"], severity="serious")
    catalog_item_delete(actor=TEST_ACTOR, item=items["JY-BZ-01"])
    client.force_login(county_viewer)
    body = _detail(client, draft.number)
    assert "与第 1 版相比" in body
    assert "删除条目</span> JY-BZ-01" in body
    assert "修改条目</span> JY-CF-02" in body and "信用性质" in body
    assert "与第" not in _detail(client, 1)  # the first version has none before it
    client.cookies["django_language"] = "en"
    english = _detail(client, draft.number)
    assert "Changes against version 1" in english


def test_an_unchanged_copy_says_so(client, county_viewer, db):
    draft = make_draft(effective_from=datetime.date(2027, 1, 1))
    client.force_login(county_viewer)
    body = _detail(client, draft.number)
    assert "与上一版相同。" in body and "修改条目" not in body


def test_the_publish_page_names_the_version_it_retires(client, province_admin, db):
    draft = make_draft(effective_from=datetime.date(2027, 1, 1))
    client.force_login(province_admin)
    page = client.get(f"{reverse('catalog:version_publish')}?v={draft.number}")
    body = page.content.decode()
    assert page.status_code == 200
    assert f"第 {draft.number} 版将自 2027-01-01 起施行" in body
    assert "现行第 1 版自该日起废止。" in body and "确认发布" in body


def test_a_page_names_its_edition_by_number_else_404(rf: RequestFactory, db: None) -> None:
    from educredit.catalog.models import CatalogVersion
    from educredit.catalog.tests.factories import shipped_catalog
    from educredit.editions.views import edition_from_query

    shipped = shipped_catalog()
    assert edition_from_query(rf.get("/", {"v": "1"}), CatalogVersion) == shipped
    for query in ({"v": "2"}, {"v": "x"}, {}):
        with pytest.raises(Http404):
            edition_from_query(rf.get("/", query), CatalogVersion)
    in_force = edition_from_query(rf.get("/"), CatalogVersion, default=lambda: shipped)
    assert in_force == shipped
    with pytest.raises(Http404):  # a malformed number never falls back to the default
        edition_from_query(rf.get("/", {"v": "x"}), CatalogVersion, default=lambda: shipped)
