"""Chinese first: English only on the user's explicit choice, never from the browser alone."""

import pytest


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese(client):
    content = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "教育信用" in content


@pytest.mark.django_db
def test_the_language_switch_gives_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    english = client.get("/")
    assert english.headers["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert client.get("/").headers["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "fr"
    assert client.get("/").headers["Content-Language"] == "zh-hans"
