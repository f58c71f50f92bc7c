"""Every list page marked ``@list_export`` (ADR 0036), walked from the URL configuration: its
export answers an XLSX with one row per object of the page's filter (all pages, not the first),
headers in the reader's language, and nothing of a county outside the reader's jurisdiction.

The objects come from the query-log walk's world (one of each kind, made in ``county``); the
records test (``records/tests/test_list_export.py``) covers more-than-a-page, filters, masking,
the query log and the bulk approval on one page in depth.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.accounts.choices import UserRole
from educredit.core.exports import EXPORT_PARAM, XLSX_TYPE
from educredit.rights.tests.test_query_log_enumeration import (
    walk_world as walk_world,  # the fixture, shared
)
from educredit.testing.factories import make_user

HAN = re.compile(r"[\u4e00-\u9fff]")


def _rows(response: Any) -> list[list[Any]]:
    assert response["Content-Type"] == XLSX_TYPE, response["Content-Type"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _export_routes(walk_world: dict[str, Any]) -> list[Any]:
    return [
        route
        for route in walk_world["routes"]
        if getattr(route.callback, "list_export", False) and not route.kwargs
    ]


@pytest.mark.django_db
def test_every_list_export_has_the_pages_rows_and_translated_headers(
    walk_world: dict[str, Any],
) -> None:
    routes = _export_routes(walk_world)
    assert len(routes) >= 17, [route.name for route in routes]
    zh, en = Client(), Client()
    zh.force_login(walk_world["admin"])
    en.force_login(walk_world["admin"])
    en.cookies["django_language"] = "en"
    failures = []
    for route in routes:
        url = reverse(route.name)
        page = zh.get(url)
        assert page.status_code == 200, (route.name, page.status_code)
        assert f"{EXPORT_PARAM}=xlsx" in page.content.decode(), f"{route.name}: no export button"
        rows = _rows(zh.get(url, {EXPORT_PARAM: "xlsx"}))
        paged = page.context.get("page") if page.context else None
        if (
            paged is not None
            and hasattr(paged, "paginator")
            and route.name != "rights:approval_list"
        ) and len(rows) - 1 != paged.paginator.count:
            failures.append(f"{route.name}: {len(rows) - 1} rows, page has {paged.paginator.count}")
        headers = _rows(en.get(url, {EXPORT_PARAM: "xlsx"}))[0]
        if not headers or any(HAN.search(str(header or "")) for header in headers):
            failures.append(f"{route.name}: English headers {headers}")
        if not all(HAN.search(str(header or "")) for header in rows[0]):
            failures.append(f"{route.name}: Chinese headers {rows[0]}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_no_list_export_shows_another_countys_objects(
    walk_world: dict[str, Any], county: Any, other_county: Any
) -> None:
    """A reader of another county with every role exports nothing of ``county``'s objects."""
    reader = make_user(
        organisation=other_county, username="export.outsider", roles=list(UserRole.values)
    )
    client = Client()
    client.force_login(reader)
    requested = 0
    for route in _export_routes(walk_world):
        response = client.get(reverse(route.name), {EXPORT_PARAM: "xlsx"})
        assert response.status_code in (200, 403), (route.name, response.status_code)
        if response.status_code != 200:
            continue
        requested += 1
        text = repr(_rows(response))
        assert county.name not in text, f"{route.name} exports {county.name}'s objects"
        for token in ("CNRYREC", "CNRYLST", "CNRYCHK", "自助学校", "受限人"):
            assert token not in text, f"{route.name} exports {token}"
    assert requested >= 10
