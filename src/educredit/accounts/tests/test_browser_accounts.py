"""A provincial administrator's first day, in a real browser, on a 375 px phone and a laptop."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from educredit.accounts.models import Organisation, User
from educredit.testing.browser import fits_width
from educredit.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_province_admin_enrols_totp_adds_a_county_and_its_clerk(
    browser_page: Any,
    viewport: Any,
    screenshot: Any,
    province_admin: Any,
    city: Any,
    totp_required: Any,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(province_admin.username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()

    # First sign-in of an admin: the second factor must be set up before anything else.
    expect(page).to_have_url(re.compile(r"/accounts/login/totp/enrol/$"))
    expect(page.locator(".ec-qr svg")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "totp-enrol")
    secret = User.objects.get(pk=province_admin.pk).totp_secret
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))

    page.goto("/accounts/organisations/")
    expect(page.locator(".ec-tree-root")).to_contain_text("郑州市教育局")
    page.get_by_role("link", name="郑州市教育局").click()
    page.get_by_role("link", name="添加下级机构").click()
    page.locator("input[name=name]").fill("管城回族区教育局")
    page.locator("select[name=kind]").select_option("county")
    page.locator("input[name=region_code]").fill("410104")
    assert fits_width(page)
    screenshot(page, "organisation-add")
    page.locator("main").get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("管城回族区教育局")

    page.get_by_role("link", name="添加用户").click()
    page.locator("input[name=username]").fill("gc.clerk")
    page.locator("input[name=full_name]").fill("李录入")
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("input[name=password_again]").fill(TEST_PASSWORD)
    page.get_by_label("录入员").check()
    page.locator("main").get_by_role("button", name="添加").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("李录入")
    clerk = User.objects.get(username="gc.clerk")
    assert clerk.roles() == {"clerk"}
    assert clerk.organisation == Organisation.objects.get(name="管城回族区教育局")

    page.goto("/accounts/organisations/")
    tree = page.locator(".ec-tree-root")
    expect(tree).to_contain_text("管城回族区教育局")
    assert fits_width(page), "the tree must not scroll sideways"
    screenshot(page, "organisation-tree")
