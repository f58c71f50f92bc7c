"""A county clerk imports a spreadsheet in a real browser and watches it progress (phone and
laptop): the progress page polls its JSON endpoint from a static script and fills in the
counts, the rejected rows and the report link as the background task works."""

from __future__ import annotations

import re
from typing import Any

import pytest

from educredit.subjects import services
from educredit.subjects.models import ImportRun, Institution
from educredit.subjects.tests.test_imports import csv_bytes, institution_rows
from educredit.testing.browser import fits_width
from educredit.testing.factories import TEST_PASSWORD

# The live server needs a transactional database, which is flushed after each test: the
# ``_region_reference_data`` fixture reloads core's region table when it finds it empty.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_uploads_and_watches_the_import(
    browser_page: Any, screenshot: Any, county_clerk: Any, settings: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    # The task is only queued here, so the page has something to wait for.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = browser_page
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(county_clerk.username)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))

    page.goto("/subjects/imports/new/")
    upload = tmp_path / "学校名单.csv"
    upload.write_bytes(csv_bytes(institution_rows(), "gbk"))
    page.locator("input[name=file]").set_input_files(str(upload))
    page.locator("select[name=default_kind]").select_option("primary")
    assert fits_width(page)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/subjects/imports/[0-9a-f-]+/$"))
    expect(page.locator("[data-field=status_label]")).to_have_text("排队中")

    services.import_run_process(run_id=ImportRun.objects.get().pk)

    expect(page.locator("[data-field=status_label]")).to_have_text("已完成")
    expect(page.locator("[data-field=ok]")).to_have_text("2")
    expect(page.locator("[data-field=failed]")).to_have_text("1")
    expect(page.locator("[data-field=bar-fill]")).to_have_text("100%")
    expect(page.locator("[data-field=errors]")).to_contain_text("统一社会信用代码")
    expect(page.locator("[data-field=report-link]")).to_be_visible()
    assert fits_width(page)
    screenshot(page, "import-progress")

    page.goto("/subjects/institutions/")
    expect(page.locator("main table")).to_contain_text("中原区育才小学")
    assert fits_width(page)
    screenshot(page, "institution-list")
    page.get_by_role("link", name="中原区第一小学").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("中原区第一小学")
    assert fits_width(page)
    screenshot(page, "institution-detail")
    assert Institution.objects.count() == 2
