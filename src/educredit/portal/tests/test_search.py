"""Institution search: Chinese, pinyin initials, full pinyin, former names, USCC, by index."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from educredit.portal.models import InstitutionSearchTerm
from educredit.portal.search import institution_terms, normalise
from educredit.portal.selectors import institution_search_public
from educredit.subjects.models import FormerName
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db


def names(q: str) -> list[str]:
    return [i.name for i in institution_search_public(q).institutions]


def test_terms_of_a_name_cover_suffixes_pinyin_and_initials():
    terms = {t for t, _ in institution_terms(name="郑州大学", former_names=[], uscc=None)}
    assert {"郑州大学", "州大学", "大学", "zhengzhoudaxue", "daxue", "zzdx", "dx"} <= terms
    assert "学" not in terms  # one-character suffixes would match everything


def test_normalise_folds_width_case_and_punctuation():
    assert normalise(" ＺＺ dx（郑州）") == "zzdx郑州"


@pytest.mark.parametrize(
    "q",
    [
        "郑州大学",
        "郑州",
        "州大",
        "zzdx",
        "ZZDX",
        "zhengzhoudaxue",
        "zhengzhou",
        "郑州工学院",
        "zzgxy",
    ],
)
def test_found_by_chinese_pinyin_initials_and_former_name(zzu, county, q):
    make_institution(supervisor=county, name="河南大学", serial=7)
    assert names(q) == ["郑州大学"]


def test_found_by_uscc_and_its_prefix(zzu):
    assert names(zzu.uscc) == ["郑州大学"]
    assert names(zzu.uscc.lower()[:10]) == ["郑州大学"]


def test_contains_match_within_a_name(county):
    make_institution(supervisor=county, name="河南理工大学", serial=8)
    make_institution(supervisor=county, name="河南大学", serial=9)
    assert names("理工") == ["河南理工大学"]
    assert names("lgdx") == ["河南理工大学"]
    assert sorted(names("大学")) == ["河南大学", "河南理工大学"]


def test_like_wildcards_are_literal(zzu):
    assert names("%") == []
    assert names("_") == []
    assert names("   ") == []


def test_index_follows_renames_and_former_names(zzu):
    zzu.name = "郑州综合大学"
    zzu.save()
    assert names("zzzhdx") == ["郑州综合大学"]
    assert names("zzdx") == []
    former = FormerName.objects.create(institution=zzu, name="郑州大学")
    assert names("zzdx") == ["郑州综合大学"]
    former.delete()
    assert names("zzdx") == []


def test_reindex_command_rebuilds_everything(zzu, county):
    make_institution(supervisor=county, name="河南大学", serial=10)
    InstitutionSearchTerm.objects.all().delete()
    assert names("zzdx") == []
    call_command("portal", "reindex")
    assert names("zzdx") == ["郑州大学"]
    assert names("hndx") == ["河南大学"]
    assert names("zzgxy") == ["郑州大学"]


def test_search_page_lists_results_with_links(client, zzu):
    response = client.get("/query/", {"q": "zzdx"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/institutions/{zzu.public_id}/"' in html
    assert "郑州工学院" in html  # former name shown


def test_search_page_paginates(client, county):
    for n in range(25):
        make_institution(supervisor=county, name=f"郑州第{n:02d}中学", serial=100 + n)
    first = client.get("/query/", {"q": "郑州第"}).content.decode()
    second = client.get("/query/", {"q": "郑州第", "page": 2}).content.decode()
    assert "郑州第00中学" in first and "郑州第24中学" not in first
    assert "郑州第24中学" in second
    assert "q=%E9%83%91%E5%B7%9E%E7%AC%AC&amp;page=2" in first


@pytest.mark.parametrize("q", ["changyuan", "cy", "cysdyzx", "长垣"])
def test_place_names_are_read_as_places(county, q):
    """长垣 is Chángyuán (pypinyin alone reads zhǎng), so its pinyin and initials find it."""
    make_institution(supervisor=county, name="长垣市第一中学", serial=11)
    make_institution(supervisor=county, name="郑州大学", serial=12)
    assert names(q) == ["长垣市第一中学"]


def test_a_place_after_shi_is_not_read_as_mayor(county):
    """In 郑州市长江路小学 the 长 starts 长江 (cháng), not 市长 "mayor" (zhǎng)."""
    make_institution(supervisor=county, name="郑州市长江路小学", serial=13)
    assert names("changjiang") == ["郑州市长江路小学"]
    assert names("zzscjlxx") == ["郑州市长江路小学"]
    assert names("zhangjiang") == []


def test_polyphone_terms_of_place_names():
    def pinyin_terms(name: str) -> set[str]:
        return {t for t, kind in institution_terms(name=name, former_names=[], uscc=None)}

    assert {"chongqingshidiyizhongxue", "cqsdyzx"} <= pinyin_terms("重庆市第一中学")
    assert "xunxiandiyizhongxue" in pinyin_terms("浚县第一中学")
    # 南乐 is a place only as 南乐县: in 河南乐器 the 乐 of 乐器 is yuè.
    assert "henanyueqipeixunxuexiao" in pinyin_terms("河南乐器培训学校")
    assert "nanlexiandiyizhongxue" in pinyin_terms("濮阳市南乐县第一中学")


def test_an_institution_with_several_former_names_is_listed_once_with_them(client, zzu):
    FormerName.objects.create(institution=zzu, name="郑州工业大学")
    assert names("zz") == ["郑州大学"]
    html = client.get("/query/", {"q": "zz"}).content.decode()
    assert html.count(f'href="/institutions/{zzu.public_id}/"') == 1
    assert "找到 1 个机构" in html and "郑州工学院" in html and "郑州工业大学" in html


def test_found_by_an_alias_like_a_former_name(zzu, county):
    from educredit.subjects import services

    make_institution(supervisor=county, name="河南大学", serial=10)
    assert names("郑大") == []
    alias = services.institution_alias_add(actor="system:test", institution=zzu, name="郑大")
    assert names("郑大") == ["郑州大学"]  # kept current by the alias's signal
    assert names("ZD") == ["郑州大学"]  # its initials too
    call_command("portal", "reindex", stdout=StringIO())
    assert names("郑大") == ["郑州大学"]  # and by the rebuild after a bulk load
    hit = institution_search_public("郑大").institutions[0]
    assert hit.aliases == ("郑大",) and hit.former_names == ("郑州工学院",)
    services.institution_alias_remove(actor="system:test", alias=alias)
    assert names("郑大") == []


def test_an_exact_name_or_alias_comes_before_longer_matches(county):
    from educredit.subjects import services

    longer = make_institution(supervisor=county, name="郑大附属中学", serial=11)
    zzu = make_institution(supervisor=county, name="郑州大学", serial=12)
    services.institution_alias_add(actor="system:test", institution=zzu, name="郑大")
    assert names("郑大") == ["郑州大学", longer.name]


def test_a_hit_shows_type_region_code_and_its_public_lists_with_dates(client, zzu, county):
    import datetime as dt

    from educredit.core.clock import today
    from educredit.records.choices import CreditListKind, ListEntryStatus
    from educredit.records.models import CreditListEntry

    current = today()
    for kind, status, listed_on, extra in (
        (CreditListKind.RED, ListEntryStatus.LISTED, current - dt.timedelta(days=40), {}),
        (CreditListKind.SERIOUS, ListEntryStatus.LISTED, current - dt.timedelta(days=5), {}),
        # Not published: the focus list, a notice not yet confirmed, an exit already made.
        (CreditListKind.FOCUS, ListEntryStatus.LISTED, current - dt.timedelta(days=3), {}),
        (CreditListKind.SERIOUS, ListEntryStatus.NOTICE, current - dt.timedelta(days=2), {}),
        (
            CreditListKind.RED,
            ListEntryStatus.EXITED,
            current - dt.timedelta(days=90),
            {"exited_on": current - dt.timedelta(days=60), "exit_notice": "移出"},
        ),
    ):
        CreditListEntry.objects.create(
            kind=kind,
            institution=zzu,
            organisation=county,
            status=status,
            reason="理由",
            listed_on=listed_on,
            **extra,
        )
    (hit,) = institution_search_public("郑州大学").institutions
    assert [(b.kind, b.listed_on) for b in hit.badges] == [
        ("red", current - dt.timedelta(days=40)),
        ("serious", current - dt.timedelta(days=5)),
    ]
    html = client.get("/query/", {"q": "郑州大学"}).content.decode()
    assert re.findall(r'data-ec-list="(\w+)">([^<]*)<', html) == [
        ("red", f"红名单 · 列入日期 {current - dt.timedelta(days=40):%Y-%m-%d}"),
        ("serious", f"严重失信主体名单 · 列入日期 {current - dt.timedelta(days=5):%Y-%m-%d}"),
    ]
    assert "重点关注" not in html
    assert f'data-ec-hit="uscc">{zzu.uscc}<' in html
    assert 'data-ec-hit="kind">小学<' in html and 'data-ec-hit="region">中原区<' in html
    assert 'data-ec-hit="former">郑州工学院<' in html
