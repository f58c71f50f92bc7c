"""The public portal's layout: Chinese first, English available, placeholders not links."""

from __future__ import annotations

import re

import pytest

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
def test_portal_home_explains_the_platform(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-CN"' in html
    assert "河南省教育信用信息平台" in html
    assert "双公示" in html
    assert 'href="/accounts/login/"' in html


@pytest.mark.django_db
def test_portal_sections_are_links(client):
    html = client.get("/").content.decode()
    nav = html[html.index('id="ec-nav"') :]
    nav = nav[: nav.index("</nav>")]
    links = re.findall(r'<a class="nav-link[^"]*" href="([^"]*)"', nav)
    assert links == ["/", "/disclosure/", "/lists/", "/query/", "/verify/"]
    assert 'aria-disabled="true"' not in nav


@pytest.mark.django_db
def test_portal_home_in_english_is_fully_translated(client):
    client.cookies["django_language"] = "en"  # what the language switch sets
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Henan Education Credit Information Disclosure" in html
    assert "Sign in" in html
    visible = re.sub(r"<[^>]+>", " ", html.replace("中文", ""))
    assert not HAN.search(visible), HAN.findall(visible)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/query/?q=zzdx",
        "/query/person/",
        "/lists/",
        "/disclosure/",
        "/disclosure/?tab=penalty",
        "/disclosure/?tab=other&date_from=x",
    ],
)
def test_portal_pages_in_english_are_fully_translated(client, url):
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    # Place names are data: the region filter lists the cities by their names.
    html = re.sub(
        r'(<select name="region"[^>]*>\s*<option[^>]*>[^<]*</option>).*?</select>',
        r"\1",
        html,
        flags=re.S,
    )
    visible = re.sub(r"<[^>]+>", " ", html.replace("中文", "").replace("郑州大学", ""))
    assert not HAN.search(visible), HAN.findall(visible)
