"""Security headers on pages and API answers, and no caching of non-public data (ADR 0031)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

ME = "/api/accounts/me"
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _assert_security_headers(response: Any) -> None:
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy


def _no_store(response: Any) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_staff_pages_carry_every_header_and_are_not_cached(client: Any, county_clerk: Any) -> None:
    client.force_login(county_clerk)
    for url in ("/workspace/", "/subjects/institutions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_security_headers(response)
        assert _no_store(response), url
        assert "private" in response.headers["Cache-Control"]


def test_sign_in_pages_are_not_cached(client: Any) -> None:
    response = client.get("/accounts/login/")
    _assert_security_headers(response)
    assert _no_store(response)


def test_api_answers_carry_every_header_and_are_not_cached(client: Any, api_client: Any) -> None:
    ok = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {api_client.key}")
    assert ok.status_code == 200
    refused = client.get(ME)
    assert refused.status_code == 401
    for response in (ok, refused):
        _assert_security_headers(response)
        assert _no_store(response)


def test_staff_session_on_the_api_is_not_cached(client: Any, county_clerk: Any) -> None:
    client.force_login(county_clerk)
    response = client.get(ME)
    assert response.status_code == 200
    _assert_security_headers(response)
    assert _no_store(response)


def test_public_portal_pages_keep_headers_and_stay_cacheable(client: Any) -> None:
    home = client.get("/")
    assert home.status_code == 200
    _assert_security_headers(home)
    assert not _no_store(home)
    # The open data sets its own (public, revalidated) caching, which is kept.
    open_data = client.get("/lists/open-data.json")
    assert open_data.status_code == 200
    assert "public" in open_data.headers["Cache-Control"]
    assert not _no_store(open_data)


def test_portal_person_lookup_answers_are_not_cached(client: Any) -> None:
    data = {"name": "某人", "document_type": "resident_id", "id_number": "110101199001010011"}
    response = client.post("/query/person/", data)
    assert response.status_code == 200
    _assert_security_headers(response)
    assert _no_store(response)


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_SSL_REDIRECT=True
)
def test_under_https_answers_carry_hsts_and_plain_http_is_redirected(client: Any) -> None:
    # SecurityMiddleware reads these settings when the handler is built, i.e. per test client.
    secure = client.get("/", secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain.url.startswith("https://")
