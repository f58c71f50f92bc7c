"""Template helpers of the subjects pages."""

from __future__ import annotations

from django import template

from educredit.subjects.regions import region_name as _region_name

register = template.Library()


@register.filter
def region_name(code: str) -> str:
    """A region code as a place name (郑州市), or the code when the name is not known."""
    return _region_name(code or "")
