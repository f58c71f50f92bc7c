"""The diff between two editions' rows and the XLSX export of an edition's rows."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

from openpyxl import load_workbook

from educredit.catalog.models import CatalogItem
from educredit.catalog.services import (
    catalog_item_create,
    catalog_item_delete,
    catalog_item_update,
    catalog_version_create,
)
from educredit.catalog.spreadsheet import FIELD_COLUMNS, ITEM_COLUMNS, export_version
from educredit.catalog.tests.factories import TEST_ACTOR
from educredit.core.exports import Column
from educredit.editions.diff import edition_diff
from educredit.editions.exports import edition_export, edition_sheet
from educredit.sanctions.spreadsheet import MEASURE_COLUMNS, SCENARIO_COLUMNS, export_measure_list
from educredit.sanctions.tests.factories import shipped_measure_list

ITEM_FIELDS = ("name", "severity", "disclosure_mode", "field_schema")


def test_the_diff_lists_added_removed_and_changed_rows_by_key(shipped):
    draft = catalog_version_create(
        actor=TEST_ACTOR, title="修订版", effective_from=datetime.date(2027, 1, 1)
    )
    items = {item.code: item for item in draft.items.all()}
    catalog_item_update(actor=TEST_ACTOR, item=items["JY-CF-02"], severity="serious")
    catalog_item_update(actor=TEST_ACTOR, item=items["JY-XK-01"], name="行政许可（修订）")
    catalog_item_delete(actor=TEST_ACTOR, item=items["JY-BZ-01"])
    catalog_item_create(
        actor=TEST_ACTOR,
        version=draft,
        code="JY-QT-01",
        name="其他信息",
        provider="省教育厅",
        subject_type="institution",
        category="inspection",
        sharing="conditional",
        severity="neutral",
        disclosure_mode="government",
        field_schema=[{"name": "note", "label": "说明", "type": "text", "required": True}],
    )
    diff = edition_diff(
        shipped.items.all(),
        CatalogItem.objects.filter(version=draft),
        key="code",
        fields=ITEM_FIELDS,
    )
    assert [item.code for item in diff.added] == ["JY-QT-01"]
    assert [item.code for item in diff.removed] == ["JY-BZ-01"]
    assert [(change.key, change.fields) for change in diff.changed] == [
        ("JY-CF-02", ("severity",)),
        ("JY-XK-01", ("name",)),
    ]
    cf02 = diff.changed[0]
    assert cf02.before.severity == "general" and cf02.after.severity == "serious"
    assert diff
    same = edition_diff(shipped.items.all(), shipped.items.all(), key="code", fields=ITEM_FIELDS)
    assert not same and same.added == same.removed == same.changed == []


def test_the_diff_compares_only_the_fields_named():
    old = [SimpleNamespace(code="A", name="甲", sort_order=1)]
    new = [SimpleNamespace(code="A", name="甲", sort_order=2)]
    assert not edition_diff(old, new, key="code", fields=("name",))
    assert edition_diff(old, new, key="code", fields=("name", "sort_order")).changed[0].fields == (
        "sort_order",
    )


def test_an_edition_sheet_writes_its_columns_safely_with_widths_and_wrap():
    rows = [
        SimpleNamespace(code="A-1", text="第一行\n第二行"),
        SimpleNamespace(code="=1+1", text=""),
    ]
    columns = (Column("编码", lambda row: row.code), Column("内容", lambda row: row.text))
    content = edition_export([edition_sheet("清单", columns, rows, widths=(12, 40), wrap=True)])
    sheet = load_workbook(io.BytesIO(content))["清单"]
    assert [cell.value for cell in sheet[1]] == ["编码", "内容"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["B2"].value == "第一行\n第二行" and sheet["B2"].alignment.wrap_text
    assert not str(sheet["A3"].value).startswith("=")  # a formula made inert
    assert sheet.column_dimensions["B"].width == 40


def test_the_catalog_and_measure_list_exports_keep_their_columns(shipped):
    catalog = load_workbook(io.BytesIO(export_version(shipped)))
    assert tuple(cell.value for cell in catalog["目录"][1]) == ITEM_COLUMNS
    assert tuple(cell.value for cell in catalog["信息项"][1]) == FIELD_COLUMNS
    measures_version = shipped_measure_list()
    measures = load_workbook(io.BytesIO(export_measure_list(measures_version)))
    assert tuple(cell.value for cell in measures["措施清单"][1]) == MEASURE_COLUMNS
    assert tuple(cell.value for cell in measures["业务场景"][1]) == SCENARIO_COLUMNS
    assert measures["措施清单"].max_row == measures_version.measures.count() + 1
    assert measures["措施清单"]["K2"].alignment.wrap_text  # scenario lines wrap
