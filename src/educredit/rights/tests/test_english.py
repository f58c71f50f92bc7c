"""The rights pages in English leave no Chinese label untranslated (data stays Chinese)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from educredit.rights.tests.factories import make_county, make_subject_user, make_teacher

pytestmark = pytest.mark.django_db

SELF_PAGES = [
    "/self/",
    "/self/objections/",
    "/self/repairs/",
    "/self/queries/",
    "/self/reports/",
    "/self/authorisations/",
]
STAFF_PAGES = [
    "/rights/objections/",
    "/rights/repairs/",
    "/rights/approvals/",
    "/rights/alerts/",
    "/rights/purpose/",
]
PUBLIC_PAGES = ["/verify/", "/verify/authorised/", "/self/activate/"]


def leftover_chinese(html: str, data: list[str]) -> list[str]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for value in data:
        main = main.replace(value, "")
    return re.findall(r"[\u4e00-\u9fff]+", re.sub(r"<[^>]+>", " ", main))


@pytest.mark.parametrize("url", SELF_PAGES + STAFF_PAGES + PUBLIC_PAGES)
def test_rights_pages_in_english_are_fully_translated(url: str) -> None:
    county = make_county()
    teacher = make_teacher(county)
    client = Client()
    if url.startswith("/self/") and url != "/self/activate/":
        client.force_login(make_subject_user(actor=county.clerk, person=teacher))
    elif url.startswith("/rights/"):
        client.force_login(county.province_admin)
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert response.status_code == 200
    data = [teacher.name, county.county.name, county.province.name]
    assert not leftover_chinese(response.content.decode(), data)
