"""Paging of staff list pages: one page size and filter-preserving page links everywhere."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from educredit.core.exports import filters_of

PAGE_SIZE = 25


def page_of(request: HttpRequest, objects: Any, size: int = PAGE_SIZE) -> Page[Any]:
    """The page of ``objects`` named by ``?page=`` (the last page when out of range)."""
    return Paginator(objects, size).get_page(request.GET.get("page"))


def filters_query_string(request: HttpRequest) -> str:
    """The current filters without the page number, for the pagination links."""
    return filters_of(request)
