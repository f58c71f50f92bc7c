"""The bulk check's staff page in a real browser (phone and laptop): a county clerk finds it
in the menu, uploads a GBK file of identifiers, watches the progress page fill in as the job
runs, and downloads the masked result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from educredit.records.tests.factories import make_reviewer
from educredit.sanctions import bulk_check
from educredit.sanctions.models import BulkCheckRun
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.testing.browser import fits_width, open_menu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_wait_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    # The job is run by the test once the progress page is open: the page shows it waiting,
    # then follows it to the end by itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_clerk_uploads_follows_the_progress_and_downloads_the_result(
    browser_page: Any,
    screenshot: Any,
    viewport: Any,
    shipped: Any,
    county: Any,
    county_clerk: Any,
    teacher: Any,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    revocation(county_clerk, make_reviewer(organisation=county), teacher)
    upload = tmp_path / "教师名单.csv"
    upload.write_bytes(
        f"证件类型,证件号码,姓名\n居民身份证,{TEACHER_NUMBER},李老师\n学生证,123,\n".encode("gbk")
    )
    page = browser_page
    main = page.locator("main")

    sign_in(page, county_clerk.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="批量核查").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("批量核查")
    assert fits_width(page)
    page.get_by_label("业务场景").select_option(label="教师资格认定")
    page.get_by_label("业务编号").fill("JS-2026-批次1")
    page.get_by_label("核查日期").fill("2026-06-01")
    page.get_by_label("文件（.csv 或 .xlsx）").set_input_files(str(upload))
    main.get_by_role("button", name="开始核查").click()

    progress = page.locator("#ec-import")
    expect(page.get_by_role("heading", level=1)).to_have_text("教师名单.csv")
    expect(progress.locator("[data-field=report-link]")).to_be_hidden()
    run = BulkCheckRun.objects.get()
    bulk_check.bulk_check_process(run_id=run.pk)  # the worker's job
    expect(progress.locator("[data-field=processed]")).to_have_text("2", timeout=30_000)
    expect(progress.locator("[data-field=ok]")).to_have_text("1")
    expect(progress.locator("[data-field=failed]")).to_have_text("1")
    link = progress.locator("[data-field=report-link]")
    expect(link).to_be_visible()
    assert fits_width(page)
    screenshot(page, "bulk-check-finished")

    with page.expect_download() as info:
        link.click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    assert "restricted" in text and "JY-CJ-001" in text
    assert TEACHER_NUMBER not in text
    assert TEACHER_NUMBER[:6] + "********" + TEACHER_NUMBER[-4:] in text

    # The run is listed on the page it started from.
    page.get_by_role("link", name="批量核查").first.click()
    expect(main.get_by_role("link", name="教师名单.csv")).to_be_visible()
    assert fits_width(page)
