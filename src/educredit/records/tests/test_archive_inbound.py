"""The credit archive shows what the provincial platform told us, apart and read-only (ADR 0018).

The inbound rows are written straight to exchange's tables, as ``inbound_pull`` leaves them
(its own tests cover the pull): this is about what the archive page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from educredit.exchange.models import InboundEvaluation, InboundListing
from educredit.records.choices import CreditRecordStatus
from educredit.records.tests.factories import make_record
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db

FETCHED = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
HAN = re.compile(r"[\u4e00-\u9fff]")
TAX = "国家税务总局郑州市税务局"
COURT = "郑州市中级人民法院"
MARKET = "郑州市市场监督管理局"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(institution: Any) -> str:
    return reverse("records:institution_archive", kwargs={"institution_id": institution.public_id})


def _listing(institution: Any, name: str, department: str, listed: str, removed: str = "") -> Any:
    return InboundListing.objects.create(
        institution=institution,
        list_name=name,
        department=department,
        listed_on=dt.date.fromisoformat(listed),
        removed_on=dt.date.fromisoformat(removed) if removed else None,
        fetched_at=FETCHED,
    )


def _section(html: str) -> str:
    found = re.search(r"<section [^>]*data-ec-inbound.*?</section>", html, re.S)
    assert found is not None, "no inbound section"
    return found.group()


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="中原区晨光学校", serial=5401)


@pytest.fixture
def facts(school: Any) -> Any:
    """Two grades (the later one counts), one active and two removed listings."""
    for grade, day in (("A", "2025-10-31"), ("C", "2026-10-31")):
        InboundEvaluation.objects.create(
            institution=school,
            grade=grade,
            evaluated_on=dt.date.fromisoformat(day),
            fetched_at=FETCHED,
        )
    return [
        _listing(school, "失信被执行人", COURT, "2024-03-01", removed="2025-01-15"),
        _listing(school, "重大税收违法失信主体", TAX, "2026-09-01"),
        _listing(school, "严重违法失信名单", MARKET, "2025-06-01", removed="2026-08-20"),
    ]


def test_staff_in_jurisdiction_see_the_grade_and_the_listings_marked_external(
    county_viewer: Any, school: Any, facts: Any
) -> None:
    html = _client(county_viewer).get(_url(school)).content.decode()
    section = _section(html)
    assert "来自信用河南的信息" in section
    grade = re.search(r"data-ec-inbound-grade>(.*?)</p>", section, re.S)
    assert grade is not None
    assert ">C<" in grade.group(1) and "2026-10-31" in grade.group(1)
    assert ">A<" not in section  # the earlier grade is superseded
    items = re.findall(r'data-ec-inbound-listing="(\w+)">(.*?)</li>', section, re.S)
    # Active first, then removed ones, the most recently removed first.
    order = [(state, next(d for d in (TAX, MARKET, COURT) if d in text)) for state, text in items]
    assert order == [
        ("active", TAX),
        ("removed", MARKET),
        ("removed", COURT),
    ]
    for state, text in items:
        assert "（外部信息，仅供参考）" in text
        assert "认定部门：" in text
        assert ("移出日期" in text) == (state == "removed")
    assert "2026-08-20" in items[1][1] and "2025-01-15" in items[2][1]
    # Read-only: the section offers nothing to act on.
    assert "<form" not in section and "<button" not in section and "<a " not in section


def test_no_section_without_inbound_facts(county_viewer: Any, school: Any) -> None:
    other = make_institution(supervisor=school.supervisor, name="中原区无名学校", serial=5402)
    _listing(other, "重大税收违法失信主体", TAX, "2026-09-01")  # someone else's
    html = _client(county_viewer).get(_url(school)).content.decode()
    assert "data-ec-inbound" not in html and TAX not in html


def test_a_persons_archive_has_no_inbound_section(
    county_viewer: Any, school: Any, facts: Any
) -> None:
    person = make_person(institution=school, name="周老师", number=resident_id(47))
    url = reverse("records:person_archive", kwargs={"person_id": person.public_id})
    html = _client(county_viewer).get(url).content.decode()
    assert "data-ec-inbound" not in html and TAX not in html


def test_outsiders_get_404_not_the_facts(outsider: Any, school: Any, facts: Any) -> None:
    response = _client(outsider).get(_url(school))
    assert response.status_code == 404
    assert TAX not in response.content.decode()


def test_the_page_in_english(county_viewer: Any, school: Any, facts: Any) -> None:
    client = _client(county_viewer)
    client.cookies["django_language"] = "en"
    html = client.get(_url(school)).content.decode()
    assert "From the provincial platform" in _section(html)
    assert "(external, read-only)" in _section(html)
    main = html[html.find("<main") : html.find("</main>")]  # the page, less the menu
    # The platform's own data (names of lists and departments) stays as it came.
    data = [school.name, TAX, COURT, MARKET, *(listing.list_name for listing in facts)]
    for value in sorted(data, key=len, reverse=True):
        main = main.replace(value, "")
    visible = re.sub(r"<[^>]+>", " ", main)
    assert not HAN.search(visible), HAN.findall(visible)


def test_the_query_count_does_not_grow_with_the_listings(
    county_viewer: Any, county_clerk: Any, school: Any, facts: Any
) -> None:
    make_record(
        actor=county_clerk, institution=school, status=CreditRecordStatus.EFFECTIVE, title="处罚"
    )
    client = _client(county_viewer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(school)).status_code == 200
        return len(queries)

    before = count()
    for n in range(6):
        _listing(
            school, f"名单{n}", MARKET, f"2026-0{n + 1}-01", removed="" if n % 2 else "2026-10-01"
        )
    assert count() == before
