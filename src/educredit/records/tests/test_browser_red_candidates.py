"""The red-list candidates on the provincial office's phone: cards, deeds, and the button.

The province's administrator opens the candidates (the story of ``test_red_candidates``) on a
phone: each candidate is a card with its honours and exemplary deeds, the page never scrolls
sideways, and the button to propose it for the red list is on screen and opens the proposal
with its honours ticked as the basis.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.records.tests.test_red_candidates import DEEDS, PAGE, honoured_world
from educredit.testing.browser import PHONE, sign_in
from educredit.web.tests.test_browser_stack_tables import (
    NO_SIDEWAYS_SCROLL,
    assert_on_screen_and_clickable,
    assert_stack_layout,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_the_candidates_are_cards_with_a_proposal_button_on_a_phone(
    browser_page: Any,
    screenshot: Any,
    province_admin: Any,
    city: Any,
    county: Any,
    other_county: Any,
) -> None:
    from playwright.sync_api import expect

    world = honoured_world(province_admin, city, county, other_county)
    page = browser_page
    sign_in(page, province_admin.username)
    response = page.goto(PAGE)
    assert response is not None and response.status == 200
    table = page.locator("table[data-ec-red-candidates]")
    expect(table).to_contain_text(DEEDS)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the candidates scroll sideways on a phone"
    assert_stack_layout(page, phone=True)
    buttons = table.get_by_role("link", name="提出列入红名单")
    expect(buttons).to_have_count(2)
    for index in range(buttons.count()):
        assert_on_screen_and_clickable(page, buttons.nth(index))
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "red-list-candidates")

    row = table.locator("tr", has_text="张老师")
    row.get_by_role("link", name="提出列入红名单").click()
    expect(page).to_have_url(re.compile(r"/records/lists/new/\?"))
    basis = page.locator(f"input[value='{world['honours']['teacher'].public_id}']")
    expect(basis).to_be_checked()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
