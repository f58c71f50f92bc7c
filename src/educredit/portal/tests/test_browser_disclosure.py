"""A visitor reads a 双公示 penalty on an institution's portal page in a real browser (phone and
laptop): the national standard's published fields, no document number, nothing off the edge."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.portal.tests.test_disclosure_fields import (  # the decision fixtures
    DAY,
    REPRESENTATIVE_NUMBER,
    penalty,
    school,
)
from educredit.testing.browser import fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["penalty", "school"]  # fixtures used by name


def test_visitor_reads_a_penalty_decision_on_the_institution_page(
    browser_page: Any, screenshot: Any, penalty: Any, school: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"/institutions/{school.public_id}/")
    card = page.locator("article.ec-record", has_text="郑中教罚")
    expect(card).to_have_count(1)
    fields = card.locator("[data-ec-national]")
    expect(fields).to_contain_text("行政处罚决定书文号")
    expect(fields).to_contain_text("处罚类别")
    last_day = penalty.public_until - DAY
    end = fields.locator("dt", has_text="公示截止期").locator("xpath=following-sibling::dd[1]")
    expect(end).to_have_text(f"{last_day:%Y-%m-%d}")  # the last day shown, as the line below
    expect(card).to_contain_text(f"公示期至 {last_day:%Y-%m-%d}")
    assert REPRESENTATIVE_NUMBER not in page.content()
    assert REPRESENTATIVE_NUMBER[-4:] not in card.inner_text()  # not even masked
    assert fits_width(page)
    screenshot(page, "portal-penalty-decision")
