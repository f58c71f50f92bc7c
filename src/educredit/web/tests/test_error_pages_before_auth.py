"""A request refused by a middleware before authentication still gets its error page.

A Host header the site does not serve is refused in ``CommonMiddleware``, before the user is
known: the page cannot use the site's layouts (they ask for the user), so it is the
static-safe one; under /api/ it is JSON. Never a 500.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/query/?q=郑州", "/workspace/", "/accounts/login/"])
def test_a_host_not_served_is_a_400_page_in_the_readers_language(path: str) -> None:
    response = Client().get(path, HTTP_HOST="A")
    assert response.status_code == 400
    body = response.content.decode()
    assert "<title>400 请求无效" in body
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "<title>400 Bad request" in english.get(path, HTTP_HOST="A").content.decode()


def test_a_host_not_served_under_the_api_is_json() -> None:
    response = Client().get("/api/sanctions/scenarios", HTTP_HOST="A")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
