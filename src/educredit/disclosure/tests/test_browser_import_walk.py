"""Issue 4's walk in a real browser (phone and desktop), as a new user would try it.

A county clerk imports a GBK spreadsheet of 200 penalty decisions of which 10 are wrong; the
190 good ones reach the review queue and the 10 come back in the error report; a reviewer of
the city approves the batch; the outbox worker reports it to the platform simulator (a real
HTTP server on loopback); the report queue shows it delivered and the quality page counts it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.core.clock import today
from educredit.disclosure.tests.pages import BUREAU_USCC, prepare_county
from educredit.exchange.tests.conftest import platform  # noqa: F401 (the simulator fixture)
from educredit.exchange.transports import HttpTransport
from educredit.exchange.worker import outbox_send_due
from educredit.subjects.tests.factories import make_institution
from educredit.synth.demo_files import penalty_sample_write
from educredit.testing.browser import fits_width, open_menu, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_gbk_import_review_report_and_quality(
    browser_page: Any,
    screenshot: Any,
    viewport: Any,
    county: Any,
    county_clerk: Any,
    city_reviewer: Any,
    platform: Any,  # noqa: F811
    tmp_path: Any,
) -> None:
    from playwright.sync_api import expect

    prepare_county(county)
    schools = [
        make_institution(supervisor=county, name=f"中原区第{i}培训学校", serial=800 + i)
        for i in range(3)
    ]
    sample = penalty_sample_write(
        tmp_path / "处罚决定-GBK.csv",
        schools,
        bureau=county.name,
        bureau_uscc=BUREAU_USCC,
        decided=today(),
    )
    page = browser_page
    main = page.locator("main")

    # The clerk uploads the file and watches the run finish.
    sign_in(page, county_clerk.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="双公示导入").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("双公示导入")
    page.get_by_label("文件（.csv 或 .xlsx）").set_input_files(str(sample))
    # The test server runs the import inside the upload's request (tasks run at once here):
    # on a loaded machine the page after it takes longer than the default wait.
    with page.expect_navigation(timeout=60_000):
        main.get_by_role("button", name="开始导入").click(no_wait_after=True)
    progress = page.locator("#ec-import")
    expect(progress.locator("[data-field=processed]")).to_have_text("200", timeout=60_000)
    expect(progress.locator("[data-field=ok]")).to_have_text("190")
    expect(progress.locator("[data-field=failed]")).to_have_text("10")
    expect(progress.locator("[data-field=report-link]")).to_be_visible()
    errors = main.locator("[data-field=errors] tr")
    expect(errors).to_have_count(10)
    # Each reason in the reader's language only (one language at a time, ADR 0038).
    expect(errors.first).to_contain_text("校验码应为")
    expect(errors.first).not_to_contain_text("should be")
    assert fits_width(page)
    screenshot(page, "import-walk-run")
    sign_out(page, viewport)

    # A reviewer of the city approves the whole batch from the queue.
    sign_in(page, city_reviewer.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="记录审核").click()
    for _ in range(2):  # a hundred a page
        page.locator("[data-ec-select-all=records]").check()
        page.once("dialog", lambda dialog: dialog.accept())
        main.get_by_role("button", name="审核通过所选记录").click()
        expect(main).to_contain_text("已审核通过")
    expect(main).to_contain_text("没有待审核的记录")
    screenshot(page, "import-walk-queue")

    # The outbox worker reports the batch to the simulator.
    result = outbox_send_due(transport=HttpTransport(platform.batch_url))
    assert (result.delivered, result.rejected) == (190, 0)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="报送队列").click()
    counts = main.locator("[data-outbox-counts]")
    expect(counts.locator("li", has_text="已报送")).to_contain_text("190")

    # The quality page counts the month's decisions, all reported on time.
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="双公示质量").click()
    total = main.locator("table.quality-table tbody tr").first
    expect(total).to_contain_text("190")
    expect(total.locator("td").nth(4)).to_have_text(re.compile(r"^100(\.0)?%$"))
    assert fits_width(page)
    screenshot(page, "import-walk-quality")
