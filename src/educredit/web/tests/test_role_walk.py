"""Pages fit the role and level (issue 13, ADR 0037): for every demo login, nothing it is shown
ends in 403, and every menu entry its rules admit is shown.

The demo province is built by the demo set-up itself (``demo_prepare``, a tiny scale), so the
walk sees what a new user sees after ``make demo``: records of every catalog item, lists,
objections and repairs. For each demo role the test signs in and walks the workspace: the home
page, every menu entry, and every page linked from those (same-origin GET links up to depth 2,
a bounded number per route). Every GET link shown must not answer 403; every form shown must
post to a view whose access rule admits the user (forms are not submitted: they change state).
The menu is checked against the access rules directly, not through the navigation code. The
two demo credit subjects walk self-service from ``/self/`` the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from educredit.accounts.models import User
from educredit.accounts.permissions import access_rule_of
from educredit.testing.shared_data import shared_data
from educredit.web.navigation import WORKSPACE_NAV

pytestmark = pytest.mark.django_db

DEMO_ROLES = (
    "province_admin",
    "zhengzhou_reviewer",
    "zhongyuan_clerk",
    "zhongyuan_viewer",
    "university_clerk",
    "school_clerk",
)
MAX_DEPTH = 2  # home (0) → menu entries and home links (1) → links on those pages (2)
PER_ROUTE = 3  # distinct URLs fetched per route name and role: bounds the walk
SKIP_PREFIXES = ("/static/", "/api/")  # assets; the API is walked by its own tests
# What the school's clerk must never be offered: accounts, the outbox, objections, bulk
# approvals, 双公示 entry (a school imposes no administrative penalty).
NOT_FOR_SCHOOLS = (
    "accounts:user_list",
    "exchange:outbox_list",
    "rights:objection_queue",
    "rights:approval_list",
    "disclosure:entry_penalty",
    "disclosure:import_start",
)
WRITE_WORDS = ("录入", "导入", "新建", "编辑", "修改", "审核通过", "提出列入")


@dataclass
class Control:
    """A link or form control on a page."""

    kind: str  # "a", "form", "button"
    url: str
    method: str = "get"
    text: str = ""
    classes: str = ""


class _Page(HTMLParser):
    """The links, forms and buttons of a page, and the hrefs of its main menu."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[Control] = []
        self.nav: list[str] = []
        self._open: list[tuple[str, Control]] = []
        self._in_nav = 0
        self._form: Control | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        control: Control | None = None
        if tag == "nav" and "ec-nav" in a.get("class", ""):
            self._in_nav += 1
        if tag == "a" and a.get("href"):
            control = Control("a", a["href"], classes=a.get("class", ""))
            if self._in_nav:
                self.nav.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self._form = Control("form", a.get("action", ""), method=method)
            self.controls.append(self._form)
        elif tag == "button":
            form = self._form
            url = a.get("formaction") or (form.url if form else "")
            method = (a.get("formmethod") or (form.method if form else "get")).lower()
            control = Control("button", url, method=method, classes=a.get("class", ""))
        if control is not None:
            self.controls.append(control)
            self._open.append((tag, control))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if tag == "form":
            self._form = None
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _tag, control in self._open:
            control.text += data.strip()


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _local(url: str, base: str) -> str | None:
    """The same-origin path (with query) of ``url`` as seen from ``base``, else None."""
    url, _fragment = urldefrag(url)
    if not url:
        return base
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "tel:")):
        return None
    if url.startswith("?"):
        return urlsplit(base).path + url
    if not url.startswith("/"):
        return None
    return url


def _route_of(path: str) -> tuple[str, Any] | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name, access_rule_of(match.func)


@dataclass
class Walk:
    """What one role's walk found."""

    pages: dict[str, int] = field(default_factory=dict)  # url → status
    refused_links: list[str] = field(default_factory=list)
    refused_forms: list[str] = field(default_factory=list)
    write_buttons: list[str] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)


def walk_as(client: Client, user: User, start: str = "web:home") -> Walk:
    """Sign in as ``user`` and walk from its home page (the workspace, or self-service)."""
    client.force_login(user)
    result = Walk()
    per_route: Counter[str] = Counter()
    queue: list[tuple[str, int, str]] = [(reverse(start), 0, "(start)")]
    seen: set[str] = set()
    while queue:
        url, depth, source = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        route = _route_of(url)
        name = route[0] if route else url
        if per_route[name] >= PER_ROUTE:
            continue
        per_route[name] += 1
        response = client.get(url)
        result.pages[url] = response.status_code
        if response.status_code == 403:
            result.refused_links.append(f"{url} (linked from {source})")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _parse(response.content.decode())
        if depth == 0:
            result.nav = page.nav
        for control in page.controls:
            target = _local(control.url, url)
            if target is None or target.startswith(SKIP_PREFIXES):
                continue
            if (
                control.kind in ("a", "button")
                and any(word in control.text for word in WRITE_WORDS)
                and ("btn" in control.classes or control.kind == "button")
            ):
                result.write_buttons.append(f"{control.text} → {target} on {url}")
            if control.method == "post":
                found = _route_of(target)
                if found is None or found[1] is None or not found[1].allows_user(user):
                    result.refused_forms.append(f"POST {target} (form on {url})")
                continue
            if control.kind == "a" and depth < MAX_DEPTH:
                queue.append((target, depth + 1, url))
            elif control.kind == "a":
                # Deepest level: the link is still checked, not followed further.
                queue.append((target, MAX_DEPTH + 1, url))
    return result


def _menu_urls_admitted(user: User) -> dict[str, str]:
    """Menu entries whose view's own rule admits ``user`` (computed without navigation.py)."""
    admitted = {}
    for link in WORKSPACE_NAV:
        url = reverse(link.url_name)
        rule = access_rule_of(resolve(url).func)
        assert rule is not None, link.url_name
        if rule.allows_user(user):
            admitted[link.url_name] = url
    return admitted


@pytest.fixture(scope="class")
def demo_province(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, User]]:
    """The demo province, made once for the tests of the class that reads it (each test's own
    writes, sessions and query logs, roll back before the next; ``testing.shared_data``)."""
    from educredit.synth.demo import demo_prepare

    def make() -> dict[str, User]:
        demo_prepare(
            scale=0.0002, people_factor=0.01, directory=tmp_path_factory.mktemp("demo-province")
        )
        users = {user.username: user for user in User.objects.filter(username__in=DEMO_ROLES)}
        assert set(users) == set(DEMO_ROLES)
        return users

    yield from shared_data(django_db_blocker, make)


def _iter_roles(users: dict[str, User]) -> Iterator[tuple[str, User]]:
    for username in DEMO_ROLES:
        yield username, User.objects.get(pk=users[username].pk)


class TestTheDemoProvince:
    """The walks, on one demo province made for the three of them."""

    def test_every_demo_role_sees_only_what_it_may_use(
        self, client: Client, demo_province: Any
    ) -> None:
        problems: list[str] = []
        walks: dict[str, Walk] = {}
        for username, user in _iter_roles(demo_province):
            walk = walks[username] = walk_as(client, user)
            assert len(walk.pages) > 5, f"{username}: the walk saw almost nothing"
            problems += [f"{username}: link answers 403: {link}" for link in walk.refused_links]
            problems += [f"{username}: form it may not post: {form}" for form in walk.refused_forms]
            admitted = _menu_urls_admitted(user)
            shown = set(walk.nav)
            for url_name, url in admitted.items():
                if url not in shown:
                    problems.append(f"{username}: menu lacks {url_name} ({url}), which it may use")
                elif walk.pages.get(url) != 200:
                    problems.append(f"{username}: menu entry {url} answered {walk.pages.get(url)}")
            for url in shown - set(admitted.values()):
                problems.append(f"{username}: menu shows {url}, which its rules refuse")
        assert not problems, "\n".join(problems)

        school = _menu_urls_admitted(User.objects.get(username="school_clerk"))
        assert not set(NOT_FOR_SCHOOLS) & set(school), set(NOT_FOR_SCHOOLS) & set(school)
        for url_name in NOT_FOR_SCHOOLS:
            assert reverse(url_name) not in walks["school_clerk"].nav, url_name
        # A school keeps its own people's records: entry, import, the review of its findings.
        assert {"records:record_list", "subjects:person_list", "rights:repair_queue"} <= set(school)
        # A read-only user is offered no button to enter, import, create or edit anything.
        assert not walks["zhongyuan_viewer"].write_buttons, walks["zhongyuan_viewer"].write_buttons
        # … while the county clerk is (so the check above can see such buttons at all).
        assert any("录入" in b for b in walks["zhongyuan_clerk"].write_buttons)

    def test_demo_subjects_meet_no_refusal_in_self_service(
        self, client: Client, demo_province: Any
    ) -> None:
        """The two demo credit subjects walk self-service the same way: nothing shown is refused."""
        from educredit.synth.demo_rights import TEACHER_LOGIN, TRAINING_LOGIN

        problems: list[str] = []
        for username in (TRAINING_LOGIN, TEACHER_LOGIN):
            walk = walk_as(client, User.objects.get(username=username), start="self_service:home")
            assert len(walk.pages) > 3, f"{username}: the walk saw almost nothing"
            problems += [f"{username}: link answers 403: {link}" for link in walk.refused_links]
            problems += [f"{username}: form it may not post: {form}" for form in walk.refused_forms]
        assert not problems, "\n".join(problems)

    def test_schools_cannot_impose_penalties(self, client: Client, demo_province: Any) -> None:
        """The rules behind the menu hold at the door too: a school's clerk who types the URL
        of 双公示 entry or of the outbox is refused, and its entry form lists no penalty item."""
        school_clerk = User.objects.get(username="school_clerk")
        client.force_login(school_clerk)
        for url_name in NOT_FOR_SCHOOLS:
            assert client.get(reverse(url_name)).status_code == 403, url_name
        entry = client.get(reverse("records:record_create")).content.decode()
        assert "JY-XK-01" not in entry and "JY-CF-02" not in entry
        assert "JY-SD-01" in entry  # a teacher-ethics appraisal is the school's own
        county_clerk = User.objects.get(username="zhongyuan_clerk")
        client.force_login(county_clerk)
        assert "JY-CF-02" in client.get(reverse("records:record_create")).content.decode()
