"""Henan's GB/T 2260 divisions as loaded by the data migration, and their lookups."""

import pytest

from educredit.core.choices import RegionLevel
from educredit.core.models import Region
from educredit.core.selectors import (
    counties_of,
    henan_cities,
    region_by_code,
    region_name,
    region_path,
    regions_by_name,
)

pytestmark = pytest.mark.django_db

CITY_NAMES = [
    "郑州市", "开封市", "洛阳市", "平顶山市", "安阳市", "鹤壁市", "新乡市", "焦作市", "濮阳市",
    "许昌市", "漯河市", "三门峡市", "南阳市", "商丘市", "信阳市", "周口市", "驻马店市",
]  # fmt: skip


def test_henan_has_17_cities_and_jiyuan():
    cities = henan_cities()
    assert [c.name for c in cities] == [*CITY_NAMES, "济源市"]
    assert [c.code for c in cities][-1] == "419001"
    assert [c.level for c in cities].count(RegionLevel.CITY) == 17


def test_zhengzhou_counties_without_grouping_codes():
    names = [r.name for r in counties_of("410100")]
    assert names[:2] == ["中原区", "二七区"]
    assert "惠济区" in names and "邙山区" not in names
    assert "市辖区" not in names
    assert len(names) == 12


def test_every_current_city_has_counties_and_every_county_a_current_city():
    city_codes = {c.code for c in henan_cities() if c.level == RegionLevel.CITY}
    total = 0
    for code in city_codes:
        counties = counties_of(code)
        assert counties, code
        total += len(counties)
    current_counties = Region.objects.filter(
        level=RegionLevel.COUNTY, valid_to_year__isnull=True, is_grouping=False
    )
    # Every county-level division in force is under a current city, except 济源 (direct).
    assert total + 1 == current_counties.count()
    assert total > 150


def test_zhongyuan_is_under_zhengzhou():
    zhongyuan = region_by_code("410102")
    assert zhongyuan is not None
    assert (zhongyuan.name, zhongyuan.parent_code) == ("中原区", "410100")
    assert [r.name for r in region_path("410102")] == ["河南省", "郑州市", "中原区"]


def test_name_history_of_huiji():
    assert region_name("410108") == "惠济区"
    assert region_name("410108", 1995) == "邙山区"
    assert region_name("410108", 2003) == "惠济区"
    assert region_name("410108", 1985) is None  # code not in use yet


def test_jiyuan_code_history():
    assert region_name("419001") == "济源市"
    assert region_name("419001", 1987) == "义马市"  # the same code named another city then
    assert region_name("419001", 1992) is None
    jiyuan = region_by_code("419001")
    assert jiyuan is not None
    assert jiyuan.parent_code == "410000"


def test_abolished_code_keeps_its_last_name():
    prefecture = region_by_code("412700")
    assert prefecture is not None
    assert (prefecture.name, prefecture.valid_to_year) == ("周口地区", 2000)
    assert region_by_code("999999") is None


def test_lookup_by_name_exact_first_then_contains():
    found = regions_by_name("金水区")
    assert [r.code for r in found] == ["410105"]
    jiyuan = regions_by_name("济源")
    assert "419001" in [r.code for r in jiyuan]
    exact = regions_by_name("济源市")
    assert all(r.name == "济源市" for r in exact)
    assert [r.code for r in regions_by_name("济源", current_only=True)] == ["419001"]
    assert regions_by_name("  ") == []
    assert regions_by_name("市辖区") == []  # grouping codes are not places


def test_migration_data_matches_the_reviewed_csv():
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "henan_regions.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Region.objects.filter(code__startswith="41").count() == len(rows)
    assert len({(r["code"], r["valid_from_year"]) for r in rows}) == len(rows)
