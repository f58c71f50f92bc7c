"""Formula injection in exported spreadsheets: the one cell sanitiser (ADR 0031).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as
a formula by Excel and WPS when a CSV is opened (and openpyxl itself stores such a string as a
formula), so a subject named ``=HYPERLINK(...)`` could act on the reader's machine. Every CSV
and XLSX the platform hands out writes its rows through ``safe_row``, which puts a single
quote in front of such text, as OWASP advises; numbers, dates and empty cells pass unchanged.
Imports of the platform's own exports undo it with ``unescape_cell``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for ``csv.writer.writerow`` or ``Worksheet.append`` with every cell made safe."""
    return [safe_cell(value) for value in values]


def unescape_cell(value: Any) -> Any:
    """The text ``safe_cell`` was given, for a cell read back from an exported workbook."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def safe_workbook(workbook: Any) -> None:
    """Make every cell of a filled (not write-only) openpyxl workbook safe, before saving.

    openpyxl has already stored formula-like text as a formula; assigning the quoted text
    makes the cell a text cell again. Write-only workbooks append ``safe_row`` rows instead.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.value = safe_cell(cell.value)
