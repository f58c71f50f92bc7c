"""Reads of core reference data: administrative divisions (GB/T 2260) of Henan."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from educredit.core.choices import RegionLevel
from educredit.core.models import Region

PROVINCE_CODE = "410000"


def _in_force(year: int | None) -> Q:
    """Rows in force in ``year``; with no year, the names in force now."""
    if year is None:
        return Q(valid_to_year__isnull=True)
    return (Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=year)) & (
        Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year)
    )


def _newest(rows: QuerySet[Region]) -> Region | None:
    """The most recent of several names: current first, then by end and start year.

    Sorted here rather than in SQL because SQLite and PostgreSQL order NULLs differently.
    In a changeover year both names are in force; the new one wins.
    """
    return max(
        rows,
        key=lambda r: (r.valid_to_year is None, r.valid_to_year or 0, r.valid_from_year or 0),
        default=None,
    )


def _by_code(rows: list[Region]) -> list[Region]:
    return sorted(rows, key=lambda r: (r.code, r.valid_from_year or 0))


def region_by_code(code: str, *, year: int | None = None) -> Region | None:
    """The division with ``code``: its name in ``year``, else now, else its last name."""
    rows = Region.objects.filter(code=code)
    if year is not None:
        rows = rows.filter(_in_force(year))
    return _newest(rows)


def region_name(code: str, year: int | None = None) -> str | None:
    """The name of ``code`` in ``year`` (None when it was not in use then), or its latest name."""
    region = region_by_code(code, year=year)
    return region.name if region else None


def regions_by_name(text: str, *, current_only: bool = False) -> list[Region]:
    """Divisions whose name is ``text`` exactly, followed by those whose name contains it."""
    text = text.strip()
    if not text:
        return []
    rows = Region.objects.filter(name__contains=text, is_grouping=False)
    if current_only:
        rows = rows.filter(valid_to_year__isnull=True)
    found = _by_code(list(rows))
    return [r for r in found if r.name == text] + [r for r in found if r.name != text]


def henan_cities(*, year: int | None = None) -> list[Region]:
    """The 17 prefecture-level cities and the units the province governs directly (济源)."""
    rows = Region.objects.filter(_in_force(year), parent_code=PROVINCE_CODE, is_grouping=False)
    return _by_code(list(rows.filter(level__in=[RegionLevel.CITY, RegionLevel.COUNTY])))


def counties_of(city_code: str, *, year: int | None = None) -> list[Region]:
    """The county-level divisions (区、县、县级市) of a city, without grouping codes."""
    rows = Region.objects.filter(
        _in_force(year), parent_code=city_code, level=RegionLevel.COUNTY, is_grouping=False
    )
    return _by_code(list(rows))


def region_path(code: str) -> list[Region]:
    """The province, city and county a code belongs to, top first (for breadcrumbs, scoping)."""
    path: list[Region] = []
    region = region_by_code(code)
    while region is not None:
        path.insert(0, region)
        region = region_by_code(region.parent_code) if region.parent_code else None
    return path
