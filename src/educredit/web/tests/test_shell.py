"""The workspace shell: layout, navigation, language switch and error pages."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.web.navigation import NavLink, resolve_links

HAN = re.compile(r"[\u4e00-\u9fff]")


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def inline_scripts(html: str) -> list[str]:
    """Script elements without a src: the content-security policy would block them."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]


@pytest.mark.django_db
def test_workspace_home_shows_who_and_where(client, city_reviewer):
    html = signed_in(client, city_reviewer).get("/workspace/").content.decode()
    assert "河南省教育信用信息平台" in html
    assert "您好，郑州审核员" in html
    assert "郑州市教育局" in html
    assert "审核员" in html
    # Sign-out is a POST form (a GET link would let any page sign the user out).
    assert re.search(r'<form[^>]+action="/accounts/logout/"[^>]+method="post"', html)
    assert inline_scripts(html) == []


@pytest.mark.django_db
def test_workspace_assets_are_local(client, city_reviewer):
    html = signed_in(client, city_reviewer).get("/workspace/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', html)
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in assets
    assert "/static/vendor/bootstrap/js/bootstrap.bundle.min.js" in assets
    assert all(url.startswith("/static/") for url in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_workspace_home_in_english(client, city_reviewer):
    client = signed_in(client, city_reviewer)
    client.cookies["django_language"] = "en"  # what the language switch sets
    html = client.get("/workspace/").content.decode()
    assert 'lang="en"' in html
    assert "Henan Education Credit Information Platform" in html
    assert "Hello, 郑州审核员" in html
    assert "Sign out" in html
    # Everything but the user's own data, the 中文 button and the role and organisation-type
    # names (translated by the accounts app's catalogue) comes from the shell's catalogue.
    with translation.override("zh-hans"):
        accounts_labels = [str(label) for label in (*UserRole.labels, *OrganisationKind.labels)]
    for data in ("郑州审核员", "郑州市教育局", "中文", *accounts_labels):
        html = html.replace(data, "")
    visible = re.sub(r"<[^>]+>", " ", html)
    assert not HAN.search(visible), HAN.findall(visible)


@pytest.mark.django_db
def test_language_switch_is_open_to_anonymous_visitors_and_sticks(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert "Henan Education Credit Information Disclosure" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "河南省教育信用信息公示" in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")


@pytest.mark.django_db
def test_language_switch_only_accepts_post(client):
    assert client.get("/i18n/setlang/?language=en").status_code == 405


@pytest.mark.django_db
def test_workspace_menu_lists_only_sections_that_exist_and_admit_the_user(
    client, city_reviewer, settings
):
    settings.ROOT_URLCONF = "educredit.web.tests.urls_shell"
    request = RequestFactory().get("/workspace/")
    request.user = city_reviewer
    links = (
        NavLink("web:home", "工作台"),
        NavLink("shelltest:any_staff", "任何工作人员"),
        NavLink("shelltest:admin_only", "仅管理员"),
        NavLink("shelltest:no_rule", "未声明规则"),
        NavLink("nowhere:missing", "尚未实现"),
    )
    resolved = resolve_links(request, links)
    assert [link.label for link in resolved] == ["工作台", "任何工作人员"]
    assert resolved[0].active and not resolved[1].active

    placeholders = resolve_links(request, links, keep_unavailable=True)
    assert [(link.label, link.available) for link in placeholders][-1] == ("尚未实现", False)
    assert all(link.url == "" for link in placeholders if not link.available)


@pytest.mark.django_db
def test_workspace_home_quick_links_are_the_users_sections(client, city_reviewer):
    response = signed_in(client, city_reviewer).get("/workspace/")
    for link in response.context["quick_links"]:
        assert client.get(link.url).status_code == 200, link.url


def in_english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_forbidden_page_is_in_the_workspace_layout_one_language_at_a_time(
    client, city_reviewer, settings
):
    settings.ROOT_URLCONF = "educredit.web.tests.urls_shell"
    response = signed_in(client, city_reviewer).get("/shell-test/admin-only/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有访问此页面的权限" in html
    assert "You do not have permission" not in html
    # The workspace layout: the staff menu, the account, the language switch.
    assert 'class="navbar-nav me-auto"' in html and "/accounts/logout/" in html
    assert 'action="/i18n/setlang/"' in html
    english = in_english(client).get("/shell-test/admin-only/").content.decode()
    assert "You do not have permission" in english
    assert "您没有访问此页面的权限" not in english


@pytest.mark.django_db
def test_view_without_access_rule_gets_the_friendly_403(client, settings):
    settings.ROOT_URLCONF = "educredit.web.tests.urls_shell"
    response = client.get("/shell-test/no-rule/")
    assert response.status_code == 403
    assert "您没有访问此页面的权限" in response.content.decode()


@pytest.mark.django_db
def test_missing_page_is_in_the_portal_layout_for_the_public(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到您要访问的页面" in html
    assert "does not exist" not in html
    # The portal's layout: its search box, its menu, the language switch, a sign-in button.
    assert 'action="/query/"' in html and 'action="/i18n/setlang/"' in html
    assert 'href="/accounts/login/' in html
    english = in_english(client).get("/no-such-page/").content.decode()
    assert "does not exist" in english and "找不到您要访问的页面" not in english


@pytest.mark.django_db
def test_missing_page_of_a_signed_in_clerk_keeps_the_workspace_menu(client, city_reviewer):
    html = signed_in(client, city_reviewer).get("/no-such-page/").content.decode()
    assert "/accounts/logout/" in html and 'href="/workspace/"' in html


@pytest.mark.django_db
def test_server_error_page_is_one_language_with_the_switch(client, city_reviewer, settings):
    settings.ROOT_URLCONF = "educredit.web.tests.urls_shell"
    client = Client(raise_request_exception=False)
    client.force_login(city_reviewer)
    response = client.get("/shell-test/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时无法处理您的请求" in html
    assert "nothing was saved" not in html.lower()
    assert 'action="/i18n/setlang/"' in html and 'name="csrfmiddlewaretoken"' in html
    english = in_english(client).get("/shell-test/broken/").content.decode()
    assert "Nothing was saved" in english and "系统暂时无法处理您的请求" not in english


@pytest.mark.django_db
def test_server_error_page_asks_nothing_of_the_database(django_assert_num_queries):
    from educredit.web.errors import server_error

    request = RequestFactory().get("/somewhere/")
    with django_assert_num_queries(0):
        html = server_error(request).content.decode()
    assert "系统暂时无法处理您的请求" in html
    assert 'name="next" value="/somewhere/"' in html


def test_rate_limit_page_says_when_to_retry():
    html = render_to_string("429.html", {"retry_after_minutes": 15})
    assert "请在 15 分钟后重试" in html
    assert "try again" not in html
    with translation.override("en"):
        english = render_to_string("429.html", {"retry_after_minutes": 15})
    assert "try again in 15 minutes" in english


@pytest.mark.django_db
def test_workspace_menu_costs_no_query_per_link(
    client, city_reviewer, django_assert_max_num_queries
):
    # Session, user, the user's role grants once, the organisation: the menu asks every
    # link's access rule without going back to the database. The home's to-do list adds one
    # count per kind of work (thirteen, with 师德考核, training contracts and integrity cases),
    # whatever the data. The first request of a process also reads the holiday calendar
    # (cached for the process): warm it first.
    client = signed_in(client, city_reviewer)
    client.get("/workspace/")
    with django_assert_max_num_queries(18):
        client.get("/workspace/")
