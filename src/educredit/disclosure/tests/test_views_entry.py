"""The 双公示 entry form: validated as the user types, saved through the services, idempotent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from educredit.disclosure.models import Decision
from educredit.disclosure.tests.pages import (
    english_visible,
    prepare_county,
    row_for,
    school_of,
)
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord

pytestmark = pytest.mark.django_db

ENTRY = "/disclosure/entry/penalty/"
CHECK = "/disclosure/entry/penalty/check/"


@pytest.fixture
def school(county: Any) -> Any:
    prepare_county(county)
    return school_of(county)


def post_row(client: Any, row: dict[str, str], **extra: str) -> Any:
    data: dict[str, Any] = {"procedure": "ordinary", "catalog_item": "JY-CF-02", **row}
    data["CF_CFLB"] = row.get("CF_CFLB", "").split(";")
    data.update(extra)
    return client.post(ENTRY, data)


def test_the_form_shows_the_national_fields_grouped_with_their_codes(
    client: Any, county_clerk: Any, school: Any
) -> None:
    client.force_login(county_clerk)
    html = client.get(ENTRY).content.decode()
    assert "行政相对人名称" in html and "CF_XDR_MC" in html
    for heading in (
        "行政相对人",
        "法定代表人与证件",
        "决定内容",
        "日期与状态",
        "决定机关与数据来源",
    ):
        assert f">{heading}</legend>" in html
    assert 'data-entry-check-url="/disclosure/entry/penalty/check/"' in html
    assert '<script src="/static/disclosure/entry.js" defer></script>' in html
    assert [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag] == []
    # The user's own bureau is offered as issuing body and data source.
    assert 'value="中原区教育局"' in html and f'value="{school.supervisor.uscc}"' in html
    assert client.get(reverse("disclosure:entry_licence")).status_code == 200


def test_the_form_in_english(client: Any, county_clerk: Any, school: Any) -> None:
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    for url in (ENTRY, reverse("disclosure:entry_licence")):
        html = client.get(url).content.decode()
        assert "Party name" in html or "Licence content" in html
        left = english_visible(html, "中原区教育局", "中原录入员", "中文")
        assert left == [], (url, left)


def test_the_check_endpoint_names_each_fields_problem(
    client: Any, county_clerk: Any, school: Any
) -> None:
    client.force_login(county_clerk)
    row = row_for(school, CF_CFJGDM="11410102005566778B", CF_NR_FK="")
    answer = client.post(CHECK, {**row, "CF_CFLB": ["警告", "罚款"]}).json()
    assert set(answer["errors"]) == {"CF_CFJGDM", "CF_NR_FK"}
    assert "罚款" in answer["errors"]["CF_NR_FK"][0]
    assert answer["compliant"] is False and answer["complete"] is False

    answer = client.post(CHECK, {**row_for(school), "CF_CFLB": ["警告", "罚款"]}).json()
    assert answer == {
        "errors": {},
        "complete": True,
        "compliant": True,
        "count": 0,
        "notices": [],
    }


def test_the_check_endpoint_answers_in_english(client: Any, county_clerk: Any, school: Any) -> None:
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    answer = client.post(CHECK, {"CF_CFJGDM": "123"}).json()
    assert all(not re.search(r"[\u4e00-\u9fff]", m) for m in answer["errors"]["CF_WSH"])


def test_a_party_outside_the_jurisdiction_is_not_found(
    client: Any, outsider: Any, school: Any
) -> None:
    client.force_login(outsider)
    answer = client.post(CHECK, {**row_for(school), "CF_CFLB": ["警告", "罚款"]}).json()
    assert list(answer["errors"]) == ["CF_XDR_MC"]
    response = post_row(client, row_for(school))
    assert response.status_code == 200
    assert not CreditRecord.objects.exists()


def test_saving_creates_a_draft_and_its_decision_then_updates_it(
    client: Any, county_clerk: Any, school: Any
) -> None:
    client.force_login(county_clerk)
    response = post_row(client, row_for(school, CF_XDR_GSZC="4101"), action="save")
    record = CreditRecord.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("records:record_detail", args=[record.public_id])
    assert record.status == CreditRecordStatus.DRAFT
    assert record.institution == school and record.payload["fine_amount"] == "3.5"
    assert Decision.objects.get(record=record).extra["CF_XDR_GSZC"] == "4101"

    # The same 文书号 from the same body: the draft is updated, not duplicated.
    response = post_row(
        client, row_for(school, CF_NR_FK="4", CF_NR="警告；罚款4万元", CF_XDR_GSZC="4102")
    )
    assert response.status_code == 302
    record = CreditRecord.objects.get()
    assert record.payload["fine_amount"] == "4"
    assert Decision.objects.get(record=record).extra["CF_XDR_GSZC"] == "4102"

    # Submitting it sends it for review.
    post_row(client, row_for(school, CF_NR_FK="4", CF_NR="警告；罚款4万元"), action="submit")
    record = CreditRecord.objects.get()
    assert record.status == CreditRecordStatus.SUBMITTED

    # Once submitted, the form refuses to change it and points to the record.
    response = post_row(client, row_for(school, CF_NR_FK="5"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "申请更正" in html
    assert reverse("records:record_detail", args=[record.public_id]) in html
    assert CreditRecord.objects.get().payload["fine_amount"] == "4"


def test_a_bad_row_is_shown_again_with_its_errors_and_nothing_is_saved(
    client: Any, county_clerk: Any, school: Any
) -> None:
    client.force_login(county_clerk)
    row = row_for(school, CF_XDR_ZJLX="身份证", CF_XDR_ZJHM="410105199003071234")
    response = post_row(client, row)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-entry-errors="CF_XDR_ZJHM"><div>' in html
    # The identity number typed is never written back into the page.
    assert "410105199003071234" not in html
    assert not CreditRecord.objects.exists()


def test_read_only_users_cannot_enter(client: Any, county_viewer: Any, school: Any) -> None:
    client.force_login(county_viewer)
    assert client.get(ENTRY).status_code == 403
    assert client.post(CHECK, {}).status_code == 403
