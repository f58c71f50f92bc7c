"""Issue 3's "done" flow in a real browser (phone and laptop), as a new user would try it.

A county clerk of 中原区 signs in, enters a general-dishonesty penalty (JY-CF-02) on a training
institution the district supervises, and submits it; a reviewer of 郑州 approves it from the
review queue; the record page shows its disclosure window, the rule that set it and the audit
entries of each step with their actors; the public portal shows the record, still on the last
public day (``?as_of=``) and no longer on the day the window ends (windows are half-open).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from educredit.catalog.tests.factories import shipped_item
from educredit.core.clock import today
from educredit.core.identifiers import uscc_check_character
from educredit.records.windows import add_months
from educredit.subjects import services as subjects_services
from educredit.subjects.choices import InstitutionKind
from educredit.testing.browser import fits_width, open_menu, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAINING_NAME = "郑州中原启航教育培训有限公司"
_FIRST17 = "91410102MA46R8K2X"  # a company (91…) registered in 中原区
TRAINING_USCC = _FIRST17 + uscc_check_character(_FIRST17)
ISSUER_FIRST17 = "11410102MB0000002"  # 中原区教育局, a 机关 (11…)
ISSUER_USCC = ISSUER_FIRST17 + uscc_check_character(ISSUER_FIRST17)
# The 2026 national rule: general dishonesty is public for at most 12 months.
GENERAL_MAX_MONTHS = 12


def test_penalty_on_training_institution_from_entry_to_portal(
    browser_page: Any,
    screenshot: Any,
    viewport: Any,
    county: Any,
    county_clerk: Any,
    city_reviewer: Any,
) -> None:
    from playwright.sync_api import expect

    item = shipped_item("JY-CF-02")
    subjects_services.institution_register(
        actor="system:test",
        name=TRAINING_NAME,
        kind=InstitutionKind.TRAINING_INSTITUTION,
        region_code="410102",
        supervisor=county,
        uscc=TRAINING_USCC,
    )
    decided = today()
    window_end = add_months(decided, GENERAL_MAX_MONTHS)
    last_public_day = window_end - dt.timedelta(days=1)
    page = browser_page
    main = page.locator("main")

    # The clerk enters the penalty: first the catalog item, then its fields.
    sign_in(page, county_clerk.username)
    page.goto("/records/new/")
    page.get_by_label("目录条目").select_option(label=str(item))
    page.get_by_role("button", name="选择条目").click()
    expect(main.get_by_role("heading", level=2)).to_contain_text("行政处罚信息（一般失信）")
    page.get_by_label("机构统一社会信用代码或名称").fill(TRAINING_NAME)
    page.get_by_label("事由", exact=True).fill("超范围开展学科类培训")
    page.get_by_label("决定文书号").fill("中教罚〔2026〕7号")
    page.get_by_label("认定单位", exact=True).fill("郑州市中原区教育局")
    page.get_by_label("认定单位统一社会信用代码").fill(ISSUER_USCC)
    page.get_by_label("决定日期").fill(decided.isoformat())
    page.get_by_label("违法行为类型").fill("超范围培训")
    page.get_by_label("违法事实").fill("在未取得许可的情况下开展学科类培训")
    page.get_by_label("处罚依据").fill("《河南省校外培训机构管理办法》第二十条")
    page.get_by_label("处罚类别").fill("警告")
    page.get_by_label("处罚内容").fill("警告，责令停止违规培训")
    page.get_by_label("处罚有效期").fill(window_end.isoformat())
    assert fits_width(page)
    screenshot(page, "record-flow-entry")
    page.get_by_role("button", name="保存草稿").click()

    expect(page).to_have_url(re.compile(r"/records/[0-9a-f-]{36}/$"))
    record_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("超范围开展学科类培训")
    expect(main).to_contain_text("信用记录已保存为草稿")
    expect(main).to_contain_text(TRAINING_NAME)
    expect(main.locator(".badge", has_text="草稿")).to_be_visible()
    page.get_by_role("button", name="提交审核").click()
    expect(main.locator(".badge", has_text="待审核")).to_be_visible()
    sign_out(page, viewport)

    # A reviewer of 郑州 finds it in the queue and approves it.
    sign_in(page, city_reviewer.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="记录审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待审核记录")
    assert fits_width(page)
    screenshot(page, "record-flow-queue")
    main.get_by_role("link", name="超范围开展学科类培训").click()
    expect(page).to_have_url(record_url)
    page.get_by_role("button", name="审核通过").click()
    expect(main).to_contain_text("操作已完成")
    expect(main.locator(".badge", has_text="生效")).to_be_visible()

    # The window: public from the decision, taken down on the day it ends, and the rule.
    window = main.locator("[data-ec-window]")
    expect(window).to_contain_text(f"{decided:%Y-%m-%d} 起公示，{window_end:%Y-%m-%d} 撤下")
    expect(window).to_contain_text("2026年规则")
    expect(window).to_contain_text("一般失信 3个月–1年")
    # Every step in the audit log, with who took it.
    audit = main.locator("[data-ec-audit] li")
    expect(audit).to_have_count(3)
    expect(audit.nth(0)).to_contain_text("中原录入员")
    expect(audit.nth(1)).to_contain_text("中原录入员")
    expect(audit.nth(2)).to_contain_text("郑州审核员")
    expect(audit.nth(0)).to_contain_text("录入")
    expect(audit.nth(1)).to_contain_text("提交审核")
    expect(audit.nth(2)).to_contain_text("审核通过")
    assert fits_width(page)
    screenshot(page, "record-flow-detail")
    sign_out(page, viewport)

    # The public finds it on the portal, until the window ends.
    page.goto("/query/")
    page.locator("#portal-q").fill("启航教育")
    page.locator("main form[role=search] button[type=submit]").click()
    page.locator(".ec-results a", has_text=TRAINING_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TRAINING_NAME)
    record = main.locator(".ec-record", has_text="超范围开展学科类培训")
    expect(record).to_be_visible()
    expect(record).to_contain_text("警告，责令停止违规培训")
    expect(record).to_contain_text(f"公示期至 {last_public_day:%Y-%m-%d}")
    assert fits_width(page)
    screenshot(page, "record-flow-portal")
    institution_url = page.url.split("?")[0]

    page.goto(f"{institution_url}?as_of={last_public_day.isoformat()}")
    expect(main).to_contain_text(f"截至 {last_public_day:%Y-%m-%d} 的公示信息")
    expect(record).to_be_visible()

    page.goto(f"{institution_url}?as_of={window_end.isoformat()}")
    expect(main).to_contain_text(f"截至 {window_end:%Y-%m-%d} 的公示信息")
    expect(main).to_contain_text("暂无公示的信用信息")
    expect(record).to_have_count(0)
    screenshot(page, "record-flow-portal-ended")
