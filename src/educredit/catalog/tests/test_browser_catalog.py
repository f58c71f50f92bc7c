"""The catalog pages in a real browser (phone and laptop): a county clerk browses the catalog
in force down to an item's fields, read-only; the province admin gets the controls to draft,
import, publish and edit.
"""

from __future__ import annotations

from typing import Any

import pytest

from educredit.catalog.tests.factories import make_draft, shipped_catalog
from educredit.testing.browser import fits_width, open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PENALTY = "行政处罚信息（一般失信）"


def open_catalog(page: Any, viewport: Any) -> None:
    """Through the menu, behind the hamburger button on a phone."""
    from playwright.sync_api import expect

    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="信用信息目录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信用信息目录")


def test_clerk_browses_and_admin_gets_edit_controls(
    browser_page: Any, screenshot: Any, viewport: Any, county_clerk: Any, province_admin: Any
) -> None:
    from playwright.sync_api import expect

    version = shipped_catalog()
    make_draft()
    page = browser_page
    main = page.locator("main")

    sign_in(page, county_clerk.username)
    open_catalog(page, viewport)
    expect(main).to_contain_text(f"现行目录：第 1 版《{version.title}》")
    expect(main.get_by_role("link", name="新建草稿版本")).to_have_count(0)
    assert fits_width(page)
    main.get_by_role("link", name="第 1 版").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(version.title)
    row = main.locator("tbody tr", has_text="JY-CF-02")
    expect(row).to_contain_text(PENALTY)
    expect(row).to_contain_text("一般失信")
    expect(main.get_by_role("link", name="导出 Excel")).to_be_visible()
    expect(main.get_by_role("link", name="发布")).to_have_count(0)
    assert fits_width(page)
    screenshot(page, "catalog-version")
    row.get_by_role("link", name=PENALTY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PENALTY)
    expect(main).to_contain_text("中华人民共和国行政处罚法")
    fields = main.locator("table tbody tr")
    expect(fields.filter(has_text="处罚内容")).to_contain_text("是")
    expect(fields.filter(has_text="处罚有效期")).to_contain_text("日期")
    expect(main.get_by_role("link", name="修改")).to_have_count(0)
    assert fits_width(page)
    screenshot(page, "catalog-item")

    # The province admin drafts, imports, publishes and edits the items of a draft.
    page.context.clear_cookies()
    sign_in(page, province_admin.username)
    open_catalog(page, viewport)
    expect(main.get_by_role("link", name="新建草稿版本")).to_be_visible()
    main.get_by_role("link", name="第 2 版").click()
    expect(main.get_by_role("link", name="导入 Excel")).to_be_visible()
    expect(main.get_by_role("link", name="发布")).to_be_visible()
    main.locator("tbody tr", has_text="JY-CF-02").get_by_role("link", name=PENALTY).click()
    main.get_by_role("link", name="修改").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"修改条目：{PENALTY}")
    expect(page.get_by_label("数据代码")).to_have_value("JY-CF-02")
    expect(page.get_by_label("信息项（JSON）")).to_contain_text("penalty_content")
    assert fits_width(page)
    screenshot(page, "catalog-item-edit")
