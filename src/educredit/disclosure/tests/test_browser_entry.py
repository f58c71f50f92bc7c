"""The entry form in a real browser (phone and desktop): an error appears as the clerk types,
goes away when fixed, and the decision is saved as a draft record."""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.disclosure.tests.pages import prepare_county, row_for, school_of
from educredit.records.models import CreditRecord
from educredit.testing.browser import fits_width, open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_FIELDS: tuple[str, ...] = (
    "CF_XDR_MC",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
)
TEXT_FIELDS += ("CF_NR", "CF_NR_FK", "CF_JDRQ", "CF_YXQ")


def test_the_clerk_sees_an_inline_error_while_typing_then_saves(
    browser_page: Any, screenshot: Any, viewport: Any, county: Any, county_clerk: Any
) -> None:
    from playwright.sync_api import expect

    prepare_county(county)
    school = school_of(county)
    row = row_for(school)
    page = browser_page
    sign_in(page, county_clerk.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="双公示录入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("录入行政处罚决定")

    form = page.locator("form[data-entry-form]")
    form.locator("[name=CF_XDR_LB]").select_option("法人及非法人组织")
    for code in TEXT_FIELDS:
        form.locator(f"[name={code}]").fill(row[code])
    for category in ("警告", "罚款"):
        form.get_by_label(category, exact=True).check()

    # A wrong check character in the deciding authority's credit code: said as it is typed.
    authority = form.locator("[name=CF_CFJGDM]")
    authority.fill(row["CF_CFJGDM"][:-1] + "B")
    errors = form.locator('[data-entry-errors="CF_CFJGDM"]')
    expect(errors).to_contain_text("校验码")
    expect(authority).to_have_class(re.compile(r"\bis-invalid\b"))
    screenshot(page, "disclosure-entry-error")
    assert fits_width(page)

    authority.fill(row["CF_CFJGDM"])
    expect(errors).to_be_empty()
    expect(form.locator("[data-entry-summary]")).to_contain_text("校验通过")

    form.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/records/[0-9a-f-]{36}/$"))
    expect(page.locator("main")).to_contain_text("决定已保存为草稿")
    record = CreditRecord.objects.get()
    assert record.decision_number == row["CF_WSH"] and record.institution_id == school.pk
    screenshot(page, "disclosure-entry-saved")
