"""Template filters of the outbox pages."""

from __future__ import annotations

from django import template

from educredit.exchange.rows import field_name as national_field_name

register = template.Library()


@register.filter
def field_name(code: str) -> str:
    """The national field's name (行政相对人名称 …) for ``code``, in the page's language."""
    return national_field_name(str(code))
