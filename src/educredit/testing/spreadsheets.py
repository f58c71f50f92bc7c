"""Spreadsheet files for tests of uploads and imports."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl


def xlsx_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """An XLSX workbook whose first sheet holds ``rows``, as uploaded bytes."""
    book = openpyxl.Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always has one sheet
        raise RuntimeError("openpyxl made a workbook without a sheet")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
