"""Red-list candidates from honours (表彰奖励与先进事迹信息, JY-BZ-01), for the provincial office.

The province honoured 郑州市实验中学 (省级, 2025) and 张老师 (国家级, with his exemplary deeds):
both are candidates. 中原区育才小学's honour is only at city level; 金水区培训学校 was honoured
at provincial level but carries a penalty in force; 二七区职业学校's honour is five years old;
郑州市第九中学 is already proposed for the red list: none of them is a candidate. The page shows
each candidate with its deeds and a button to the red-list proposal citing its honours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from educredit.catalog.models import CatalogItem
from educredit.catalog.tests.factories import shipped_catalog
from educredit.core.clock import today
from educredit.records import lists, red_candidates
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_record, make_reviewer
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db

PAGE = "/records/lists/red-candidates/"
DEEDS = "扎根乡村教学三十年，资助贫困学生二百余名"


def honour(admin: Any, level: str, decided: dt.date, *, deeds: str = "", **subject: Any) -> Any:
    payload = {
        "honour_name": "河南省教书育人楷模" if level != "国家级" else "全国模范教师",
        "level": level,
        "awarding_body": "河南省人民政府" if level != "国家级" else "教育部",
    }
    if deeds:
        payload["deeds"] = deeds
    return make_record(
        actor=admin,
        reviewer=make_reviewer(organisation=admin.organisation),
        catalog_item=CatalogItem.objects.get(code="JY-BZ-01"),
        title="表彰奖励",
        issuing_body="河南省人民政府",
        decision_date=decided,
        payload=payload,
        status=S.EFFECTIVE,
        **subject,
    )


@pytest.fixture
def world(province_admin: Any, city: Any, county: Any, other_county: Any) -> dict[str, Any]:
    return honoured_world(province_admin, city, county, other_county)


def honoured_world(
    province_admin: Any, city: Any, county: Any, other_county: Any
) -> dict[str, Any]:
    """The six subjects of the module's story; the two candidates and their honours."""
    shipped_catalog()
    now = today()
    recent = now - dt.timedelta(days=200)
    school = make_institution(supervisor=city, name="郑州市实验中学", serial=7301)
    teacher = make_person(institution=school, name="张老师", number=resident_id(73))
    city_level = make_institution(supervisor=county, name="中原区育才小学", serial=7302)
    penalised = make_institution(supervisor=other_county, name="金水区培训学校", serial=7303)
    old = make_institution(supervisor=county, name="二七区职业学校", serial=7304)
    proposed = make_institution(supervisor=city, name="郑州市第九中学", serial=7305)
    honours = {
        "school": honour(province_admin, "省级", recent, institution=school),
        "teacher": honour(province_admin, "国家级", recent, deeds=DEEDS, person=teacher),
    }
    honour(province_admin, "市级", recent, institution=city_level)
    honour(province_admin, "省级", recent, institution=penalised)
    make_record(
        actor=province_admin,
        reviewer=make_reviewer(organisation=province_admin.organisation),
        catalog_item=CatalogItem.objects.get(code="JY-CF-02"),
        institution=penalised,
        decision_date=recent,
        payload={
            "violation_type": "违规办学",
            "violation_facts": "超范围招生",
            "penalty_basis": "《民办教育促进法》",
            "penalty_category": "警告",
            "penalty_content": "警告",
            "valid_until": (recent + dt.timedelta(days=365)).isoformat(),
        },
        status=S.EFFECTIVE,
    )
    honour(province_admin, "省级", now.replace(year=now.year - 5), institution=old)
    red_basis = honour(province_admin, "省级", recent, institution=proposed)
    lists.list_entry_propose(
        actor=province_admin,
        kind=CreditListKind.RED,
        subject=proposed,
        basis_records=[red_basis],
        reason="获得省级表彰",
        legal_basis=red_candidates.RED_LIST_BASIS,
        measures="",
        exit_conditions="出现失信行为",
    )
    return {"school": school, "teacher": teacher, "honours": honours}


def test_candidates_are_the_honoured_without_dishonesty_and_not_listed(
    world: Any, province_admin: Any
) -> None:
    candidates = red_candidates.red_list_candidates(province_admin, as_of=today(), years=3)
    assert {c.subject.name for c in candidates} == {"郑州市实验中学", "张老师"}
    teacher = next(c for c in candidates if c.person is not None)
    assert teacher.honours == [world["honours"]["teacher"]]
    query = teacher.proposal_query()
    assert query["kind"] == CreditListKind.RED and query["person"] == world["teacher"].public_id
    assert query["basis"] == [str(world["honours"]["teacher"].public_id)]
    assert "全国模范教师" in query["reason"] and "第二十八条" in query["legal_basis"]
    # A longer look-back brings the five-year-old honour in.
    wider = red_candidates.red_list_candidates(province_admin, as_of=today(), years=6)
    assert "二七区职业学校" in {c.subject.name for c in wider}


def test_the_page_shows_deeds_and_proposes_with_the_honours_cited(
    world: Any, province_admin: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(province_admin)
    with django_assert_max_num_queries(30):
        page = client.get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "郑州市实验中学" in text and "张老师" in text and DEEDS in text
    assert "金水区培训学校" not in text and "郑州市第九中学" not in text
    assert "ec-stack" in text and "data-label=" in text
    links = [
        part.split('"')[0]
        for part in text.split('href="')[1:]
        if part.startswith("/records/lists/new/?")
    ]
    assert len(links) == 2
    teacher_link = next(link for link in links if "person=" in link)
    params = parse_qs(urlsplit(teacher_link.replace("&amp;", "&")).query)
    assert params["kind"] == ["red"]
    assert params["basis"] == [str(world["honours"]["teacher"].public_id)]
    form = client.get(teacher_link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert form.context["form"].initial["basis_records"] == params["basis"]
    assert "全国模范教师" in form.context["form"].initial["reason"]


def test_the_export_and_who_may_see_the_page(
    world: Any, province_admin: Any, county_admin: Any, client: Any
) -> None:
    client.force_login(province_admin)
    export = client.get(PAGE, {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    # The provincial office's page: a county bureau is refused.
    client.force_login(county_admin)
    assert client.get(PAGE).status_code == 403


def test_the_page_in_english(world: Any, province_admin: Any, client: Any) -> None:
    client.force_login(province_admin)
    client.cookies["django_language"] = "en"
    page = client.get(PAGE)
    data = [
        record.payload.get(name, "")
        for record in CreditRecord.objects.filter(catalog_item__code="JY-BZ-01")
        for name in ("honour_name", "level", "awarding_body", "deeds")
    ]
    data += ["郑州市实验中学", "张老师", "河南省人民政府", "省管理员", "河南省教育厅"]
    # The page's own text (the menu is the role walk's and the one-language walk's).
    main = re.search(r"<main\b.*?</main>", page.content.decode(), flags=re.S)
    assert main is not None
    assert han_leaks(visible_text(main.group()), data) == []
