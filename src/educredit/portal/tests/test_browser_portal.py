"""A visitor uses the portal in a real browser (phone and laptop): searches a university by
its pinyin initials, opens its page, reads the lists, and looks a teacher up by name and
number — the number sent in the POST body and never shown."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from educredit.core.clock import today
from educredit.portal.tests.conftest import add_record, public_item
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.models import CreditListEntry
from educredit.subjects.tests.factories import resident_id
from educredit.testing.browser import fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_reads_lists_and_looks_up_a_teacher(
    browser_page: Any, screenshot: Any, zzu: Any, adult: Any, county: Any
) -> None:
    from playwright.sync_api import expect

    current = today()
    until = current + dt.timedelta(days=200)
    add_record(
        item=public_item(),
        organisation=county,
        institution=zzu,
        title="违规收费",
        public_until=until,
        payload={"content": "警告，退还违规收取的费用"},
    )
    add_record(
        item=public_item(), organisation=county, person=adult, title="有偿补课", public_until=until
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=zzu,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="拒不履行行政处罚决定",
        listed_on=current,
    )
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto("/query/")
    page.locator("#portal-q").fill("zzdx")
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/query/\?q=zzdx"))
    expect(page.locator(".ec-results")).to_contain_text("郑州大学")
    assert fits_width(page)
    screenshot(page, "portal-search")

    page.locator(".ec-results a", has_text="郑州大学").click()
    expect(page).to_have_url(re.compile(rf"/institutions/{zzu.public_id}/$"))
    expect(page.locator("main")).to_contain_text("违规收费")
    # Half-open window: the last day shown is the day before public_until.
    last_day = until - dt.timedelta(days=1)
    expect(page.locator("main")).to_contain_text(f"公示期至 {last_day:%Y-%m-%d}")
    expect(page.locator("main")).to_contain_text("严重失信主体名单")
    assert fits_width(page)
    screenshot(page, "portal-institution")

    page.goto("/lists/")
    expect(page.locator(".ec-list-entries")).to_contain_text("郑州大学")
    expect(page.locator(".ec-list-entries")).to_contain_text("拒不履行行政处罚决定")
    assert fits_width(page)
    screenshot(page, "portal-lists")
    # The open-data field list unfolds without script and still fits a phone.
    page.locator(".ec-open-data summary").click()
    expect(page.locator(".ec-open-data table")).to_contain_text("exit_notice")
    assert fits_width(page)
    page.locator(".ec-open-data").scroll_into_view_if_needed()
    screenshot(page, "portal-lists-open-data")

    number = resident_id(11, born="19800101")
    page.goto("/query/person/")
    page.locator("input[name=name]").fill("张老师")
    page.locator("input[name=id_number]").fill(number)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("有偿补课")
    expect(page.locator("main")).to_contain_text(adult.id_number_masked)
    assert number not in page.content()
    assert not any(number in url for url in [*requests, page.url])
    assert fits_width(page)
    screenshot(page, "portal-person")
