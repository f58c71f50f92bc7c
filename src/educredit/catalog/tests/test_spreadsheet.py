"""Export and import of a catalog version as an XLSX workbook in the provincial columns."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from educredit.audit.models import AuditEntry
from educredit.catalog.spreadsheet import (
    FIELD_COLUMNS,
    ITEM_COLUMNS,
    CatalogImportError,
    catalog_version_import,
    export_version,
    parse_workbook,
)

ITEM_SNAPSHOT_FIELDS = (
    "code",
    "name",
    "data_format",
    "provider",
    "subject_type",
    "category",
    "nature",
    "sharing",
    "coverage",
    "update_cycle",
    "field_schema",
    "severity",
    "disclosure_mode",
    "legal_basis",
    "two_person_rule",
    "reportable",
    "recorder_kinds",
)


def items_of(version: Any) -> list[dict[str, Any]]:
    return [
        {name: getattr(item, name) for name in ITEM_SNAPSHOT_FIELDS}
        for item in version.items.order_by("sort_order", "code")
    ]


def edited(content: bytes, edit) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_export_has_the_template_columns(shipped):
    workbook = load_workbook(io.BytesIO(export_version(shipped)))
    items, fields = workbook["目录"], workbook["信息项"]
    assert [cell.value for cell in items[1]][:10] == [
        "数据代码",
        "数据名称",
        "数据格式",
        "提供单位",
        "主体类型",
        "信息性质",
        "共享属性",
        "覆盖范围",
        "更新周期",
        "信息项",
    ]
    assert tuple(cell.value for cell in items[1]) == ITEM_COLUMNS
    assert tuple(cell.value for cell in fields[1]) == FIELD_COLUMNS
    penalty = next(row for row in items.iter_rows(values_only=True) if row[0] == "JY-CF-02")
    assert penalty[4] == "法人、非法人组织和自然人"
    assert "处罚内容" in str(penalty[9]).split("、")
    assert penalty[10] == "一般失信" and penalty[11] == "公开公示" and penalty[13] == "是"
    assert items.max_row == shipped.items.count() + 1


def test_round_trip_into_a_draft_changes_nothing(shipped, draft, province_admin):
    before = AuditEntry.objects.count()
    result = catalog_version_import(
        actor=province_admin, version=draft, content=export_version(shipped)
    )
    assert result.items == shipped.items.count()
    assert items_of(draft) == items_of(shipped)
    assert AuditEntry.objects.count() == before  # nothing differed, nothing written


def test_import_updates_adds_and_removes_by_code(shipped, draft, province_admin):
    def edit(workbook):
        sheet = workbook["目录"]
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == "JY-CF-02":
                row[1].value = "行政处罚（一般）"
            if row[0].value == "JY-TS-01":
                row[0].value = "JY-TS-09"
        for row in workbook["信息项"].iter_rows(min_row=2):
            if row[0].value == "JY-TS-01":
                row[0].value = "JY-TS-09"

    catalog_version_import(
        actor=province_admin, version=draft, content=edited(export_version(shipped), edit)
    )
    codes = set(draft.items.values_list("code", flat=True))
    assert "JY-TS-09" in codes and "JY-TS-01" not in codes
    assert draft.items.get(code="JY-CF-02").name == "行政处罚（一般）"
    assert AuditEntry.objects.filter(action="catalog.item_delete").count() == 1


def test_a_bad_file_changes_nothing_and_names_every_row(shipped, draft, province_admin):
    def edit(workbook):
        sheet = workbook["目录"]
        sheet["E2"] = "外星人"  # 主体类型
        sheet["N3"] = "也许"  # 双人审核
        sheet["A4"] = sheet["A5"].value  # duplicate code
        fields = workbook["信息项"]
        fields["D2"] = "金钱"  # 类型

    names_before = list(draft.items.values_list("code", "name"))
    with pytest.raises(CatalogImportError) as caught:
        catalog_version_import(
            actor=province_admin, version=draft, content=edited(export_version(shipped), edit)
        )
    text = "\n".join(caught.value.errors)  # the messages as data: Chinese
    with translation.override("en"):  # shown to a reader in English
        english = "\n".join(str(error) for error in caught.value.errors)
    assert "目录第2行" in text and "主体类型应为" in text
    assert "row 2: invalid subject type" in english
    assert "目录第3行" in text and "双人审核" in text
    assert "重复" in text and "duplicate code" in english and "重复" not in english
    assert "信息项第2行" in text and "金钱" in text
    assert list(draft.items.values_list("code", "name")) == names_before


def test_import_into_a_published_version_is_refused(shipped, province_admin):
    with pytest.raises(CatalogImportError, match="只能修改草稿版本"):
        catalog_version_import(
            actor=province_admin, version=shipped, content=export_version(shipped)
        )


def test_not_a_workbook(db):
    with pytest.raises(CatalogImportError, match="XLSX"):
        parse_workbook(b"PK not really")


def test_missing_columns_are_named(shipped):
    def edit(workbook):
        workbook["目录"]["B1"] = "名字"

    with pytest.raises(CatalogImportError, match="数据名称"):
        parse_workbook(edited(export_version(shipped), edit))
