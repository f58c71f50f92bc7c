"""Browser-test harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Use it from a ``conftest.py`` by importing the fixtures::

    from educredit.testing.browser import browser, browser_page, screenshot  # noqa: F401

and mark each test ``@pytest.mark.browser``. ``browser_page`` is parametrised over a phone and a
desktop viewport, so every test that asks for it runs on both. Pages load from the live server,
which needs a transactional database (pytest-django requests it for any test using
``live_server``). Screenshots land in ``var/screenshots/`` for a person to look at.

The browser is the distribution's (``/usr/bin/chromium``, ``make browser`` installs it with the
CJK fonts): Playwright's own browser download is neither needed nor wanted.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each wait is bounded: a page that never shows what a test expects fails, it does not hang.
DEFAULT_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Viewport:
    """A device size a page must work on."""

    name: str
    width: int
    height: int
    is_mobile: bool

    @property
    def size(self) -> dict[str, int]:
        return {"width": self.width, "height": self.height}


PHONE = Viewport("phone", 390, 844, is_mobile=True)
DESKTOP = Viewport("desktop", 1366, 768, is_mobile=False)
VIEWPORTS = (PHONE, DESKTOP)


def chromium_path() -> str | None:
    """The system Chromium, or None when it is not installed (the tests then skip)."""
    override = os.environ.get("EDUCREDIT_CHROMIUM")
    if override:
        return override
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def screenshot_dir() -> Path:
    """Where screenshots go (``var/screenshots`` unless EDUCREDIT_SCREENSHOT_DIR says else)."""
    default = Path(settings.VAR_DIR) / "screenshots"
    path = Path(os.environ.get("EDUCREDIT_SCREENSHOT_DIR", str(default)))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test process (xdist worker)."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (run `make browser`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on the main thread; Django's ORM would take
    # the test's own database calls for calls from async code and refuse them. The test body is
    # still plain synchronous code, so the check is switched off while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=VIEWPORTS, ids=lambda viewport: viewport.name)
def viewport(request: pytest.FixtureRequest) -> Viewport:
    """The device size of this run of the test (phone, then desktop)."""
    value: Viewport = request.param
    return value


@pytest.fixture
def browser_page(browser: Browser, viewport: Viewport, live_server: Any) -> Iterator[Page]:
    """A fresh page (own cookies) at ``viewport``, its base URL the live server.

    Chinese is the browser's language, as for the platform's users; relative URLs passed to
    ``page.goto`` resolve against the live server.
    """
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport.size,  # type: ignore[arg-type]
        is_mobile=viewport.is_mobile,
        has_touch=viewport.is_mobile,
        device_scale_factor=2 if viewport.is_mobile else 1,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    # A script error on any page is a bug even if the test's own assertions passed.
    if errors:
        pytest.fail(f"JavaScript errors on the page: {errors}")


@pytest.fixture
def screenshot(viewport: Viewport) -> Callable[[Page, str], Path]:
    """``screenshot(page, "portal-home")`` saves ``var/screenshots/<name>-<viewport>.png``."""

    def take(page: Page, name: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        path = screenshot_dir() / f"{safe}-{viewport.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# ---------------------------------------------------------------------------------------------
# What staff pages' tests do again and again


NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def fits_width(page: Page) -> bool:
    """Whether the page needs no sideways scrolling (what a phone user relies on)."""
    return bool(page.evaluate(NO_HORIZONTAL_SCROLL))


def sign_in(
    page: Page, username: str, password: str | None = None, *, landing: str = "/workspace/"
) -> None:
    """Sign in on the login page (single factor: tests switch TOTP off): staff land in the
    workspace, a credit subject (``landing="/self/"``) in self-service."""
    from playwright.sync_api import expect

    from educredit.testing.factories import TEST_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))


def session_drop(page: Page) -> None:
    """Forget the signed-in session (the next person signs in on the same browser)."""
    page.context.clear_cookies()


def open_menu(page: Page, viewport: Viewport) -> None:
    """On a phone the workspace sections sit behind the hamburger button: open it."""
    from playwright.sync_api import expect

    if viewport.is_mobile:
        page.locator("button.ec-toggler").click()
        # Bootstrap marks the menu "show" once its opening transition has finished.
        expect(page.locator("#ec-nav")).to_have_class(re.compile(r"\bshow\b"))


def sign_out(page: Page, viewport: Viewport) -> None:
    """Sign out through the account menu of the layout in use."""
    from playwright.sync_api import expect

    open_menu(page, viewport)
    where = "mobile" if viewport.is_mobile else "desktop"
    page.locator(f"[data-ec-account={where}]").get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
