"""Where an institution lies: a place name or code from an import file → a GB/T 2260 code.

Import files name the place as a city (所在地: 郑州市) or give the six-digit code. The
platform's region reference data lives in ``core``; this module only adapts it to what import
files contain, and names Henan's cities for the case where ``core`` does not know a name.
"""

from __future__ import annotations

import re

CODE_PATTERN = re.compile(r"^\d{6}$")

# Henan's 17 prefecture-level cities and 济源 (province-governed), GB/T 2260.
HENAN_CITIES: dict[str, str] = {
    "郑州市": "410100",
    "开封市": "410200",
    "洛阳市": "410300",
    "平顶山市": "410400",
    "安阳市": "410500",
    "鹤壁市": "410600",
    "新乡市": "410700",
    "焦作市": "410800",
    "濮阳市": "410900",
    "许昌市": "411000",
    "漯河市": "411100",
    "三门峡市": "411200",
    "南阳市": "411300",
    "商丘市": "411400",
    "信阳市": "411500",
    "周口市": "411600",
    "驻马店市": "411700",
    "济源市": "419001",
    "河南省": "410000",
}


def region_code_for(text: str) -> str | None:
    """The code of a place named or numbered in an import file, or None if unknown."""
    text = "".join(text.split())
    if not text:
        return None
    if CODE_PATTERN.match(text):
        return text if text.startswith("41") else None
    if text in HENAN_CITIES:
        return HENAN_CITIES[text]
    # "郑州" for "郑州市", "河南省郑州市" for "郑州市".
    for name, code in HENAN_CITIES.items():
        if text in (name.removesuffix("市"), f"河南省{name}", f"河南{name}"):
            return code
    return None


def region_name(code: str) -> str:
    """A readable name for a code (the city's name, or the code itself)."""
    for name, city_code in HENAN_CITIES.items():
        if city_code == code:
            return name
    return code
