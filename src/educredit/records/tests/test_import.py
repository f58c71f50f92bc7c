"""Spreadsheet import of records: encodings, per-row errors, nothing partial, error report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from educredit.records.choices import CreditRecordSource
from educredit.records.imports import error_report_csv, records_import_upload
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db

HEADER = "主体统一社会信用代码,事由,决定文书号,认定单位,决定日期,程序,处罚内容,罚款金额（万元）\n"


def _csv(rows: list[str], encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile("records.csv", (HEADER + "\n".join(rows) + "\n").encode(encoding))


@pytest.fixture
def schools(county: Any) -> list[Any]:
    return [
        make_institution(supervisor=county, name=f"中原区第{n}中学", serial=300 + n) for n in (1, 2)
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_good_file_in_every_encoding(county_clerk: Any, schools: list[Any], encoding: str) -> None:
    item = make_catalog_item()
    rows = [
        f"{schools[0].uscc},违规收费,郑中教罚〔2026〕11号,中原区教育局,2026/3/1,普通程序,警告,",
        f"{schools[1].uscc},违规招生,郑中教罚〔2026〕12号,中原区教育局,2026年3月2日,简易程序,罚款,0.5",
    ]
    result = records_import_upload(actor=county_clerk, item=item, upload=_csv(rows, encoding))
    assert result.ok, result.errors
    assert result.created == 2
    records = CreditRecord.objects.order_by("decision_number")
    assert [r.source for r in records] == [CreditRecordSource.IMPORT] * 2
    assert records[1].payload == {"penalty_content": "罚款", "fine_amount": "0.5"}


def test_bad_rows_import_nothing(county_clerk: Any, schools: list[Any], other_county: Any) -> None:
    item = make_catalog_item()
    foreign = make_institution(supervisor=other_county, name="金水区第一中学", serial=399)
    rows = [
        f"{schools[0].uscc},违规收费,郑中教罚〔2026〕21号,中原区教育局,2026-03-01,普通程序,警告,",
        f"{foreign.uscc},违规收费,郑中教罚〔2026〕22号,中原区教育局,2026-03-01,普通程序,警告,",
        f"{schools[1].uscc},违规收费,郑中教罚〔2026〕23号,中原区教育局,不是日期,普通程序,警告,",
        f"{schools[1].uscc},违规收费,郑中教罚〔2026〕24号,中原区教育局,2026-03-01,普通程序,,很多",
    ]
    result = records_import_upload(actor=county_clerk, item=item, upload=_csv(rows))
    assert not result.ok
    assert CreditRecord.objects.count() == 0
    assert {e.row for e in result.errors} == {3, 4, 5}
    assert {e.column for e in result.errors if e.row == 5} == {"处罚内容", "罚款金额（万元）"}
    report = error_report_csv(result).decode("utf-8-sig")
    assert report.splitlines()[0] == "原行号,列,错误原因"
    assert len(report.splitlines()) == 1 + len(result.errors)


def test_missing_columns(county_clerk: Any) -> None:
    item = make_catalog_item()
    upload = SimpleUploadedFile("x.csv", "事由,决定日期\n违规,2026-01-01\n".encode())
    result = records_import_upload(actor=county_clerk, item=item, upload=upload)
    assert not result.ok and result.errors[0].row == 1
    assert "认定单位" in result.errors[0].column


def test_import_page_and_error_report(county_clerk: Any, schools: list[Any]) -> None:
    item = make_catalog_item()
    client = Client()
    client.force_login(county_clerk)
    url = reverse("records:record_import")
    bad = _csv([f"{schools[0].uscc},违规收费,文号1,中原区教育局,无效,普通程序,警告,"])
    page = client.post(url, {"item": str(item.public_id), "file": bad})
    assert page.status_code == 200 and page.context["result"].errors
    report = client.get(reverse("records:record_import_report"))
    assert report.status_code == 200
    assert "决定日期" in report.content.decode("utf-8-sig")
    good = _csv([f"{schools[0].uscc},违规收费,文号1,中原区教育局,2026-03-01,普通程序,警告,"])
    done = client.post(url, {"item": str(item.public_id), "file": good})
    assert done.status_code == 302
    assert CreditRecord.objects.count() == 1
