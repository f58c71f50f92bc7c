"""``{% export_button %}``: the "导出 Excel" button of a list page, keeping its current filter."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from educredit.core.exports import export_query

register = template.Library()


@register.simple_tag(takes_context=True)
def export_button(context: template.Context) -> SafeString | str:
    """A link to this page with its filters and ``export=xlsx`` (nothing without a request)."""
    request = context.get("request")
    if not isinstance(request, HttpRequest):
        return ""
    return format_html(
        '<a class="btn btn-outline-secondary btn-sm" href="?{}" data-ec-export>{}</a>',
        export_query(request),
        _("导出 Excel"),
    )
