"""The catalog says which organisation kinds record each item (ADR 0037): shipped, validated,
on the item page, and through the spreadsheet both ways."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from educredit.catalog import services
from educredit.catalog.spreadsheet import catalog_version_import, export_version

BUREAUS = ["province", "city", "county"]


def test_the_shipped_catalog_gives_penalties_to_bureaus_and_ethics_to_schools(shipped: Any):
    kinds = {item.code: item.recorder_kinds for item in shipped.items.all()}
    for code in ("JY-XK-01", "JY-CF-01", "JY-CF-02", "JY-CF-03", "JY-ZG-01", "JY-MD-02"):
        assert kinds[code] == BUREAUS, code
    assert "school" in kinds["JY-SD-01"] and "school" in kinds["JY-ZZ-01"]
    assert kinds["JY-XS-01"] == ["university"]
    assert all(kinds.values()), "every shipped item names who records it"


def test_unknown_kinds_are_refused_and_order_is_canonical(draft: Any, province_admin: Any):
    item = draft.items.get(code="JY-SD-01")
    with pytest.raises(ValidationError) as refused:
        services.catalog_item_update(actor=province_admin, item=item, recorder_kinds=["mars"])
    assert "recorder_kinds" in refused.value.message_dict
    item = services.catalog_item_update(
        actor=province_admin, item=item, recorder_kinds=["school", "province"]
    )
    assert item.recorder_kinds == ["province", "school"]


def test_item_page_shows_and_form_edits_the_kinds(client: Any, draft: Any, province_admin: Any):
    item = draft.items.get(code="JY-CF-02")
    client.force_login(province_admin)
    page = client.get(f"/catalog/item/?id={item.public_id}").content.decode()
    assert "录入单位类型" in page and "县教育局" in page
    form = client.get(f"/catalog/item/edit/?id={item.public_id}").content.decode()
    assert 'name="recorder_kinds"' in form


def _sheet_with(content: bytes, code: str, value: str | None) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["目录"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("录入单位类型")
    if value is None:
        sheet.delete_cols(column + 1)
    else:
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == code:
                row[column].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_spreadsheet_carries_the_kinds(shipped: Any, draft: Any, province_admin: Any):
    exported = export_version(shipped)
    rows = list(load_workbook(io.BytesIO(exported))["目录"].iter_rows(values_only=True))
    column = rows[0].index("录入单位类型")
    penalty = next(row for row in rows if row[0] == "JY-CF-02")
    assert penalty[column] == "省教育厅、市教育局、县教育局"
    edited = _sheet_with(exported, "JY-TS-01", "县教育局、中小学")
    catalog_version_import(actor=province_admin, version=draft, content=edited)
    assert draft.items.get(code="JY-TS-01").recorder_kinds == ["county", "school"]


def test_an_older_file_without_the_column_still_imports(draft: Any, province_admin: Any, shipped):
    older = _sheet_with(export_version(shipped), "", None)
    catalog_version_import(actor=province_admin, version=draft, content=older)
    assert draft.items.get(code="JY-CF-02").recorder_kinds == BUREAUS  # kept as they were
