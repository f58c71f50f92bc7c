"""Subject pages, the person look-up and the lists: only what is public today."""

from __future__ import annotations

import datetime as dt

import pytest

from educredit.catalog.choices import DisclosureMode
from educredit.core.clock import today
from educredit.portal.selectors import public_as_of
from educredit.portal.tests.conftest import add_record, public_item
from educredit.records import services as record_services
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.models import CreditListEntry
from educredit.subjects.tests.factories import resident_id

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def page(client, institution, **params) -> str:
    response = client.get(f"/institutions/{institution.public_id}/", params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_subject_page_shows_public_fields_window_and_rule(client, zzu, county):
    until = today() + 100 * DAY
    add_record(
        item=public_item(),
        organisation=county,
        institution=zzu,
        title="违规招生",
        public_until=until,
        payload={"content": "警告并责令改正", "internal": "内部备注不公开"},
    )
    html = page(client, zzu)
    assert "违规招生" in html
    assert "警告并责令改正" in html
    assert "内部备注不公开" not in html
    # The stored window is half-open: the last day on the portal is the day before public_until.
    assert f"公示期至 {until - DAY:%Y-%m-%d}" in html
    assert "（依据《河南省社会信用条例》2026 年规则：一般失信 1 年）" in html


def test_only_records_inside_their_window_are_shown(client, zzu, county):
    item = public_item()
    current = today()
    add_record(
        item=item,
        organisation=county,
        institution=zzu,
        title="当前",
        public_until=current + 5 * DAY,
    )
    add_record(
        item=item,
        organisation=county,
        institution=zzu,
        title="已过期",
        public_from=current - 400 * DAY,
        public_until=current - DAY,
    )
    add_record(
        item=item,
        organisation=county,
        institution=zzu,
        title="尚未开始",
        public_from=current + 3 * DAY,
        public_until=current + 300 * DAY,
    )
    add_record(item=item, organisation=county, institution=zzu, title="长期守信", public_until=None)
    html = page(client, zzu)
    assert "当前" in html and "长期守信" in html and "长期公示" in html
    assert "已过期" not in html and "尚未开始" not in html
    # A later as_of answers for that day: the current one ends, the future one begins.
    later = page(client, zzu, as_of=(current + 10 * DAY).isoformat())
    assert "当前" not in later and "尚未开始" in later
    # A past as_of is refused (it would bring back closed windows): today is used.
    assert "已过期" not in page(client, zzu, as_of=(current - 30 * DAY).isoformat())
    assert public_as_of("not-a-date") == current


def test_non_public_items_and_statuses_are_hidden(client, zzu, county):
    shared = public_item(disclosure_mode=DisclosureMode.GOVERNMENT)
    item = public_item()
    add_record(item=shared, organisation=county, institution=zzu, title="政务共享信息")
    for status in CreditRecordStatus.values:
        add_record(
            item=item, organisation=county, institution=zzu, title=f"状态{status}", status=status
        )
    html = page(client, zzu)
    assert "政务共享信息" not in html
    shown = {s for s in CreditRecordStatus.values if f"状态{s}" in html}
    assert shown == {"effective", "under_objection"}
    assert "异议处理中" in html


def test_a_revoked_decision_disappears_at_once(client, zzu, county):
    from educredit.records.tests.factories import make_reviewer

    record = add_record(
        item=public_item(), organisation=county, institution=zzu, title="将被撤销的处罚"
    )
    assert "将被撤销的处罚" in page(client, zzu)
    record_services.credit_record_revoke(
        actor=make_reviewer(organisation=county), record=record, reason="决定被撤销"
    )
    assert "将被撤销的处罚" not in page(client, zzu)


def test_unknown_institution_is_404(client):
    assert client.get("/institutions/00000000-0000-0000-0000-000000000000/").status_code == 404


def lookup(client, name: str, number: str) -> str:
    response = client.post(
        "/query/person/", {"name": name, "document_type": "resident_id", "id_number": number}
    )
    assert response.status_code == 200
    return str(response.content.decode())


def test_person_lookup_needs_exact_name_and_number(client, adult, county):
    add_record(item=public_item(), organisation=county, person=adult, title="师德失范处理")
    number = resident_id(11, born="19800101")
    html = lookup(client, "张老师", number)
    assert "师德失范处理" in html
    assert adult.id_number_masked in html
    assert number not in html
    for name, num in (("张老", number), ("张老师", resident_id(13, born="19800101"))):
        assert "未找到可公示的信息" in lookup(client, name, num)


def test_person_with_nothing_public_looks_like_nobody(client, adult):
    html = lookup(client, "张老师", resident_id(11, born="19800101"))
    assert "未找到可公示的信息" in html
    assert adult.id_number_masked not in html


def test_nothing_about_a_minor_is_public(client, minor, county, zzu):
    from educredit.portal.tests.conftest import birth_for_age

    add_record(item=public_item(), organisation=county, person=minor, title="考试作弊")
    html = lookup(client, "李小明", resident_id(12, born=birth_for_age(15)))
    assert "未找到可公示的信息" in html
    assert "考试作弊" not in html and minor.id_number_masked not in html
    assert "李小明" not in page(client, zzu)


def test_person_lookup_never_by_get_and_never_in_urls(client):
    response = client.get("/query/person/", {"name": "张老师", "id_number": "410102198001010117"})
    assert response.status_code == 302
    assert response.url == "/query/person/"  # the query string is dropped, never echoed
    html = client.get("/query/person/").content.decode()
    assert 'method="post"' in html


def test_lists_show_listed_institutions_and_exit_notices(client, zzu, county, adult):
    current = today()
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=zzu,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="严重违规办学",
        listed_on=current - 5 * DAY,
        valid_until=current + 300 * DAY,
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        person=adult,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="个人不得浏览",
        listed_on=current - 5 * DAY,
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=zzu,
        organisation=county,
        status=ListEntryStatus.NOTICE,
        reason="尚在事前告知",
        notice_date=current,
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.RED,
        institution=zzu,
        organisation=county,
        status=ListEntryStatus.EXITED,
        reason="守信",
        listed_on=current - 500 * DAY,
        exited_on=current - 2 * DAY,
        exit_notice="有效期届满移出红名单",
    )
    html = client.get("/lists/").content.decode()
    assert "严重违规办学" in html and "郑州大学" in html
    assert "个人不得浏览" not in html and "张老师" not in html
    assert "尚在事前告知" not in html
    assert "有效期届满移出红名单" in html
    red = client.get("/lists/", {"kind": "red"}).content.decode()
    assert "严重违规办学" not in red
    assert "严重违规办学" in page(client, zzu)


def test_disclosure_lists_public_institution_records(client, zzu, county):
    item = public_item()
    record = add_record(item=item, organisation=county, institution=zzu, title="双公示处罚")
    # A record without a 双公示 decision is on the third tab, 其他公示信息.
    assert "双公示处罚" not in client.get("/disclosure/").content.decode()
    html = client.get("/disclosure/", {"tab": "other"}).content.decode()
    assert "双公示处罚" in html and f"/institutions/{zzu.public_id}/" in html
    assert f'href="/disclosure/{record.public_id}/"' in html
