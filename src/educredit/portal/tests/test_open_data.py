"""The lists as open data: what is listed through the list services is in the file, nothing else.

Entries are walked through ``records.lists`` (propose → confirm → exit), as a bureau would,
and the CSV, JSON and XLSX files are read back the way a downloader would read them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from educredit.catalog.choices import Severity, SubjectType
from educredit.core.clock import today
from educredit.portal import open_data
from educredit.portal.tests.conftest import birth_for_age
from educredit.records import lists
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditListEntry
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
URL = "/lists/open-data.{}"
ADULT_NUMBER = resident_id(21, born="19800101")
MINOR_NUMBER = resident_id(22, born=birth_for_age(15))


@pytest.fixture
def serious_item() -> Any:
    return make_catalog_item(severity=Severity.SERIOUS, name="严重违规办学")


@pytest.fixture
def person_item() -> Any:
    return make_catalog_item(
        severity=Severity.SERIOUS, subject_type=SubjectType.PERSON, name="考试作弊"
    )


def _list(
    clerk: Any,
    reviewer: Any,
    subject: Any,
    item: Any,
    *,
    reason: str = "违规办学造成严重后果",
    confirm: bool = True,
    **extra: Any,
) -> CreditListEntry:
    """Propose (notice 60 days ago) and, unless told not to, confirm 40 days ago."""
    subject_key = "institution" if hasattr(subject, "uscc") else "person"
    record = make_record(
        actor=clerk, catalog_item=item, status=S.EFFECTIVE, **{subject_key: subject}
    )
    entry = lists.list_entry_propose(
        actor=clerk,
        kind=CreditListKind.SERIOUS,
        subject=subject,
        basis_records=[record],
        reason=reason,
        legal_basis="《河南省社会信用条例》第三十三条",
        measures="限制参加政府表彰奖励",
        exit_conditions="整改到位并满一年",
        notice_date=today() - 60 * DAY,
        **extra,
    )
    if confirm:
        lists.list_entry_confirm(
            actor=reviewer,
            entry=entry,
            listed_on=today() - 40 * DAY,
            valid_until=today() + 300 * DAY,
        )
    return entry


def _csv(client: Any) -> list[dict[str, str]]:
    response = client.get(URL.format("csv"))
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _json(client: Any) -> dict[str, Any]:
    response = client.get(URL.format("json"))
    assert response.status_code == 200
    return dict(json.loads(response.content))


def test_listed_institution_is_in_every_format_and_a_proposal_is_not(
    client, county, county_clerk, city_reviewer, serious_item
):
    school = make_institution(supervisor=county, name="中原区阳光培训学校", serial=7101)
    pending = make_institution(supervisor=county, name="中原区尚在告知学校", serial=7102)
    _list(county_clerk, city_reviewer, school, serious_item)
    _list(county_clerk, city_reviewer, pending, serious_item, reason="尚在事前告知", confirm=False)

    (row,) = _csv(client)
    assert row == {
        "名单": "严重失信主体名单",
        "主体名称": "中原区阳光培训学校",
        "统一社会信用代码": school.uscc,
        "列入日期": (today() - 40 * DAY).isoformat(),
        "有效期至": (today() + 300 * DAY).isoformat(),
        "列入理由": "违规办学造成严重后果",
        "列入依据": "《河南省社会信用条例》第三十三条",
        "惩戒或激励措施": "限制参加政府表彰奖励",
        "认定单位": "中原区教育局",
        "状态": "已列入",
        "移出日期": "",
        "移出公告": "",
    }
    document = _json(client)
    assert [f["key"] for f in document["fields"]] == list(open_data.KEYS)
    assert document["source"] == "河南省教育信用信息平台"
    (entry,) = document["entries"]
    assert entry["subject_name"] == "中原区阳光培训学校" and entry["uscc"] == school.uscc
    assert entry["status"] == "已列入" and entry["exited_on"] is None
    sheet = load_workbook(io.BytesIO(client.get(URL.format("xlsx")).content))["红黑名单"]
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[0][:2] == ["名单", "主体名称"] and values[1][1] == "中原区阳光培训学校"
    assert len(values) == 2
    assert "尚在" not in json.dumps(document, ensure_ascii=False)


def test_exit_shows_as_exited_with_its_notice(
    client, county, county_clerk, city_reviewer, serious_item
):
    school = make_institution(supervisor=county, name="中原区整改学校", serial=7201)
    entry = _list(county_clerk, city_reviewer, school, serious_item)
    lists.list_entry_exit(
        actor=county_clerk,
        entry=entry,
        exited_on=today() - 2 * DAY,
        exit_notice="该机构已整改到位，自即日起移出严重失信主体名单。",
    )
    (row,) = _csv(client)
    assert (row["状态"], row["移出日期"], row["移出公告"]) == (
        "已移出",
        (today() - 2 * DAY).isoformat(),
        "该机构已整改到位，自即日起移出严重失信主体名单。",
    )
    # Like the page's exit notice, the row no longer carries the reasons for listing.
    assert (row["主体名称"], row["列入理由"], row["惩戒或激励措施"]) == ("中原区整改学校", "", "")
    html = client.get("/lists/").content.decode()
    assert "该机构已整改到位" in html


def test_an_exit_dated_later_keeps_the_entry_listed_until_then(
    client, county, county_clerk, city_reviewer, serious_item
):
    school = make_institution(supervisor=county, name="中原区待移出学校", serial=7301)
    entry = _list(county_clerk, city_reviewer, school, serious_item)
    lists.list_entry_exit(
        actor=county_clerk, entry=entry, exited_on=today() + 5 * DAY, exit_notice="五日后移出"
    )
    (row,) = _csv(client)
    assert (row["状态"], row["移出日期"], row["移出公告"]) == ("已列入", "", "")
    assert "中原区待移出学校" in client.get("/lists/").content.decode()


def test_people_are_never_in_the_file(
    client, county, county_clerk, city_reviewer, zzu, person_item, serious_item
):
    adult = make_person(institution=zzu, name="王老师", number=ADULT_NUMBER)
    minor = make_person(
        institution=zzu, name="李小明", number=MINOR_NUMBER, role=AffiliationRole.STUDENT
    )
    _list(county_clerk, city_reviewer, adult, person_item, reason="个人考试作弊")
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        person=minor,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="未成年人条目",
        listed_on=today() - 5 * DAY,
    )
    _list(county_clerk, city_reviewer, zzu, serious_item)
    for fmt in ("csv", "json"):
        body = client.get(URL.format(fmt)).content.decode("utf-8-sig")
        assert "郑州大学" in body
        for leak in ("王老师", "个人考试作弊", ADULT_NUMBER, adult.id_number_masked, "李小明"):
            assert leak not in body, (fmt, leak)
        assert MINOR_NUMBER not in body and "未成年人条目" not in body


def test_formula_cells_are_neutralised_in_spreadsheets(
    client, county, county_clerk, city_reviewer, serious_item
):
    school = make_institution(supervisor=county, name="+中原区公式学校", serial=7401)
    _list(county_clerk, city_reviewer, school, serious_item, reason="=cmd|' /C calc'!A0")
    (row,) = _csv(client)
    assert row["列入理由"] == "'=cmd|' /C calc'!A0"
    assert row["主体名称"] == "'+中原区公式学校"
    sheet = load_workbook(io.BytesIO(client.get(URL.format("xlsx")).content))["红黑名单"]
    cell = sheet.cell(row=2, column=open_data.KEYS.index("reason") + 1)
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"
    # JSON is data, not a spreadsheet: the value is given as entered.
    assert _json(client)["entries"][0]["reason"] == "=cmd|' /C calc'!A0"


def test_headers_and_conditional_get(client, county, county_clerk, city_reviewer, serious_item):
    school = make_institution(supervisor=county, name="中原区缓存学校", serial=7501)
    _list(county_clerk, city_reviewer, school, serious_item)
    first = client.get(URL.format("csv"))
    assert first["Content-Type"] == "text/csv; charset=utf-8"
    assert first["Content-Disposition"] == (
        f'attachment; filename="educredit-lists-{today().isoformat()}.csv"'
    )
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(URL.format("csv"), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(URL.format("csv"), headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    # Another format is another representation; a change to the lists is a new file.
    other = client.get(URL.format("json"), headers={"if-none-match": first["ETag"]})
    assert other.status_code == 200
    _list(county_clerk, city_reviewer, school, serious_item, reason="再次列入")
    changed = client.get(URL.format("csv"), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and "再次列入" in changed.content.decode("utf-8-sig")


def test_the_file_is_rate_limited(client, settings):
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"open_data": 2}
    codes = [client.get(URL.format("json")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("size", [1, 10])
def test_query_count_is_fixed(
    client, county, county_clerk, city_reviewer, serious_item, size, django_assert_num_queries
):
    for n in range(size):
        school = make_institution(supervisor=county, name=f"名单学校{n}", serial=7600 + n)
        entry = _list(county_clerk, city_reviewer, school, serious_item)
        if n % 2:
            lists.list_entry_exit(
                actor=county_clerk, entry=entry, exited_on=today() - DAY, exit_notice="移出"
            )
    # Rate-limit upsert, the window clean-up on a first hit, the entries, two aggregates.
    with django_assert_num_queries(5):
        response = client.get(URL.format("csv"))
    assert len(_rows(response.content)) == size


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_lists_page_links_the_files_and_describes_the_fields(client):
    html = client.get("/lists/").content.decode()
    for fmt in open_data.FORMATS:
        assert f'href="/lists/open-data.{fmt}"' in html
    assert "可自由下载使用" in html and "<code>exit_notice</code>" in html
