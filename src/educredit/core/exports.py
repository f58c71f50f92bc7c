"""Spreadsheet downloads of list pages: one writer for every "export the current filter" button.

Every list page that offers an export hands its headers and rows here, so the files look the
same everywhere (bold, frozen header row; UTF-8 with a byte-order mark for CSV, which Excel
needs to show Chinese) and every cell passes the formula-injection sanitiser
(``core.spreadsheet_safety``, ADR 0031). Rows are streamed into a write-only workbook, so a
large filter costs memory for the file, not for a workbook of cell objects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from educredit.core.clock import BEIJING
from educredit.core.spreadsheet_safety import safe_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Excel limits a sheet name to 31 characters and refuses some punctuation.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _plain(value: Any) -> Any:
    """A cell value openpyxl and csv both take: lazy text rendered, aware times made local."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(BEIJING).replace(tzinfo=None)
    return value


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1"
) -> bytes:
    """One sheet: ``headers`` bold and frozen, then ``rows``, every cell made safe."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet.translate(_SHEET_FORBIDDEN)[:31] or "Sheet1")
    worksheet.freeze_panes = "A2"
    header_cells = []
    for header in safe_row(_plain(h) for h in headers):
        cell = WriteOnlyCell(worksheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    worksheet.append(header_cells)
    for row in rows:
        worksheet.append(safe_row(_plain(value) for value in row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str
) -> HttpResponse:
    """An XLSX download named ``filename`` (ASCII, ending in .xlsx)."""
    body = xlsx_bytes(headers, rows, sheet=sheet)
    return _attachment(HttpResponse(body, content_type=XLSX_TYPE), filename)


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(_plain(h) for h in headers))
    for row in rows:
        writer.writerow(safe_row(_plain(value) for value in row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str = ""
) -> HttpResponse:
    """A CSV download named ``filename`` (``sheet`` is accepted so callers can switch format)."""
    del sheet  # a CSV has no sheets; the argument keeps both writers interchangeable
    return _attachment(HttpResponse(csv_bytes(headers, rows), content_type=CSV_TYPE), filename)
