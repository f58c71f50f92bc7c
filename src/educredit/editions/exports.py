"""An edition's rows as an XLSX workbook, through the project's one export writer
(``core.exports``: bold frozen header, every cell through the formula-injection sanitiser).

An app describes each sheet by its columns (``core.exports.Column``: header, value of a row)
and hands the rows; the rows are read once, in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from educredit.core.exports import Column, Sheet, xlsx_workbook_bytes


def edition_sheet(
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
    *,
    widths: Sequence[float] = (),
    wrap: bool = False,
) -> Sheet:
    """One sheet: a header of the columns' headers, then one line per row of their values."""
    return Sheet(
        title=title,
        headers=[column.header for column in columns],
        rows=([column.value(row) for column in columns] for row in rows),
        widths=widths,
        wrap=wrap,
    )


def edition_export(sheets: Iterable[Sheet]) -> bytes:
    """The workbook of ``sheets`` (bytes)."""
    return xlsx_workbook_bytes(sheets)
