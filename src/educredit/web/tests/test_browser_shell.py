"""The shell in a real browser, on a phone and on a desktop (screenshots in var/screenshots)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from educredit.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def open_menu_if_collapsed(page: Page, viewport) -> None:
    """On a phone the sections sit behind the hamburger button; open it."""
    toggler = page.locator("button.ec-toggler")
    if viewport.is_mobile:
        expect(toggler).to_be_visible()
        expect(page.locator("#ec-nav")).to_be_hidden()
        toggler.click()
        # Bootstrap marks the menu "show" once its opening transition has finished.
        expect(page.locator("#ec-nav")).to_have_class(re.compile(r"\bshow\b"))
        expect(toggler).to_have_attribute("aria-expanded", "true")
    else:
        expect(toggler).to_be_hidden()
        expect(page.locator("#ec-nav")).to_be_visible()


def test_portal_home_in_chinese_then_english(browser_page: Page, viewport, screenshot):
    page = browser_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("河南省教育信用信息公示")
    expect(page.locator(".ec-brand-name")).to_have_text("河南省教育信用信息平台")
    # Bootstrap's stylesheet is served locally and applied (its grid makes cards full width
    # on a phone and a third of the row on a desktop).
    card = page.locator(".ec-features .card").first
    box = card.bounding_box()
    assert box is not None
    card_width = box["width"]
    if viewport.is_mobile:
        assert card_width > viewport.width * 0.8
    else:
        assert card_width < viewport.width * 0.4
    screenshot(page, "portal-home-zh")

    open_menu_if_collapsed(page, viewport)
    expect(page.locator("#ec-nav").get_by_text("红黑名单")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Henan Education Credit Information Disclosure"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "portal-home-en")


def test_staff_sign_in_to_workspace_and_out(
    browser_page: Page, viewport, screenshot, city_reviewer, no_totp
):
    page = browser_page
    page.goto("/workspace/")
    # Anonymous visitors are sent to the sign-in page, which brings them back afterwards.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/workspace/"))
    page.locator("input[name=username]").fill(city_reviewer.username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    screenshot(page, "login")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/workspace/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，郑州审核员")
    expect(page.locator(".ec-welcome")).to_contain_text("郑州市教育局")
    expect(page.locator(".ec-welcome")).to_contain_text("审核员")
    screenshot(page, "workspace-home-zh")

    open_menu_if_collapsed(page, viewport)
    account = page.locator(
        "[data-ec-account=mobile]" if viewport.is_mobile else "[data-ec-account=desktop]"
    )
    expect(account.locator(".ec-user-name")).to_have_text("郑州审核员")
    expect(page.locator("#ec-nav .nav-link.active")).to_have_text("工作台")
    if viewport.is_mobile:
        screenshot(page, "workspace-menu-open")

    account.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, 郑州审核员")
    expect(page.locator(".ec-brand-name")).to_have_text(
        "Henan Education Credit Information Platform"
    )
    screenshot(page, "workspace-home-en")

    open_menu_if_collapsed(page, viewport)
    account.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/workspace/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
