"""What tests of staff pages look for: developer words in what a non-administrator reads (ADR 0033).

``developer_words(html)`` returns the developer words found in the page's visible text (tags,
scripts and styles stripped). Administrators' 详情 toggles are not stripped: a page shown to a
clerk must not contain them at all.
"""

from __future__ import annotations

import re

# Words of the machinery, not of the officials who use the pages.
DEVELOPER_WORDS = (
    "幂等",
    "退避",
    "租约",
    "摘要",
    "哈希",
    "审计序号",
    "操作代码",
    "idempoten",
    "payload",
    "JSON",
    "enqueue",
    "lease",
    "digest",
    "hash",
    "seq",
    "system:",
    "api:",
    "records.",
    "outbox_item.",
    "credit_record.",
)

_INVISIBLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    """The text a reader sees in ``<main>`` (or the whole page when there is no main)."""
    start, end = html.find("<main"), html.find("</main>")
    if start != -1 and end != -1:
        html = html[start:end]
    return _TAG.sub(" ", _INVISIBLE.sub(" ", html))


def developer_words(html: str) -> list[str]:
    """The developer words present in the visible text of ``html``."""
    text = visible_text(html)
    return [word for word in DEVELOPER_WORDS if word.lower() in text.lower()]
