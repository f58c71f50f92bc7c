"""How names and codes become search terms, and how a query is normalised to match them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from educredit.portal.models import SearchTermKind

# Longest term kept (the column holds 400); names longer than this are cut.
MAX_TERM = 200
# Shortest suffix of a name or of its pinyin worth indexing (a one-character suffix would
# match far too much, and the whole name is always indexed).
MIN_SUFFIX = 2

# Place names whose reading pypinyin gets wrong (or loses to a common word: in "洛阳市长安路"
# it reads 市长 "mayor", zhǎng). Matched before pypinyin segments the rest, longest first.
# Entries are place names that do not occur inside ordinary words (南乐 only with 县: "河南
# 乐器" is hé nán yuè qì).
PLACE_READINGS: dict[str, tuple[str, ...]] = {
    "长垣": ("chang", "yuan"),  # 长垣市 (新乡)
    "长葛": ("chang", "ge"),  # 长葛市 (许昌)
    "长安": ("chang", "an"),
    "长春": ("chang", "chun"),
    "长江": ("chang", "jiang"),
    "长沙": ("chang", "sha"),
    "长治": ("chang", "zhi"),
    "重庆": ("chong", "qing"),
    "浚县": ("xun", "xian"),  # 浚县 (鹤壁)
    "叶县": ("she", "xian"),  # 叶县 (平顶山)
    "召陵": ("shao", "ling"),  # 召陵区 (漯河)
    "南乐县": ("nan", "le", "xian"),  # 南乐县 (濮阳)
    "单县": ("shan", "xian"),
}
_PLACES = re.compile("|".join(sorted(PLACE_READINGS, key=len, reverse=True)))

_DROP = re.compile(r"[\s\u3000·•・\-_()（）\[\]【】《》\"'“”‘’,，.。、/]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, without spaces and punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()[:MAX_TERM]


def syllables(text: str) -> list[str]:
    """Pinyin of ``text`` one syllable a character (Latin and digit runs kept whole)."""
    # Imported here: loading its dictionaries costs every process a third of a second, and
    # most processes (workers, servers, commands) never index a name.
    from pypinyin import lazy_pinyin

    out: list[str] = []
    start = 0
    for place in _PLACES.finditer(text):
        out += lazy_pinyin(text[start : place.start()]) if place.start() > start else []
        out += PLACE_READINGS[place.group()]
        start = place.end()
    if start < len(text):
        out += lazy_pinyin(text[start:])
    return out


def _suffixes(parts: list[str], *, min_length: int) -> Iterable[str]:
    """``"".join(parts[i:])`` for every i, skipping those shorter than ``min_length``."""
    for i in range(len(parts)):
        tail = "".join(parts[i:])
        if i == 0 or len(tail) >= min_length:
            yield tail


def name_terms(name: str, kind: str) -> set[tuple[str, str]]:
    """Search terms of one name: its suffixes, and the suffixes of its pinyin and initials."""
    clean = normalise(name)
    if not clean:
        return set()
    terms = {(t, kind) for t in _suffixes(list(clean), min_length=MIN_SUFFIX)}
    spoken = [s for s in (normalise(s) for s in syllables(clean)) if s]
    initials = [s[0] if s.isalpha() and s.isascii() else s for s in spoken]
    # A Latin or digit chunk is kept whole in both forms.
    terms |= {(t, SearchTermKind.PINYIN) for t in _suffixes(spoken, min_length=MIN_SUFFIX)}
    terms |= {(t, SearchTermKind.INITIALS) for t in _suffixes(initials, min_length=MIN_SUFFIX)}
    return terms


def institution_terms(
    *,
    name: str,
    former_names: Iterable[str],
    uscc: str | None,
    aliases: Iterable[str] = (),
) -> set[tuple[str, str]]:
    """Every search term of an institution (an alias is indexed like a former name)."""
    terms = name_terms(name, SearchTermKind.NAME)
    for former in former_names:
        terms |= name_terms(former, SearchTermKind.FORMER)
    for alias in aliases:
        terms |= name_terms(alias, SearchTermKind.ALIAS)
    if uscc:
        terms.add((normalise(uscc), SearchTermKind.USCC))
    return terms
