"""/api/docs in a real browser: Swagger UI renders the OpenAPI document without any error and
shows every operation, loading nothing from any other origin (the intranet has no CDN)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from educredit.core.tests.test_openapi_document import DOCS_URL, OPENAPI_URL, operations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What Swagger UI writes when it cannot read the document.
RENDERING_ERRORS = ("Parser error", "duplicated mapping key", "Failed to load API definition")


def test_api_docs_render_every_operation(
    browser_page: Any, screenshot: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    foreign: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else foreign.append(r.url),
    )
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))

    answer = page.request.get(OPENAPI_URL)
    assert answer.ok
    expected = sorted(operations(json.loads(answer.text())))
    assert len(expected) >= 20

    page.goto(DOCS_URL)
    # Swagger UI shows either the operations or its error box ("Errors": "Parser error …").
    errors_box = page.locator("#swagger-ui .errors-wrapper")
    blocks = page.locator("#swagger-ui .opblock")
    page.locator("#swagger-ui .opblock, #swagger-ui .errors-wrapper").first.wait_for()
    assert errors_box.count() == 0, errors_box.first.inner_text()
    expect(blocks).to_have_count(len(expected))
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("EduCredit API")

    shown = sorted(
        (
            block.locator(".opblock-summary-method").inner_text().strip().upper(),
            block.locator(".opblock-summary-path").get_attribute("data-path") or "",
        )
        for block in blocks.all()
    )
    assert shown == expected

    # Nothing went wrong after the first operation appeared either.
    expect(errors_box).to_have_count(0)
    text = page.locator("body").inner_text()
    for message in RENDERING_ERRORS:
        assert message not in text
    assert console_errors == []
    assert foreign == []
    assert failed == []
    screenshot(page, "api-docs")
