"""Rebuild ``henan_regions.csv`` from python-stdnum's dated GB/T 2260 table.

Run ``.venv/bin/python -m educredit.core.data.build_henan_regions > FILE`` and review the diff
before committing it; a committed CSV is loaded by a migration, and a later revision of the
table is applied by a NEW migration (see docs/decisions/0003-regions-and-working-days.md).

Each line of ``stdnum/cn/loc.dat`` under province 41 reads like
``0108 county="[1987-2002]邙山区,[2003-]惠济区"``: one code, each name with the years it was in
force (an open start means "before the first edition of the table", an open end "still").
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from importlib import resources
from typing import TextIO

PROVINCE = "41"
PROVINCE_CODE = "410000"
# 省直辖县级行政单位: county-level units under the province itself (济源 419001).
DIRECT_PREFIX = "4190"
# Statistical grouping codes, not divisions with a government of their own.
GROUPING_NAMES = frozenset({"市辖区", "省直辖县级行政单位", "市区"})
COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "valid_from_year",
    "valid_to_year",
    "is_grouping",
)
LINE = re.compile(r'^\s+(\d{4}) county="(.*)"$')
PERIOD = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


def _level_and_parent(code: str) -> tuple[str, str]:
    if code == PROVINCE_CODE:
        return "province", ""
    if code.endswith("00"):
        return "city", PROVINCE_CODE
    if code.startswith(DIRECT_PREFIX):
        return "county", PROVINCE_CODE
    return "county", code[:4] + "00"


def henan_rows(loc_dat: str) -> Iterator[dict[str, str]]:
    """One row per (code, name, period) of province 41 in the text of ``loc.dat``."""
    inside = False
    for line in loc_dat.splitlines():
        if not line.startswith(" "):
            inside = line.startswith(PROVINCE + " ")
            continue
        match = LINE.match(line) if inside else None
        if match is None:
            continue
        code = PROVINCE + match.group(1)
        level, parent = _level_and_parent(code)
        for part in match.group(2).split(","):
            period = PERIOD.match(part)
            if period is None:
                raise ValueError(f"unreadable entry for {code}: {part!r}")
            start, end, name = period.groups()
            # One entry reads "[1983-1982]向阳回族区": renamed 管城回族区 in 1983, so it was in
            # force up to 1982 from before the table began.
            if start and end and int(start) > int(end):
                start = ""
            yield {
                "code": code,
                "name": name,
                "level": level,
                "parent_code": parent,
                "valid_from_year": start or "",
                "valid_to_year": end or "",
                "is_grouping": "1" if name in GROUPING_NAMES else "0",
            }


def write_csv(out: TextIO) -> int:
    """Write the CSV to ``out``; returns the number of rows."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in henan_rows(text):
        writer.writerow(row)
        count += 1
    return count


if __name__ == "__main__":
    write_csv(sys.stdout)
