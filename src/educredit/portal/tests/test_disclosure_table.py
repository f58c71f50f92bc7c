"""The 双公示 table at /disclosure/: tabs, search, filters, order, paging, the detail page by
public id, the export of the current filter, and the home page's live counts.

Licences and penalties are entered through the disclosure services and approved, as a clerk
and a reviewer would; other records are written straight to the table (the portal only reads
what is stored).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from educredit.core import clock
from educredit.disclosure import national
from educredit.disclosure.tests.pages import licence_row, row_for
from educredit.portal import selectors
from educredit.portal.tests.conftest import add_record, birth_for_age, public_item
from educredit.portal.tests.test_disclosure_fields import (  # the decision fixtures
    DAY,
    REPRESENTATIVE_NUMBER,
    effective,
    penalty,
    school,
)
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.subjects import services as subjects_services
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.models import Institution
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db

__all__ = ["penalty", "school"]  # fixtures used by name

ROW = re.compile(r'href="/disclosure/([0-9a-f-]{36})/"')
ADULT_NUMBER = resident_id(31, born="19800101")
MINOR_NUMBER = resident_id(32, born=birth_for_age(15))


def shown(client: Any, **params: Any) -> list[str]:
    """Public ids of the table's rows on one page, in order."""
    response = client.get("/disclosure/", params)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())


def decided(days_ago: int) -> str:
    return (clock.today() - days_ago * DAY).isoformat()


@pytest.fixture
def world(county_clerk: Any, school: Any, county: Any, penalty: CreditRecord) -> dict[str, Any]:
    """A penalty on the school (警告;罚款, a week ago, 中原区), a warning on a 洛阳 school by
    another body (60 days ago), a licence (3 days ago) and an ordinary public record."""
    luoyang = make_institution(
        supervisor=county, name="洛阳市某某艺术培训学校", serial=4401, region_code="410302"
    )
    warning = effective(
        county_clerk,
        "penalty",
        row_for(
            luoyang,
            "郑中教罚〔2026〕40号",
            CF_CFLB="警告",
            CF_NR="警告",
            CF_NR_FK="",
            CF_CFJG="郑州市教育局",
            CF_JDRQ=decided(60),
            CF_YXQ=decided(-300),
        ),
    )
    licence = effective(
        county_clerk,
        "licence",
        licence_row(
            XK_XDR_MC=school.name,
            XK_XDR_SHXYM=school.uscc,
            XK_XKLB="核准",
            XK_JDRQ=decided(3),
            XK_YXQZ=decided(3),
        ),
    )
    other = add_record(
        item=public_item(category="honour"), organisation=county, institution=school, title="表彰"
    )
    return {"penalty": penalty, "warning": warning, "licence": licence, "other": other}


def ids(*records: CreditRecord) -> list[str]:
    return [str(record.public_id) for record in records]


def test_each_kind_has_its_tab_with_its_count(client: Any, world: dict[str, Any]) -> None:
    assert shown(client) == ids(world["licence"])  # 行政许可 is the first tab
    assert shown(client, tab="penalty") == ids(world["penalty"], world["warning"])
    assert shown(client, tab="other") == ids(world["other"])
    html = client.get("/disclosure/").content.decode()
    counts = dict(re.findall(r'data-ec-tab="(\w+)">[^<]*<span[^>]*>(\d+)</span>', html))
    assert counts == {"licence": "1", "penalty": "2", "other": "1"}
    assert client.get("/disclosure/", {"tab": "nonsense"}).status_code == 200


def test_search_by_party_name_credit_code_or_short_name(
    client: Any, world: dict[str, Any], school: Any
) -> None:
    penalty, warning = world["penalty"], world["warning"]
    assert shown(client, tab="penalty", q="洛阳") == ids(warning)
    assert shown(client, tab="penalty", q=school.uscc) == ids(penalty)
    subjects_services.institution_alias_add(actor="system:test", institution=school, name="某培")
    assert shown(client, tab="penalty", q="某培") == ids(penalty)
    assert shown(client, tab="penalty", q="没有这个学校") == []


def test_each_filter_narrows_the_table(client: Any, world: dict[str, Any]) -> None:
    penalty, warning = world["penalty"], world["warning"]
    both = ids(penalty, warning)
    assert shown(client, tab="penalty") == both
    # 决定机关: part of the deciding body's name.
    assert shown(client, tab="penalty", body="中原区") == ids(penalty)
    # Region: the city (its counties too) or the province.
    assert shown(client, tab="penalty", region="410300") == ids(warning)
    assert shown(client, tab="penalty", region="410100") == ids(penalty)
    assert shown(client, tab="penalty", region="410000") == both
    # Category: 处罚类别 (one of several joined by ";"), 许可类别, the other tab's 信息类别.
    assert shown(client, tab="penalty", category="罚款") == ids(penalty)
    assert shown(client, tab="penalty", category="警告") == both
    assert shown(client, tab="licence", category="核准") == ids(world["licence"])
    assert shown(client, tab="licence", category="普通") == []
    assert shown(client, tab="other", category="honour") == ids(world["other"])
    assert shown(client, tab="other", category="ethics") == []
    # Decision date range, inclusive.
    assert shown(client, tab="penalty", date_from=decided(30)) == ids(penalty)
    assert shown(client, tab="penalty", date_to=decided(30)) == ids(warning)
    assert shown(client, tab="penalty", date_from=decided(60), date_to=decided(60)) == ids(warning)
    # Order: newest first unless asked.
    assert shown(client, tab="penalty", sort="oldest") == ids(warning, penalty)


def test_bad_filters_are_dropped_with_a_reason_never_an_error(
    client: Any, world: dict[str, Any]
) -> None:
    both = ids(world["penalty"], world["warning"])
    for bad in (
        {"date_from": "2026-13-45"},
        {"date_to": "yesterday"},
        {"region": "999999"},
        {"category": "<script>"},
        {"sort": "random"},
        {"page": "x"},
        {"q": "x" * 500},
    ):
        assert shown(client, tab="penalty", **bad) == both, bad
    html = client.get(
        "/disclosure/", {"tab": "penalty", "date_from": decided(1), "date_to": decided(90)}
    ).content.decode()
    assert "截止日期不能早于起始日期" in html


def test_paging_keeps_the_filters(client: Any, zzu: Any, county: Any) -> None:
    item = public_item()
    for n in range(45):
        add_record(item=item, organisation=county, institution=zzu, title=f"记录{n}")
    html = client.get("/disclosure/", {"tab": "other", "q": "郑州大学", "body": "郑州"}).content
    links = set(re.findall(r'href="\?([^"]*page=2)"', html.decode()))
    assert links == {
        "tab=other&amp;q=%E9%83%91%E5%B7%9E%E5%A4%A7%E5%AD%A6&amp;body=%E9%83%91%E5%B7%9E&amp;page=2"
    }
    second = shown(client, tab="other", q="郑州大学", body="郑州", page=2)
    third = shown(client, tab="other", q="郑州大学", body="郑州", page=3)
    assert len(second) == 20 and len(third) == 5 and not set(second) & set(third)


def test_the_detail_page_shows_only_a_public_record_of_an_institution(
    client: Any, zzu: Any, adult: Any, county: Any
) -> None:
    item = public_item()
    public = add_record(item=item, organisation=county, institution=zzu, title="公开的处罚")
    ended = add_record(
        item=item,
        organisation=county,
        institution=zzu,
        title="已过公示期",
        public_until=clock.today(),
    )
    of_adult = add_record(item=item, organisation=county, person=adult, title="成年人的处罚")
    html = client.get(f"/disclosure/{public.public_id}/").content.decode()
    assert "公开的处罚" in html and "警告" in html and "内部" not in html
    for record in (ended, of_adult):
        assert client.get(f"/disclosure/{record.public_id}/").status_code == 404
    assert client.get("/disclosure/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_no_persons_record_is_listed_exported_or_opened(
    client: Any, county_clerk: Any, school: Any, county: Any
) -> None:
    """People are never browsable: an adult's 双公示 penalty shows only on the exact look-up
    (ADR 0015); a minor's record nowhere."""
    adult = make_person(institution=school, name="王成年", number=ADULT_NUMBER)
    minor = make_person(
        institution=school, name="王小未", number=MINOR_NUMBER, role=AffiliationRole.STUDENT
    )
    effective(
        county_clerk,
        "penalty",
        row_for(
            school,
            "郑中教罚〔2026〕50号",
            CF_XDR_LB="自然人",
            CF_XDR_MC="王成年",
            CF_XDR_SHXYM="",
            CF_FRDB="",
            CF_XDR_ZJLX="身份证",
            CF_XDR_ZJHM=ADULT_NUMBER,
        ),
    )
    records = [
        add_record(item=public_item(), organisation=county, person=minor, title="未成年人记录")
    ]
    records += list(CreditRecord.objects.filter(person=adult))
    assert len(records) == 2  # the adult's penalty was entered and approved
    pages = [
        client.get("/disclosure/", {"tab": tab}).content.decode() for tab in ("penalty", "other")
    ]
    pages += [
        client.get("/disclosure/export.csv", {"tab": tab}).content.decode("utf-8-sig")
        for tab in ("penalty", "other")
    ]
    pages += [client.get(f"/disclosure/{r.public_id}/").content.decode() for r in records]
    text = "".join(pages)
    for secret in (
        "王成年",
        "王小未",
        "未成年人记录",
        ADULT_NUMBER,
        MINOR_NUMBER,
        ADULT_NUMBER[-4:],
    ):
        assert secret not in text, secret
    assert all(client.get(f"/disclosure/{r.public_id}/").status_code == 404 for r in records)


def _csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_export_holds_the_published_fields_of_the_filter_and_no_number(
    client: Any, world: dict[str, Any], school: Any
) -> None:
    rows = _csv(client.get("/disclosure/export.csv", {"tab": "penalty", "category": "罚款"}))
    published = [f.name for f in national.PENALTY_FIELDS if f.published]
    assert rows[0] == published
    assert len(rows) == 2  # the filter: only the fine
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["行政处罚决定书文号"] == "郑中教罚〔2026〕12号"
    assert line["行政相对人名称"] == school.name
    assert line["处罚类别"] == "警告;罚款"
    body = client.get("/disclosure/export.csv", {"tab": "penalty"}).content.decode("utf-8-sig")
    for secret in (REPRESENTATIVE_NUMBER, REPRESENTATIVE_NUMBER[-4:], "法定代表人证件号码"):
        assert secret not in body
    workbook = load_workbook(
        io.BytesIO(client.get("/disclosure/export.xlsx", {"tab": "licence"}).content)
    )
    sheet = workbook.active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert list(values[0]) == [f.name for f in national.LICENCE_FIELDS if f.published]
    assert len(values) == 2 and "核准" in values[1]
    other = _csv(client.get("/disclosure/export.csv", {"tab": "other"}))
    assert other[0][0] == "主体名称" and other[1][3] == "表彰" and "内部" not in str(other)


def test_the_export_is_capped_and_rate_limited(
    client: Any, settings: Any, monkeypatch: Any, zzu: Any, county: Any
) -> None:
    item = public_item()
    for n in range(5):
        add_record(item=item, organisation=county, institution=zzu, title=f"记录{n}")
    monkeypatch.setattr(selectors, "DISCLOSURE_EXPORT_CAP", 3)
    assert len(_csv(client.get("/disclosure/export.csv", {"tab": "other"}))) == 1 + 3
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"disclosure_export": 1}
    response = client.get("/disclosure/export.csv", {"tab": "other"})
    assert response.status_code == 429 and response["Retry-After"] == "60"


def test_the_page_states_the_export_cap(client: Any) -> None:
    html = client.get("/disclosure/").content.decode()
    assert f"最多 {selectors.DISCLOSURE_EXPORT_CAP} 条" in html
    assert 'href="/disclosure/export.csv?' in html or 'href="/disclosure/export.csv"' in html


def test_rows_are_stacked_cards_on_a_phone(client: Any, world: dict[str, Any]) -> None:
    html = client.get("/disclosure/", {"tab": "penalty"}).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert 'class="table table-sm table-hover align-middle ec-stack' in table
    cells = re.findall(r"<td[^>]*>", table)
    assert cells and all("data-label=" in cell for cell in cells)
    assert 'class="ec-actions"' in table


@pytest.mark.parametrize("size", [3, 30])
def test_the_table_costs_a_fixed_number_of_queries(
    client: Any, county: Any, size: int, django_assert_max_num_queries: Any
) -> None:
    item = public_item()
    for n in range(size):
        institution = make_institution(supervisor=county, name=f"公示学校{n}", serial=700 + n)
        add_record(item=item, organisation=county, institution=institution, title=f"记录{n}")
    # Rate-limit upsert (+ old windows forgotten), count, page, tab counts, region names once.
    with django_assert_max_num_queries(6):
        response = client.get(
            "/disclosure/", {"tab": "other", "q": "公示学校", "region": "410100", "page": 2}
        )
    assert response.status_code == 200
    record = CreditRecord.objects.filter(institution__isnull=False).first()
    assert record is not None
    with django_assert_max_num_queries(1):
        assert client.get(f"/disclosure/{record.public_id}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/disclosure/export.csv", {"tab": "other"}).status_code == 200


def test_home_cards_link_to_the_live_pages_with_live_counts(
    client: Any, world: dict[str, Any], school: Any, county: Any, django_assert_max_num_queries: Any
) -> None:
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=school,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="严重失信",
        listed_on=clock.today() - DAY,
    )
    with django_assert_max_num_queries(3):
        html = client.get("/").content.decode()
    assert "即将开放" not in html
    cards = html[html.index("ec-features") : html.index("ec-about")]
    assert re.findall(r'class="stretched-link" href="([^"]+)"', cards) == [
        "/disclosure/",
        "/lists/",
        "/query/",
    ]
    assert "行政许可 1 条 · 行政处罚 2 条" in cards
    assert "红名单 0 家 · 严重失信主体名单 1 家" in cards
    assert f"可查询学校和机构 {Institution.objects.count()} 家" in cards
