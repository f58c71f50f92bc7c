"""One language at a time (ADR 0038): what a page may show in the other script, and the check.

A page in Chinese may show Latin letters only in codes, identifiers, names and the words
below; a page in English may show Chinese only in data (the names and texts of the objects
on the page). The page walk (``web/tests/test_one_language_walk.py``) and the English checks
of the apps use ``latin_leaks`` and ``han_leaks`` on the visible text of ``<main>`` and the
layout's ``<nav>`` (``visible_text``): no tags, attributes, scripts or styles; not the
language switch, whose two buttons name their own languages; not ``<code>``, ``<kbd>`` and
``<samp>`` (codes and technical detail, shown as such); and not an element that declares its
own language with ``lang=`` (a Chinese column heading an English page quotes).

The allowlist is reviewed: every entry says why a Chinese reader sees it as it is. Keep it
short; a word that is prose belongs in the catalogue, not here.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable

# Words a Chinese page shows in Latin letters, and why.
LATIN_ALLOWED: dict[str, str] = {
    "EduCredit": "the product's own name (the API's title, the report's issuer)",
    "Excel": "the spreadsheet program's name, written so in Chinese (导出 Excel)",
    "Microsoft": "an authenticator app's name (Microsoft Authenticator)",
    "Google": "an authenticator app's name (Google Authenticator)",
    "Authenticator": "an authenticator app's name",
    "Cookie": "written so in Chinese (浏览器禁用了 Cookie)",
}

# Codes, identifiers and abbreviations, allowed by their shape: web and e-mail addresses
# and paths; a file's extension; upper-case codes joined by hyphens or underscores
# (JY-CF-02, XK_XDR, CF_NR_FK); any word with a digit (91410100MA…, UTF-8, a verification
# code); an upper-case word of two to eight letters — an abbreviation written so in Chinese
# (PDF, XLSX, CSV, API, USCC, ID, QR, TOTP, GB, MB) or a code's letters. A lower-case
# developer word (records.create, draft) is none of these: it is a leak.
_CODE = re.compile(
    r"https?://\S+|\S+@\S+\.\S+|/[\w/.-]*"  # addresses and paths
    r"|\.[a-z]{2,5}\b"  # a file's extension: .xlsx, .csv
    r"|\b[A-Z0-9]+(?:[-_][A-Za-z0-9]+)+\b"  # JY-CF-02, XK_XDR, CF_NR_FK
    r"|\b\w*\d\w*\b"  # anything with a digit: 91410100MA…, 2026, K7Q2
    r"|\b[A-Z]{2,8}\b(?![a-z])"  # abbreviations and code letters: USCC, ID, QR, XK
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_LATIN_EDGE = re.compile(r"[A-Za-z0-9_]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def visible_text(page: str) -> str:
    """The text a reader sees in ``<main>`` and the layout's ``<nav>``."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    page = re.sub(r'<form class="ec-lang".*?</form>', " ", page, flags=re.S)
    page = re.sub(r"<(code|kbd|samp)\b.*?</\1>", " ", page, flags=re.S | re.I)
    parts = re.findall(r"<main\b.*?</main>", page, flags=re.S)
    parts += re.findall(r"<nav\b.*?</nav>", page, flags=re.S)
    text = re.sub(r'<(\w+)\b[^>]*\slang="[^"]*"[^>]*>.*?</\1>', " ", " ".join(parts), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html_lib.unescape(text).split())


def _without(text: str, data: Iterable[str]) -> str:
    # Only the values on this page, longest first (a name inside a longer title goes with it),
    # and a value with a Latin edge only as a whole word (the stored code CF_NR is not taken
    # out of the field code CF_NR_WFFF).
    for value in sorted({v for v in data if v and v in text}, key=len, reverse=True):
        before = r"(?<![A-Za-z0-9_])" if _LATIN_EDGE.match(value[0]) else ""
        after = r"(?![A-Za-z0-9_])" if _LATIN_EDGE.match(value[-1]) else ""
        text = re.sub(before + re.escape(value) + after, " ", text)
    return text


def latin_leaks(text: str, data: Iterable[str] = ()) -> list[str]:
    """Latin-script words of a Chinese page outside data, codes and the allowlist."""
    rest = _CODE.sub(" ", _without(text, data))
    return [word for word in _WORD.findall(rest) if word not in LATIN_ALLOWED]


def han_leaks(text: str, data: Iterable[str] = ()) -> list[str]:
    """Chinese text of an English page outside data."""
    return _HAN.findall(_without(text, data))


def in_context(text: str, word: str, width: int = 30) -> str:
    """``word`` with some of the text around it, for a failure message."""
    at = text.find(word)
    return text[max(0, at - width) : at + len(word) + width] if at >= 0 else word
