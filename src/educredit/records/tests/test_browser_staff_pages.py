"""Staff pages of records in a real browser (phone and laptop): the record list and its
filters, the credit lists, a list entry and the credit archive of an institution.

Each step checks what a user needs to see and that the page fits a phone's width (tables sit
in a responsive wrapper; nothing else may scroll sideways).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from educredit.catalog.choices import Severity
from educredit.records import lists
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.tests.factories import make_institution
from educredit.testing.browser import fits_width, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def training(county: Any) -> Any:
    return make_institution(
        supervisor=county,
        name="中原区星光培训中心",
        serial=5301,
        kind=InstitutionKind.TRAINING_INSTITUTION,
    )


@pytest.fixture
def kindergarten(county: Any) -> Any:
    return make_institution(
        supervisor=county,
        name="中原区阳光幼儿园",
        serial=5302,
        kind=InstitutionKind.KINDERGARTEN,
    )


def test_clerk_filters_the_record_list(
    browser_page: Any, screenshot: Any, county_clerk: Any, training: Any, kindergarten: Any
) -> None:
    from playwright.sync_api import expect

    item = make_catalog_item(name="教育行政处罚信息")
    make_record(
        actor=county_clerk,
        catalog_item=item,
        institution=training,
        title="违规收取培训费",
        status=S.EFFECTIVE,
        decision_number="中教罚〔2026〕11号",
    )
    make_record(
        actor=county_clerk,
        catalog_item=item,
        institution=kindergarten,
        title="未公示收费标准",
        decision_number="中教罚〔2026〕12号",
    )
    page = browser_page
    sign_in(page, county_clerk.username)
    page.goto("/records/")
    rows = page.locator("main table tbody tr")
    expect(page.get_by_role("heading", level=1)).to_have_text("信用记录")
    expect(page.locator("main")).to_contain_text("共 2 条记录")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name="录入信用记录")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "records-list")

    page.get_by_label("状态").select_option(label="生效")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"status=effective"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("违规收取培训费")
    expect(rows.first).to_contain_text("中原区星光培训中心")
    expect(rows.first).to_contain_text("生效")
    # The filter stays chosen on the result page.
    expect(page.get_by_label("状态")).to_have_value("effective")

    page.get_by_label("状态").select_option(label="全部状态")
    page.get_by_label("主体、事由或文书号").fill("阳光")
    page.get_by_role("button", name="搜索").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("未公示收费标准")
    expect(rows.first).to_contain_text("草稿")

    # A decision number is matched whole.
    page.get_by_label("主体、事由或文书号").fill("中教罚〔2026〕12号")
    page.get_by_role("button", name="搜索").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("中原区阳光幼儿园")
    assert fits_width(page)
    screenshot(page, "records-list-filtered")


def test_reviewer_reads_lists_entry_and_archive(
    browser_page: Any, screenshot: Any, county_clerk: Any, city_reviewer: Any, training: Any
) -> None:
    from playwright.sync_api import expect

    serious = make_catalog_item(severity=Severity.SERIOUS, name="严重违规办学")
    basis = make_record(
        actor=county_clerk,
        catalog_item=serious,
        institution=training,
        title="无证举办学科类培训",
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
        decision_date=dt.date(2026, 3, 2),
    )
    make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(name="教育行政处罚信息"),
        institution=training,
        title="违规收取培训费",
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
        decision_date=dt.date(2026, 2, 2),
    )
    lists.list_entry_propose(
        actor=county_clerk,
        kind=CreditListKind.SERIOUS,
        subject=training,
        basis_records=[basis],
        reason="无证举办学科类培训，拒不整改",
        legal_basis="《河南省社会信用条例》第三十三条",
        measures="限制评优评先",
        exit_conditions="整改满一年",
        notice_date=dt.date(2026, 3, 2),
    )
    page = browser_page
    main = page.locator("main")
    sign_in(page, city_reviewer.username)

    # The lists, reached from the record list, filtered by list.
    page.goto("/records/")
    main.get_by_role("link", name="信用名单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信用名单")
    rows = main.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("严重失信主体名单")
    expect(rows.first).to_contain_text("事前告知")
    page.get_by_label("名单", exact=True).select_option(label="红名单（守信激励）")
    page.get_by_role("button", name="筛选").click()
    expect(main).to_contain_text("没有名单条目")
    page.get_by_label("名单", exact=True).select_option(label="严重失信主体名单")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    assert fits_width(page)
    screenshot(page, "lists-list")

    # The entry: why, on what basis, until when objections may be raised; a reviewer may confirm.
    rows.first.get_by_role("link", name="中原区星光培训中心").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中原区星光培训中心")
    expect(main).to_contain_text("无证举办学科类培训，拒不整改")
    expect(main).to_contain_text("2026-03-09")  # 5 working days after Monday 2 March
    expect(main.locator("[data-ec-rule]")).to_contain_text("5个工作日")
    expect(main).to_contain_text("无证举办学科类培训 · 严重违规办学")
    expect(page.get_by_role("button", name="认定")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "lists-entry")

    # The credit archive: every record and the list entry, newest first, and a filter.
    main.get_by_role("link", name="信用档案").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("信用档案：中原区星光培训中心")
    events = main.locator("[data-ec-event]")
    expect(events).to_have_count(3)
    expect(main.locator("[data-ec-event=list]")).to_contain_text("严重失信主体名单")
    expect(main.locator("[data-ec-event=record]", has_text="违规收取培训费")).to_contain_text(
        "2026-02-02 起公示"
    )
    assert fits_width(page)
    screenshot(page, "archive")
    page.get_by_label("信用性质").select_option(label="严重失信")
    page.get_by_role("button", name="筛选").click()
    expect(main.locator("[data-ec-event=record]")).to_have_count(1)
    expect(main.locator("[data-ec-event=record]")).to_contain_text("无证举办学科类培训")
    assert fits_width(page)
