"""Spreadsheet downloads of list pages: one writer for every "export the current filter" button.

Every list page that offers an export hands its headers and rows here, so the files look the
same everywhere (bold, frozen header row; UTF-8 with a byte-order mark for CSV, which Excel
needs to show Chinese) and every cell passes the formula-injection sanitiser
(``core.spreadsheet_safety``, ADR 0031). Rows are streamed into a write-only workbook, so a
large filter costs memory for the file, not for a workbook of cell objects.

A list page exports its current filter (ADR 0036): the view, marked ``@list_export``, answers
``?export=xlsx`` (or ``csv``) with the same filtered queryset it pages, described by a list of
``Column`` (translated header, value of one object), through ``export_list``. Lists of credit
subjects go through ``rights.list_exports.export_subject_list`` instead, which adds the bulk
approval and the query log. ``export_query`` is the button's query string: the filters kept,
the page number dropped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from educredit.core import clock
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


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, header row and rows; a ``caption`` line (what the
    figures are of, say) goes above the header; ``widths`` of the first columns (characters)
    and ``wrap``, whether the rows' cells wrap their lines (top-aligned)."""

    title: Any
    headers: Sequence[Any]
    rows: Iterable[Sequence[Any]]
    caption: Sequence[Any] = ()
    widths: Sequence[float] = ()
    wrap: bool = False


_WRAP = Alignment(wrap_text=True, vertical="top")


def _wrapped(worksheet: Any, values: list[Any]) -> list[Any]:
    cells = []
    for value in values:
        cell = WriteOnlyCell(worksheet, value=value)
        cell.alignment = _WRAP
        cells.append(cell)
    return cells


def xlsx_workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """Several sheets, each with its ``headers`` bold and frozen, every cell made safe."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        title = str(_plain(sheet.title)).translate(_SHEET_FORBIDDEN)[:31] or "Sheet1"
        worksheet = workbook.create_sheet(title=title)
        worksheet.freeze_panes = "A3" if sheet.caption else "A2"
        for index, width in enumerate(sheet.widths):
            worksheet.column_dimensions[get_column_letter(index + 1)].width = width
        if sheet.caption:
            worksheet.append(safe_row(_plain(value) for value in sheet.caption))
        header_cells = []
        for header in safe_row(_plain(h) for h in sheet.headers):
            cell = WriteOnlyCell(worksheet, value=header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        worksheet.append(header_cells)
        for row in sheet.rows:
            values = safe_row(_plain(value) for value in row)
            worksheet.append(_wrapped(worksheet, values) if sheet.wrap else values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_bytes(
    headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str = "Sheet1"
) -> bytes:
    """One sheet: ``headers`` bold and frozen, then ``rows``, every cell made safe."""
    return xlsx_workbook_bytes([Sheet(sheet, headers, rows)])


def xlsx_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], *, sheet: str
) -> HttpResponse:
    """An XLSX download named ``filename`` (ASCII, ending in .xlsx)."""
    body = xlsx_bytes(headers, rows, sheet=sheet)
    return _attachment(HttpResponse(body, content_type=XLSX_TYPE), filename)


def xlsx_workbook_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """An XLSX download of several sheets named ``filename`` (ASCII, ending in .xlsx)."""
    body = xlsx_workbook_bytes(sheets)
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


# --- "export the current filter" of a list page ----------------------------------------------

EXPORT_PARAM = "export"
WRITERS: dict[str, Callable[..., HttpResponse]] = {"xlsx": xlsx_response, "csv": csv_response}
# One file holds at most this many rows; a wider filter is refused with a message, not built.
EXPORT_ROW_LIMIT = 100_000
# Query parameters a list page's own links add that the export drops.
_NOT_FILTERS = ("page", EXPORT_PARAM)

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Column:
    """One column of a list export: its header (translated when written) and its cell."""

    header: Any
    value: Callable[[Any], Any]


class ExportError(Exception):
    """The export cannot be built as asked (unknown format, too many rows); the message says
    why and is shown on the list page."""


def list_export(view: View) -> View:
    """Mark a list view that answers ``?export=``: the query-log walk requests its export too,
    and the export helpers refuse to run for a view without the mark."""
    view.list_export = True  # type: ignore[attr-defined]
    return view


def export_wanted(request: HttpRequest) -> bool:
    """Whether the request asks for the list as a file (``?export=…``)."""
    return EXPORT_PARAM in request.GET


def export_format(request: HttpRequest) -> str:
    """``xlsx`` or ``csv``; ``ExportError`` for anything else."""
    wanted = request.GET.get(EXPORT_PARAM, "")
    if wanted not in WRITERS:
        raise ExportError(_("不支持的导出格式，请导出 Excel。"))
    return wanted


def filters_of(request: HttpRequest) -> str:
    """The current filters of a list page: its query string without page and export."""
    params = request.GET.copy()
    for name in _NOT_FILTERS:
        params.pop(name, None)
    return params.urlencode()


def export_query(request: HttpRequest, fmt: str = "xlsx") -> str:
    """The query string of the page's export button: its filters, then ``export=fmt``."""
    filters = filters_of(request)
    return f"{filters}&{EXPORT_PARAM}={fmt}" if filters else f"{EXPORT_PARAM}={fmt}"


def export_filename(stem: str, fmt: str) -> str:
    """``stem-YYYYMMDD.fmt`` (ASCII, the Beijing date of the download)."""
    return f"{stem}-{clock.today():%Y%m%d}.{fmt}"


def export_rows(objects: Iterable[Any]) -> list[Any]:
    """The objects of the filter, at most ``EXPORT_ROW_LIMIT`` (``ExportError`` beyond)."""
    if hasattr(objects, "__getitem__") and hasattr(objects, "query"):
        rows = list(objects[: EXPORT_ROW_LIMIT + 1])  # a queryset: one query, bounded
    else:
        rows = list(objects)
    if len(rows) > EXPORT_ROW_LIMIT:
        raise ExportError(
            _("筛选结果超过 %(n)s 行，无法导出，请缩小筛选范围。") % {"n": f"{EXPORT_ROW_LIMIT:,}"}
        )
    return rows


def check_export_view(request: HttpRequest) -> None:
    """Refuse (as a programming error) an export from a view without ``@list_export``."""
    match = getattr(request, "resolver_match", None)
    if match is not None and not getattr(match.func, "list_export", False):
        raise ImproperlyConfigured(f"{match.view_name} exports without @list_export")


def export_refused(request: HttpRequest, exc: ExportError) -> HttpResponse:
    """Back to the list page, filters kept, with the reason."""
    messages.error(request, str(exc))
    filters = filters_of(request)
    return redirect(f"{request.path}?{filters}" if filters else request.path)


def export_response(
    request: HttpRequest, rows: Sequence[Any], columns: Sequence[Column], *, stem: str, sheet: Any
) -> HttpResponse:
    """Write ``rows`` through ``columns`` in the asked format (already checked)."""
    fmt = export_format(request)
    headers = [column.header for column in columns]
    cells = ([column.value(row) for column in columns] for row in rows)
    return WRITERS[fmt](export_filename(stem, fmt), headers, cells, sheet=str(_plain(sheet)))


def export_list(
    request: HttpRequest,
    objects: Iterable[Any],
    columns: Sequence[Column],
    *,
    stem: str,
    sheet: Any,
) -> HttpResponse:
    """The list page's current filter as a file: for lists that show no credit subject (users,
    organisations, runs); lists of subjects use ``rights.list_exports``."""
    check_export_view(request)
    try:
        export_format(request)
        rows = export_rows(objects)
    except ExportError as exc:
        return export_refused(request, exc)
    return export_response(request, rows, columns, stem=stem, sheet=sheet)
