"""The shared list-export writer: what a person opening the file sees, formula text inert."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from educredit.core.clock import BEIJING
from educredit.core.exports import csv_response, xlsx_response


def test_xlsx_has_bold_frozen_headers_and_inert_formula_text() -> None:
    when = dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC)
    response = xlsx_response(
        "records.xlsx",
        [_("名称"), "时间"],
        [["=HYPERLINK(1)", when], ["郑州大学", None]],
        sheet="信用记录/导出",
    )
    assert response["Content-Disposition"] == 'attachment; filename="records.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "信用记录 导出"
    assert [c.value for c in sheet[1]] == ["名称", "时间"]
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == when.astimezone(BEIJING).replace(tzinfo=None)
    assert sheet["A3"].value == "郑州大学"


def test_csv_starts_with_bom_and_quotes_formula_text() -> None:
    response = csv_response("x.csv", ["名称"], [["+1"], ["河南大学"]])
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff名称")
    assert "'+1" in text
    assert "河南大学" in text
    assert response["Content-Type"].startswith("text/csv")


def test_workbook_of_several_sheets_with_a_caption_above_the_header() -> None:
    from educredit.core.exports import Sheet, xlsx_workbook_response

    response = xlsx_workbook_response(
        "quality.xlsx",
        [
            Sheet("质量", ["单位", "决定数"], [["合计", 3]], caption=["中原区教育局", "2026-03"]),
            Sheet("迟报", ["决定文书号"], (row for row in [["=1+1"]])),
        ],
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["质量", "迟报"]
    quality = book["质量"]
    assert [c.value for c in quality[1]] == ["中原区教育局", "2026-03"]
    assert [c.value for c in quality[2]] == ["单位", "决定数"]
    assert quality["A2"].font.bold and quality.freeze_panes == "A3"
    assert book["迟报"]["A2"].value == "'=1+1"
