"""The measure list in a real browser (phone and laptop): a county clerk finds, through the
menu, what restricts a teacher-qualification application and the legal basis of each measure,
then the scenario codes business systems use.
"""

from __future__ import annotations

from typing import Any

import pytest

from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.testing.browser import fits_width, open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_filters_the_measure_list_by_scenario(
    browser_page: Any, screenshot: Any, viewport: Any, county_clerk: Any
) -> None:
    from playwright.sync_api import expect

    version = shipped_measure_list()
    page = browser_page
    main = page.locator("main")

    sign_in(page, county_clerk.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="奖惩措施清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信用激励和惩戒措施清单")
    expect(main).to_contain_text(version.title)
    total = main.locator("article.card").count()
    assert total == version.measures.count()
    expect(main.get_by_role("link", name="新建草稿版本")).to_have_count(0)  # read-only for a clerk
    assert fits_width(page)

    page.get_by_label("业务场景").select_option(label="教师资格认定")
    main.get_by_role("button", name="筛选").click()
    cards = main.locator("article.card")
    assert 0 < cards.count() < total
    revoked = cards.filter(has_text="JY-CJ-001")
    expect(revoked).to_contain_text("《教师资格条例》第十九条")
    expect(revoked).to_contain_text("5年内不得重新申请认定教师资格")
    expect(revoked).to_contain_text("JY-ZG-01")
    expect(cards.filter(has_text="JY-CJ-002")).to_contain_text("永久")
    cheating = cards.filter(has_text="JY-CJ-003")  # only some exam violations trigger it
    expect(cheating).to_contain_text("仅限 违规类别：作弊")
    expect(cheating).not_to_contain_text("violation_kind")
    for index in range(cards.count()):  # every card shown applies to the chosen scenario
        expect(cards.nth(index)).to_contain_text("教师资格认定")
    assert fits_width(page)
    screenshot(page, "measure-list-teacher-qualification")

    main.get_by_role("link", name="业务场景代码").click()
    expect(main).to_contain_text("teacher_qualification")
    expect(main).to_contain_text("exam_registration")
    assert fits_width(page)
    screenshot(page, "measure-scenarios")
