"""A visitor in a real browser (phone and laptop): the home page's live cards, the 双公示 table
filtered to one party's penalties and opened on a row, and a search by a short name whose hit
carries a list badge with its date. Screenshots of each are kept in var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.core import clock
from educredit.portal.tests.test_disclosure_fields import (  # the decision fixtures
    DAY,
    REPRESENTATIVE_NUMBER,
    penalty,
    school,
)
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.models import CreditListEntry
from educredit.subjects import services as subjects_services
from educredit.testing.browser import fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["penalty", "school"]  # fixtures used by name


def test_visitor_uses_the_home_cards_the_disclosure_table_and_a_badged_search(
    browser_page: Any, screenshot: Any, viewport: Any, penalty: Any, school: Any, county: Any
) -> None:
    from playwright.sync_api import expect

    listed_on = clock.today() - 3 * DAY
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=school,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="拒不履行行政处罚决定",
        listed_on=listed_on,
    )
    subjects_services.institution_alias_add(actor="system:test", institution=school, name="某培")
    page = browser_page

    # The home page: three cards, each a link with a live count.
    page.goto("/")
    cards = page.locator(".ec-features .card")
    expect(cards).to_have_count(3)
    expect(page.locator("[data-ec-count=disclosure]")).to_contain_text("行政处罚 1 条")
    expect(page.locator("[data-ec-count=lists]")).to_contain_text("严重失信主体名单 1 家")
    expect(page.locator(".ec-features")).not_to_contain_text("即将开放")
    assert fits_width(page)
    screenshot(page, "portal-home")

    # The 信用公示 card opens the table; the visitor filters to penalties with a fine.
    cards.nth(0).locator("a.stretched-link").click()
    expect(page).to_have_url(re.compile(r"/disclosure/$"))
    page.locator("[data-ec-tab=penalty]").click()
    expect(page).to_have_url(re.compile(r"tab=penalty"))
    page.locator("#id_q").fill(school.name[:5])
    page.locator("#id_category").select_option("罚款")
    page.locator(".ec-disclosure-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"category=%E7%BD%9A%E6%AC%BE"))
    rows = page.locator("table.ec-disclosure-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("郑中教罚〔2026〕12号")
    expect(rows.first).to_contain_text("警告;罚款")
    details = rows.first.get_by_role("link", name="查看详情")
    expect(details).to_be_visible()
    assert fits_width(page)
    if viewport.is_mobile:
        # A card, not a squeezed table: each cell on its own line, the button full-size.
        box = details.bounding_box()
        assert box is not None and box["width"] >= 80 and box["height"] >= 30
    screenshot(page, "portal-disclosure-filtered")

    details.click()
    expect(page).to_have_url(re.compile(rf"/disclosure/{penalty.public_id}/$"))
    card = page.locator("article.ec-record")
    expect(card.locator("[data-ec-national]")).to_contain_text("行政处罚决定书文号")
    assert REPRESENTATIVE_NUMBER not in page.content()
    assert fits_width(page)
    screenshot(page, "portal-disclosure-detail")

    # A search by the school's short name: type, region, credit code, the list badge.
    page.goto("/query/?q=某培")
    hit = page.locator(".ec-results .ec-hit").first
    expect(hit).to_contain_text(school.name)
    expect(hit.locator("[data-ec-hit=uscc]")).to_have_text(school.uscc)
    expect(hit.locator("[data-ec-hit=kind]")).to_contain_text("小学")
    expect(hit.locator("[data-ec-hit=region]")).to_have_text("中原区")
    expect(hit.locator("[data-ec-hit=aliases]")).to_have_text("某培")
    badge = hit.locator("[data-ec-list=serious]")
    expect(badge).to_contain_text("严重失信主体名单")
    expect(badge).to_contain_text(f"列入日期 {listed_on:%Y-%m-%d}")
    assert fits_width(page)
    screenshot(page, "portal-search-badge")
