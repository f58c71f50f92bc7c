"""The records list, the review queue and the list entries export their current filter
(ADR 0036): every row of the filter (not one page), headers in the reader's language, nothing of
another county, numbers masked, the query log written, the bulk approval above the threshold."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.core.exports import EXPORT_PARAM
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.choices import QueryKind
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.web.paging import PAGE_SIZE

pytestmark = pytest.mark.django_db

HEADERS_ZH = [
    "事由",
    "决定文书号",
    "主体",
    "统一社会信用代码或证件号码",
    "状态",
    "目录条目",
    "决定日期",
    "录入单位",
    "记录编号",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def sheet_rows(response: Any) -> list[list[Any]]:
    """The rows of the first sheet of an XLSX response, header first."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def records_world(county_clerk: Any, outsider: Any) -> dict[str, Any]:
    """More records than a page in the county (one about a person), one in another county."""
    item = make_catalog_item()
    school = make_institution(supervisor=county_clerk.organisation, name="导出学校", serial=7001)
    records = [
        make_record(
            actor=county_clerk,
            catalog_item=item,
            institution=school,
            title=f"导出事由{n:02d}",
            status=S.EFFECTIVE,
        )
        for n in range(PAGE_SIZE + 3)
    ]
    person = make_person(institution=school, name="导出人", number=resident_id(31, born="19800101"))
    about_person = make_record(actor=county_clerk, person=person, title="导出人员事由")
    elsewhere = make_record(actor=outsider, title="外县导出事由", status=S.EFFECTIVE)
    return {"records": records, "person": person, "about_person": about_person, "other": elsewhere}


def test_record_list_exports_every_row_of_the_filter(
    records_world: dict[str, Any], county_clerk: Any
) -> None:
    url = reverse("records:record_list")
    client = _client(county_clerk)
    page = client.get(url, {"status": S.EFFECTIVE})
    assert page.context["page"].paginator.count == PAGE_SIZE + 3
    assert f"{EXPORT_PARAM}=xlsx" in page.content.decode()  # the button, filter kept
    assert "status=effective&amp;export=xlsx" in page.content.decode()
    before = SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT).count()
    response = client.get(url, {"status": S.EFFECTIVE, EXPORT_PARAM: "xlsx", "page": "2"})
    rows = sheet_rows(response)
    assert rows[0] == HEADERS_ZH
    titles = sorted(row[0] for row in rows[1:])
    assert titles == sorted(record.title for record in records_world["records"])
    assert "外县导出事由" not in titles  # another county's record: not in the file
    assert "导出人员事由" not in titles  # a draft: outside the filter
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="credit-records-2')
    assert disposition.endswith('.xlsx"') and disposition.isascii()
    # One query-log row per subject in the file (one school here), as an export.
    logged = SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT)
    assert logged.count() == before + 1
    assert logged.get().institution == records_world["records"][0].institution


def test_record_export_masks_numbers_and_speaks_english(
    records_world: dict[str, Any], county_clerk: Any
) -> None:
    person = records_world["person"]
    rows = sheet_rows(
        _client(county_clerk, "en").get(
            reverse("records:record_list"), {"q": "导出人员", EXPORT_PARAM: "xlsx"}
        )
    )
    assert len(rows) == 2
    header = rows[0]
    assert header[:3] == ["Matter", "Decision document number", "Subject"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(header)), header
    assert rows[1][2] == "导出人"
    assert rows[1][3] == person.id_number_masked
    assert resident_id(31, born="19800101") not in repr(rows)
    assert SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT, person=person).exists()


def test_outsider_exports_nothing_of_the_county(
    records_world: dict[str, Any], outsider: Any
) -> None:
    rows = sheet_rows(_client(outsider).get(reverse("records:record_list"), {EXPORT_PARAM: "xlsx"}))
    assert [row[0] for row in rows[1:]] == ["外县导出事由"]


def test_export_above_the_threshold_needs_an_approval(
    records_world: dict[str, Any], county_clerk: Any, settings: Any
) -> None:
    settings.EDUCREDIT_BULK_ACCESS_THRESHOLD = 1
    county_clerk.organisation.refresh_from_db()
    client = _client(county_clerk)
    before = SubjectQueryLog.objects.count()
    # Two subjects (the school and the person): above a threshold of one.
    response = client.get(reverse("records:record_list"), {EXPORT_PARAM: "xlsx"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("rights:approval_request")
    text = response.content.decode()
    assert "须经审核人员" in text and "涉及 2 个信用主体" in text
    assert SubjectQueryLog.objects.count() == before  # nothing was exported, nothing logged


def test_unknown_format_is_refused_with_a_message(
    records_world: dict[str, Any], county_clerk: Any
) -> None:
    response = _client(county_clerk).get(
        reverse("records:record_list"), {"status": S.EFFECTIVE, EXPORT_PARAM: "pdf"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("records:record_list") + "?status=effective"
    assert "不支持的导出格式" in response.content.decode()


def test_export_is_refused_above_the_row_limit(
    records_world: dict[str, Any], county_clerk: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("educredit.core.exports.EXPORT_ROW_LIMIT", 5)
    response = _client(county_clerk).get(
        reverse("records:record_list"), {EXPORT_PARAM: "xlsx"}, follow=True
    )
    assert "请缩小筛选范围" in response.content.decode()


def test_review_queue_exports_the_whole_queue(
    county_clerk: Any, city_reviewer: Any, outsider: Any
) -> None:
    submitted = [
        make_record(actor=county_clerk, title=f"待审{n}", status=S.SUBMITTED) for n in range(3)
    ]
    make_record(actor=county_clerk, title="草稿不在队列", status=S.DRAFT)
    client = _client(city_reviewer)
    page = client.get(reverse("records:review_queue"))
    assert "export=xlsx" in page.content.decode()
    rows = sheet_rows(client.get(reverse("records:review_queue"), {EXPORT_PARAM: "xlsx"}))
    assert rows[0] == HEADERS_ZH
    assert sorted(row[0] for row in rows[1:]) == sorted(r.title for r in submitted)
    logged = SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT, user=city_reviewer)
    assert logged.count() == 3
    # A clerk may not open the queue, nor its export.
    refused = _client(county_clerk).get(reverse("records:review_queue"), {EXPORT_PARAM: "xlsx"})
    assert refused.status_code == 403


def test_list_entries_export_their_filter(
    county: Any, other_county: Any, county_clerk: Any
) -> None:
    from educredit.records.tests.jurisdiction_lists import _list_entry_in

    entry_id = _list_entry_in(county)
    _list_entry_in(other_county)
    rows = sheet_rows(
        _client(county_clerk).get(reverse("records:list_entry_list"), {EXPORT_PARAM: "xlsx"})
    )
    assert rows[0][:4] == ["主体", "统一社会信用代码或证件号码", "名单", "状态"]
    assert [row[-1] for row in rows[1:]] == [str(entry_id)]
    assert SubjectQueryLog.objects.filter(kind=QueryKind.EXPORT, user=county_clerk).count() == 1
