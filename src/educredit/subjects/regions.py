"""Where an institution lies: a place name or code from an import file → a GB/T 2260 code.

Import files name the place as a city or county (所在地: 郑州市, 中原区) or give the six-digit
code. The division table is ``core``'s reference data; this module adapts it to what import
files contain and keeps the current names in memory, so that pages showing a region per row
do not query per row.
"""

from __future__ import annotations

import re

from educredit.core import selectors as core_regions

CODE_PATTERN = re.compile(r"^\d{6}$")
PROVINCE_PREFIXES = ("河南省", "河南")

_current: dict[str, str] = {}


def current_names() -> dict[str, str]:
    """Code → current name of every division of Henan (read once per process)."""
    if not _current:
        from educredit.core.models import Region

        rows = Region.objects.filter(valid_to_year__isnull=True, is_grouping=False)
        _current.update(rows.values_list("code", "name"))
    return _current


def region_code_for(text: str) -> str | None:
    """The code of a place named or numbered in an import file, or None if unknown/ambiguous."""
    text = "".join(text.split())
    if not text:
        return None
    if CODE_PATTERN.match(text):
        return text if core_regions.region_by_code(text) is not None else None
    candidates = [text]
    candidates += [
        text.removeprefix(prefix)
        for prefix in PROVINCE_PREFIXES
        if text.startswith(prefix) and len(text) > len(prefix)
    ]
    if text in PROVINCE_PREFIXES:
        candidates.append("河南省")
    for candidate in candidates:
        for name in (candidate, f"{candidate}市"):
            exact = {
                region.code
                for region in core_regions.regions_by_name(name, current_only=True)
                if region.name == name
            }
            if len(exact) == 1:
                return exact.pop()
    return None


def region_name(code: str) -> str:
    """A readable name for a code (the division's current name, or the code itself)."""
    return current_names().get(code, code)


def city_choices() -> list[tuple[str, str]]:
    """The province, its cities and 济源, for filters (code, name)."""
    names = current_names()
    cities = sorted(
        code
        for code in names
        if code.startswith("41") and (code.endswith("00") or code == "419001")
    )
    return [(code, names[code]) for code in cities]
