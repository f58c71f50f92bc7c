"""Henan's divisions as the generator needs them: cities, their county-level units, populations.

The division codes and names are GB/T 2260 as in force today, read from ``core``'s reference
table (``core/data/henan_regions.csv``, the rows its ``Region`` migration loads), so that every
generated region code is one the rest of the platform knows. Populations are the 2020 census
figures (第七次全国人口普查, 万人) by city; they weight where institutions and people go.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROVINCE_CODE = "410000"
PROVINCE_NAME = "河南省"
# 济源 is a county-level city governed directly by the province (省直辖县级行政单位): it has a
# city-level education bureau and no counties below it.
JIYUAN_CODE = "419001"

# 2020 census resident population by city, in units of 10 000 (万人).
CITY_POPULATION: dict[str, float] = {
    "410100": 1260.1,  # 郑州
    "410200": 482.4,  # 开封
    "410300": 705.7,  # 洛阳
    "410400": 498.7,  # 平顶山
    "410500": 547.7,  # 安阳
    "410600": 156.6,  # 鹤壁
    "410700": 625.2,  # 新乡
    "410800": 352.1,  # 焦作
    "410900": 377.2,  # 濮阳
    "411000": 438.0,  # 许昌
    "411100": 237.0,  # 漯河
    "411200": 203.5,  # 三门峡
    "411300": 971.3,  # 南阳
    "411400": 781.7,  # 商丘
    "411500": 623.4,  # 信阳
    "411600": 902.6,  # 周口
    "411700": 700.8,  # 驻马店
    JIYUAN_CODE: 72.7,  # 济源
}


@dataclass(frozen=True)
class City:
    """A prefecture-level city (or 济源) with an education bureau."""

    code: str
    name: str
    population: float


@dataclass(frozen=True)
class County:
    """A county-level division (区、县、县级市) with the city it belongs to."""

    code: str
    name: str
    city: City

    @property
    def is_district(self) -> bool:
        """A city district (市辖区): its name alone is ambiguous across cities."""
        return self.name.endswith("区")

    @property
    def display_name(self) -> str:
        """The name as used in front of a school's name: districts carry their city's name."""
        if self.code == JIYUAN_CODE:
            return self.name
        return f"{self.city.name}{self.name}" if self.is_district else self.name


@cache
def _current_divisions() -> dict[str, str]:
    """Henan's division codes in force today → names, from core's GB/T 2260 reference table
    (the file the ``core`` migration loads into ``Region``)."""
    import educredit.core.data

    path = Path(educredit.core.data.__file__).parent / "henan_regions.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"]: row["name"]
            for row in csv.DictReader(handle)
            if not row["valid_to_year"] and row["is_grouping"] == "0"
        }


@cache
def henan_cities() -> tuple[City, ...]:
    """The 17 prefecture-level cities and 济源, in code order."""
    names = _current_divisions()
    return tuple(
        City(code=code, name=names[code], population=population)
        for code, population in sorted(CITY_POPULATION.items())
    )


@cache
def henan_counties() -> tuple[County, ...]:
    """Every county-level division in force, in code order (济源 counts as one)."""
    names = _current_divisions()
    cities = {city.code: city for city in henan_cities()}
    counties: list[County] = []
    for code, name in sorted(names.items()):
        if code == JIYUAN_CODE:
            counties.append(County(code=code, name=name, city=cities[JIYUAN_CODE]))
            continue
        city = cities.get(code[:4] + "00")
        # Skip the province, the cities themselves and the 市辖区 placeholder (xx01).
        if city is None or code.endswith("00") or code.endswith("01"):
            continue
        counties.append(County(code=code, name=name, city=city))
    return tuple(counties)
