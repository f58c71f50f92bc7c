"""Measure-list pages: every staff user reads and exports; only provincial admins change it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from educredit.sanctions.choices import MeasureListVersionStatus
from educredit.sanctions.models import Scenario

HAN = re.compile(r"[\u4e00-\u9fff]")


def url(name: str, query: str = "") -> str:
    return reverse(f"sanctions:{name}") + (f"?{query}" if query else "")


@pytest.mark.parametrize("persona", ["province_admin", "county_viewer", "outsider"])
def test_every_staff_user_reads_the_list(client, request, shipped, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(url("measure_list")).content.decode()
    assert shipped.title in body and "JY-CJ-001" in body and "JY-JL-005" in body
    assert "《教师资格条例》第十九条" in body and "JY-ZG-01" in body and "教师资格撤销信息" in body
    assert "以决定载明日期为准，且不少于24个月" in body and "至名单移出" in body and "永久" in body
    assert url("measure_edit") not in body  # published: nothing to edit
    body = client.get(url("scenario_list")).content.decode()
    assert "teacher_qualification" in body and "Teacher qualification certification" in body
    export = client.get(url("measure_export", "v=1"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content))["措施清单"]
    assert sheet.max_row == shipped.measures.count() + 1


def test_the_filters_narrow_the_list(client, county_viewer, shipped):
    client.force_login(county_viewer)

    def cards(query: str) -> list[str]:
        body = client.get(url("measure_list", query)).content.decode()
        return re.findall(r"JY-(?:CJ|JL)-\d{3}", body)

    assert set(cards("direction=reward")) == {f"JY-JL-00{n}" for n in range(1, 6)}
    assert set(cards("scenario=government_procurement")) == {"JY-CJ-020"}
    assert set(cards("trigger=JY-ZG-02")) == {"JY-CJ-002", "JY-CJ-028"}
    assert set(cards("trigger=list:focus")) == {"JY-CJ-019"}
    institutions = set(cards("subject_type=institution"))
    assert "JY-CJ-016" in institutions and "JY-CJ-001" not in institutions
    assert set(cards("scenario=nonsense")) >= {"JY-CJ-001"}  # an unknown filter is ignored


def test_anonymous_users_are_sent_to_sign_in(client, shipped):
    for name in ("measure_list", "scenario_list", "measure_export"):
        assert client.get(url(name)).status_code == 302


def test_no_list_yet(client, county_viewer, db):
    client.force_login(county_viewer)
    assert "尚未建立措施清单" in client.get(url("measure_list")).content.decode()


def test_unknown_versions_and_measures_are_404(client, county_viewer, province_admin, draft):
    client.force_login(county_viewer)
    assert client.get(url("measure_list", "v=99")).status_code == 404
    assert client.get(url("measure_export", "v=x")).status_code == 404
    client.force_login(province_admin)
    assert client.get(url("measure_edit", "id=not-a-uuid")).status_code == 404


@pytest.mark.parametrize("persona", ["county_admin", "county_viewer", "city_reviewer"])
def test_others_cannot_change_the_list(client, request, draft, persona):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(url("measure_list", f"v={draft.number}")).content.decode()
    assert url("measure_edit") not in body and url("version_publish") not in body
    measure = draft.measures.first()
    for target in (
        url("version_draft"),
        url("measure_edit", f"id={measure.public_id}"),
        url("version_publish", f"v={draft.number}"),
    ):
        assert client.get(target).status_code == 403
        assert client.post(target).status_code == 403
    draft.refresh_from_db()
    assert draft.status == MeasureListVersionStatus.DRAFT


def test_a_provincial_admin_drafts_edits_and_publishes(client, province_admin, shipped):
    client.force_login(province_admin)
    response = client.post(url("version_draft"), {"title": "第2版"})
    assert response.status_code == 302 and response["Location"].endswith("?v=2")
    published = shipped.measures.get(code="JY-CJ-004")
    assert client.get(url("measure_edit", f"id={published.public_id}")).status_code == 403
    measure = published.__class__.objects.get(version__number=2, code="JY-CJ-004")
    body = client.get(url("measure_list", "v=2")).content.decode()
    assert f"id={measure.public_id}" in body
    form = client.get(url("measure_edit", f"id={measure.public_id}"))
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data["duration_months"] = 18
    response = client.post(url("measure_edit", f"id={measure.public_id}"), data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.duration_months == 18 and measure.scenarios == published.scenarios
    assert measure.trigger_where == published.trigger_where

    bad = dict(data, duration_field="")
    response = client.post(url("measure_edit", f"id={measure.public_id}"), bad)
    assert response.status_code == 200 and "应填写期限字段" in response.content.decode()

    response = client.post(url("version_publish", "v=2"), {"effective_from": "2025-01-01"})
    assert "施行日期应晚于现行第" in response.content.decode()
    response = client.post(url("version_publish", "v=2"), {"effective_from": "2027-01-01"})
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert shipped.status == MeasureListVersionStatus.RETIRED
    assert client.get(url("version_publish", "v=2")).status_code == 403


def test_the_menu_offers_the_list_to_staff(client, county_viewer, shipped):
    client.force_login(county_viewer)
    assert url("measure_list") in client.get(reverse("web:home")).content.decode()


def test_the_pages_in_english(client, county_viewer, shipped):
    client.force_login(county_viewer)
    client.cookies["django_language"] = "en"
    data: list[str] = [shipped.title]
    for measure in shipped.measures.all():
        data += [measure.matter, measure.target, measure.means, measure.implementer]
        data += [measure.legal_basis, measure.duration_note]
        data += [v for values in measure.trigger_where.values() for v in values]
    data += list(Scenario.objects.values_list("name", flat=True))
    data += list(Scenario.objects.values_list("description", flat=True))
    # Catalog item names and field labels are the catalog's data (Chinese in every language).
    data += [item.name for item in shipped_catalog_items()]
    data += [f["label"] for item in shipped_catalog_items() for f in item.field_schema]
    for target in (url("measure_list"), url("scenario_list")):
        html = client.get(target).content.decode()
        main = html[html.find("<main") : html.find("</main>")]
        for value in sorted(filter(None, data), key=len, reverse=True):
            main = main.replace(value, "")
        visible = re.sub(r"<[^>]+>", " ", main)
        assert not HAN.search(visible), (target, HAN.findall(visible))
    html = client.get(url("measure_list")).content.decode()
    assert "Fixed-term" not in html and "until the list exit" in html.lower()


def shipped_catalog_items() -> list[Any]:
    from educredit.catalog.tests.factories import shipped_catalog

    return list(shipped_catalog().items.all())


def test_pages_use_a_fixed_number_of_queries(
    client, county_viewer, shipped, django_assert_max_num_queries
):
    client.force_login(county_viewer)
    with django_assert_max_num_queries(14):
        client.get(url("measure_list"))
    with django_assert_max_num_queries(10):
        client.get(url("scenario_list"))
