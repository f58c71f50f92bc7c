"""A broad search lists a bounded number of institutions and asks for a fuller query."""

from __future__ import annotations

import re

import pytest

from educredit.portal.selectors import SEARCH_CAP, institution_search_public
from educredit.portal.services import search_index_rebuild
from educredit.subjects.models import Institution
from educredit.subjects.tests.factories import uscc

pytestmark = pytest.mark.django_db

REFINE = "找到超过 200 个结果，请输入更完整的名称或统一社会信用代码"


def _schools(county, count: int, *, city: str = "郑州市", first_serial: int = 0) -> None:
    """``count`` schools of ``city`` written in bulk, then indexed as ``portal reindex`` does."""
    Institution.objects.bulk_create(
        Institution(
            name=f"{city}第{n:03d}中学",
            kind="primary",
            region_code="410102",
            supervisor=county,
            uscc=uscc(first_serial + n),
        )
        for n in range(count)
    )
    search_index_rebuild()


def links(html: str) -> list[str]:
    return re.findall(r'href="(/institutions/[^"]+)"', html)


def test_a_search_over_the_cap_asks_to_refine_and_pages_within_it(client, county):
    _schools(county, SEARCH_CAP + 30)
    response = client.get("/query/", {"q": "郑州市"})
    html = response.content.decode()
    assert response.status_code == 200
    assert REFINE in html
    assert "找到 230 个机构" not in html
    assert len(links(html)) == 20
    assert "第 1 / 10 页" in html  # 200 results at 20 a page
    pages = [
        client.get("/query/", {"q": "郑州市", "page": n}).content.decode() for n in range(2, 11)
    ]
    listed = links(html) + [link for page in pages for link in links(page)]
    assert len(listed) == len(set(listed)) == SEARCH_CAP
    last = pages[-1]
    assert "下一页" not in last
    # Beyond the cap there is no page: the paginator answers with the last one.
    beyond = client.get("/query/", {"q": "郑州市", "page": 12}).content.decode()
    assert links(beyond) == links(last)


def test_the_capped_list_is_stable_and_by_name(county):
    _schools(county, SEARCH_CAP + 5)
    first = institution_search_public("郑州市")
    again = institution_search_public("zzs")
    assert first.over_cap and again.over_cap
    listed = [i.name for i in first.institutions]
    assert len(listed) == SEARCH_CAP and listed == sorted(listed)
    assert listed == [i.name for i in institution_search_public("郑州市").institutions]
    assert [i.name for i in again.institutions] == listed


def test_english_page_says_more_than_200(client, county):
    _schools(county, SEARCH_CAP + 1)
    client.cookies["django_language"] = "en"  # what the language switch sets
    html = client.get("/query/", {"q": "郑州市"}).content.decode()
    assert "More than 200 matches — refine your search" in html


def test_a_search_under_the_cap_shows_the_exact_count(client, county):
    _schools(county, SEARCH_CAP)
    _schools(county, 3, city="开封市", first_serial=500)
    html = client.get("/query/", {"q": "郑州市"}).content.decode()
    assert "找到 200 个机构" in html and REFINE not in html
    assert "第 1 / 10 页" in html
    html = client.get("/query/", {"q": "kfs"}).content.decode()
    assert "找到 3 个机构" in html and REFINE not in html
