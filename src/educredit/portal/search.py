"""How names and codes become search terms, and how a query is normalised to match them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import lazy_pinyin

from educredit.portal.models import SearchTermKind

# Longest term kept (the column holds 400); names longer than this are cut.
MAX_TERM = 200
# Shortest suffix of a name or of its pinyin worth indexing (a one-character suffix would
# match far too much, and the whole name is always indexed).
MIN_SUFFIX = 2

_DROP = re.compile(r"[\s\u3000·•・\-_()（）\[\]【】《》\"'“”‘’,，.。、/]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, without spaces and punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()[:MAX_TERM]


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
    syllables = [normalise(s) for s in lazy_pinyin(clean)]
    syllables = [s for s in syllables if s]
    initials = [s[0] if s.isalpha() and s.isascii() else s for s in syllables]
    # A Latin or digit chunk is kept whole in both forms.
    terms |= {(t, SearchTermKind.PINYIN) for t in _suffixes(syllables, min_length=MIN_SUFFIX)}
    terms |= {(t, SearchTermKind.INITIALS) for t in _suffixes(initials, min_length=MIN_SUFFIX)}
    return terms


def institution_terms(
    *, name: str, former_names: Iterable[str], uscc: str | None
) -> set[tuple[str, str]]:
    """Every search term of an institution."""
    terms = name_terms(name, SearchTermKind.NAME)
    for former in former_names:
        terms |= name_terms(former, SearchTermKind.FORMER)
    if uscc:
        terms.add((normalise(uscc), SearchTermKind.USCC))
    return terms
