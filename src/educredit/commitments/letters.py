"""Commitment letters: the placeholders a template may use, checking and rendering them.

A template's texts name values with ``{承诺人名称}``-style placeholders. Only the names in
``PLACEHOLDERS`` exist; a template naming any other is refused when it is written (nothing is
stored), so rendering never meets an unknown name. The rendered text (notice, then letter) is
what the subject reads and signs; the signing service freezes it with its SHA-256.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from educredit.core.i18n import Bilingual

PLACEHOLDERS: dict[str, str] = {
    "承诺人名称": "subject's name",
    "承诺人代码": "subject's code (USCC, or the masked document number)",
    "事项名称": "matter name",
    "受理单位": "accepting body",
    "承诺日期": "date of signing",
    "公开类型": "publication type",
    "承诺类型": "commitment type",
}
# A placeholder: braces around a name without braces or line breaks.
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")

TEMPLATE_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("notice_duty", "证明义务", "duty to prove"),
    ("notice_content", "证明内容", "what is to be proved"),
    ("notice_liability", "不实承诺的法律责任", "liability for a false commitment"),
    ("letter_content", "承诺内容", "content"),
    ("letter_liability", "违诺责任", "liability for breach"),
    ("letter_consent", "公开与共享声明", "consent to publication and sharing"),
)


class TemplateTextError(ValueError):
    """A template text was refused; ``errors`` maps field names to bilingual messages."""

    def __init__(self, errors: dict[str, Bilingual]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def placeholders_in(text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order of first use."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def template_texts_check(texts: Mapping[str, str], *, title: str = "-") -> None:
    """Refuse a title or texts that are empty or name an unknown placeholder (each field
    named in ``TemplateTextError.errors``)."""
    errors: dict[str, Bilingual] = {}
    for field, zh, en in (("title", "标题", "title"), *TEMPLATE_TEXT_FIELDS):
        text = title if field == "title" else texts.get(field, "")
        if not text.strip():
            errors[field] = Bilingual(f"{zh}不能为空", f"{en} cannot be empty")
            continue
        unknown = [name for name in placeholders_in(text) if name not in PLACEHOLDERS]
        if unknown:
            names = "、".join(f"{{{name}}}" for name in unknown)
            known = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
            errors[field] = Bilingual(
                f"{zh}含有未知的占位符 {names}；可用的占位符：{known}",
                f"{en} names an unknown placeholder {', '.join(unknown)}; known: {known}",
            )
    if errors:
        raise TemplateTextError(errors)


@dataclass(frozen=True)
class LetterValues:
    """The values a letter is rendered with."""

    subject_name: str
    subject_code: str
    matter_name: str
    accepting_body: str
    signed_on: datetime.date
    publication_type: str
    commitment_type: str

    def as_placeholders(self) -> dict[str, str]:
        return {
            "承诺人名称": self.subject_name,
            "承诺人代码": self.subject_code,
            "事项名称": self.matter_name,
            "受理单位": self.accepting_body,
            "承诺日期": f"{self.signed_on.year}年{self.signed_on.month}月{self.signed_on.day}日",
            "公开类型": self.publication_type,
            "承诺类型": self.commitment_type,
        }


def render_text(text: str, values: LetterValues) -> str:
    """``text`` with its placeholders filled (a checked template has no unknown ones; an
    unknown one is left as written rather than guessed)."""
    filled = values.as_placeholders()
    return _PLACEHOLDER.sub(lambda found: filled.get(found.group(1), found.group(0)), text)


@dataclass(frozen=True)
class RenderedLetter:
    """A rendered notice and letter, and the one text a signature covers."""

    title: str
    notice: tuple[tuple[str, str], ...]
    letter: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """Notice then letter, each section headed: exactly what is frozen when signed."""
        return "\n".join(
            [
                self.title,
                "一、告知事项",
                *_sections(self.notice),
                "二、承诺书",
                *_sections(self.letter),
            ]
        )

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


def _sections(parts: Iterable[tuple[str, str]]) -> list[str]:
    return [f"【{heading}】\n{body}" for heading, body in parts]


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_letter(
    *,
    title: str,
    texts: Mapping[str, str],
    values: LetterValues,
) -> RenderedLetter:
    """The notice and letter of a template's ``texts`` for ``values``."""

    def part(field: str) -> tuple[str, str]:
        heading = next(zh for name, zh, _en in TEMPLATE_TEXT_FIELDS if name == field)
        return heading, render_text(texts[field], values)

    return RenderedLetter(
        title=render_text(title, values),
        notice=tuple(part(f) for f in ("notice_duty", "notice_content", "notice_liability")),
        letter=tuple(part(f) for f in ("letter_content", "letter_liability", "letter_consent")),
    )
