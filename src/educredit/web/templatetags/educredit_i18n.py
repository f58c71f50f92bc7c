"""Template filters for text the platform stored: ``{{ text|reader_language }}`` (ADR 0038)."""

from __future__ import annotations

from django import template

from educredit.core.i18n import shown

register = template.Library()


@register.filter
def reader_language(text: str) -> str:
    """A stored system text in the reader's language (``core.i18n.shown``)."""
    return shown(str(text)) if text else ""
