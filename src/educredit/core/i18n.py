"""Messages that carry both languages and show the reader's (ADR 0038).

Most messages are Chinese message ids translated by the catalogues when they are shown
(``gettext``). Validators that run a million times per import and touch no catalogue
(identifier checks, record payloads against their catalog item) build their messages in both
languages instead: a ``Bilingual`` is the Chinese text as a string — what JSON, storage and
string operations see — and its ``str()`` is the reader's language, which is what templates,
forms and exceptions show. ``shown`` is how pages show a message a job stored.
"""

from __future__ import annotations

import re

from django.utils import translation


def english() -> bool:
    """Whether the active language is English."""
    return (translation.get_language() or "").startswith("en")


class Bilingual(str):
    """A message in Chinese (the string) and English; ``str(message)`` is the reader's."""

    zh: str
    en: str

    def __new__(cls, zh: str, en: str) -> Bilingual:
        message = super().__new__(cls, zh)
        message.zh, message.en = zh, en
        return message

    def __str__(self) -> str:
        return self.en if english() else self.zh

    def __reduce__(self) -> tuple[type[Bilingual], tuple[str, str]]:
        return (Bilingual, (self.zh, self.en))


_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[^\u4e00-\u9fff]*[A-Za-z]")  # English: a Latin letter before any Chinese


def _legacy_halves(text: str) -> tuple[str, str] | None:
    """The two halves of a message stored as "中文 / English" (before ADR 0038, and by the
    validators of the national layout): split at the first " / " with Chinese before it and
    English after it (which may quote Chinese data)."""
    start = 0
    while (at := text.find(" / ", start)) >= 0:
        zh, en = text[:at], text[at + 3 :]
        if _HAN.search(zh) and _LATIN.match(en):
            return zh, en
        start = at + 1
    return None


def shown(text: str) -> str:
    """A message a job stored, in the reader's language.

    Jobs (imports, runs) store their messages in Chinese, the platform's language; shown to an
    English reader a stored message that is a catalogue message id is translated, one stored
    before ADR 0038 as "中文 / English" shows its English half, and one built with values
    (a row's own data in it) stays as stored.
    """
    if not text:
        return text
    halves = _legacy_halves(text)
    if halves is not None:
        return halves[1] if english() else halves[0]
    return translation.gettext(text) if english() else text
