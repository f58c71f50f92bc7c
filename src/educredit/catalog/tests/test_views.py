"""Catalog pages: every staff user reads and exports; only provincial admins change it."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from educredit.catalog.choices import CatalogVersionStatus
from educredit.catalog.spreadsheet import export_version


def url(name: str, query: str = "") -> str:
    return reverse(f"catalog:{name}") + (f"?{query}" if query else "")


@pytest.mark.parametrize("persona", ["province_admin", "county_viewer", "outsider"])
def test_every_staff_user_reads_the_catalog(client, request, shipped, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(url("version_list"))
    assert page.status_code == 200 and shipped.title in page.content.decode()
    page = client.get(url("version_detail", "v=1"))
    assert page.status_code == 200
    assert "JY-CF-02" in page.content.decode()
    item = shipped.items.get(code="JY-CF-02")
    page = client.get(url("item_detail", f"id={item.public_id}"))
    body = page.content.decode()
    assert page.status_code == 200 and "处罚内容" in body and "penalty_content" in body
    export = client.get(url("version_export", "v=1"))
    assert export.status_code == 200
    assert load_workbook(io.BytesIO(export.content))["目录"].max_row == shipped.items.count() + 1


def test_anonymous_users_are_sent_to_sign_in(client, shipped):
    assert client.get(url("version_list")).status_code == 302


def test_unknown_versions_and_items_are_404(client, county_viewer, shipped):
    client.force_login(county_viewer)
    assert client.get(url("version_detail", "v=99")).status_code == 404
    assert client.get(url("version_detail", "v=x")).status_code == 404
    assert client.get(url("item_detail", "id=not-a-uuid")).status_code == 404


def test_edit_buttons_only_for_provincial_admins(client, province_admin, county_admin, draft):
    client.force_login(county_admin)
    body = client.get(url("version_detail", f"v={draft.number}")).content.decode()
    assert url("version_publish") not in body
    client.force_login(province_admin)
    body = client.get(url("version_detail", f"v={draft.number}")).content.decode()
    assert url("version_publish") in body


@pytest.mark.parametrize("persona", ["county_admin", "county_viewer", "city_reviewer"])
def test_others_cannot_change_the_catalog(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    item = draft.items.first()
    for target in (
        url("version_create"),
        url("item_edit", f"id={item.public_id}"),
        url("version_import", f"v={draft.number}"),
        url("version_publish", f"v={draft.number}"),
    ):
        assert client.get(target).status_code == 403
        assert client.post(target).status_code == 403
    draft.refresh_from_db()
    assert draft.status == CatalogVersionStatus.DRAFT


def test_a_provincial_admin_drafts_edits_imports_and_publishes(client, province_admin, shipped):
    client.force_login(province_admin)
    response = client.post(
        url("version_create"), {"title": "2027年版", "effective_from": "2027-01-01"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?v=2")

    item = shipped.items.get(code="JY-CF-02")
    draft_item = item.__class__.objects.get(version__number=2, code="JY-CF-02")
    assert client.get(url("item_edit", f"id={item.public_id}")).status_code == 403  # published
    form = client.get(url("item_edit", f"id={draft_item.public_id}"))
    assert form.status_code == 200
    data = dict(form.context["form"].initial)
    data["name"] = "行政处罚（一般失信）"
    response = client.post(url("item_edit", f"id={draft_item.public_id}"), data)
    assert response.status_code == 302
    draft_item.refresh_from_db()
    assert draft_item.name == "行政处罚（一般失信）"
    assert draft_item.field_schema == item.field_schema

    bad = dict(data, field_schema=json.dumps([{"name": "x", "label": "", "type": "money"}]))
    response = client.post(url("item_edit", f"id={draft_item.public_id}"), bad)
    assert response.status_code == 200 and "类型应为" in response.content.decode()
    response = client.post(
        url("item_edit", f"id={draft_item.public_id}"), dict(data, field_schema="{")
    )
    assert response.status_code == 200 and "JSON" in response.content.decode()

    upload = io.BytesIO(export_version(shipped))
    upload.name = "catalog.xlsx"
    response = client.post(url("version_import", "v=2"), {"file": upload})
    assert response.status_code == 302
    draft_item.refresh_from_db()
    assert draft_item.name == item.name  # the file made the draft equal to version 1 again

    broken = io.BytesIO(b"not a workbook")
    broken.name = "catalog.xlsx"
    response = client.post(url("version_import", "v=2"), {"file": broken})
    assert response.status_code == 200 and "XLSX" in response.content.decode()

    assert client.get(url("version_publish", "v=2")).status_code == 200
    response = client.post(url("version_publish", "v=2"), {"reason": "年度修订"})
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert shipped.status == CatalogVersionStatus.RETIRED
    assert client.get(url("version_publish", "v=2")).status_code == 403


def test_publishing_too_early_shows_the_reason(client, province_admin, shipped):
    client.force_login(province_admin)
    client.post(url("version_create"), {"title": "早", "effective_from": "2025-06-01"})
    response = client.post(url("version_publish", "v=2"), {})
    assert response.status_code == 200
    assert "施行日期应晚于现行第 1 版的施行日期" in response.content.decode()
    client.cookies["django_language"] = "en"
    english = client.post(url("version_publish", "v=2"), {}).content.decode()
    assert "effective date must be after" in english and "施行日期应晚于" not in english


def test_the_menu_offers_the_catalog_to_staff(client, county_viewer, shipped):
    client.force_login(county_viewer)
    body = client.get(reverse("web:home")).content.decode()
    assert url("version_list") in body


def test_version_pages_use_a_fixed_number_of_queries(
    client, county_viewer, shipped, django_assert_max_num_queries
):
    client.force_login(county_viewer)
    with django_assert_max_num_queries(12):
        client.get(url("version_detail", "v=1"))
    with django_assert_max_num_queries(12):
        client.get(url("version_list"))
