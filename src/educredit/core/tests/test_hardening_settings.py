"""Production settings (ADR 0031): ``EDUCREDIT_HTTPS=1`` passes ``check --deploy`` cleanly,
and without it the demo's plain-HTTP defaults stay usable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh process (settings are read once per process) with its own key file and SQLite."""
    # The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for its session in this worker's
    # environment; a production process never has it (the deploy check refuses it).
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EDUCREDIT_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    base |= {"EDUCREDIT_VAR_DIR": str(tmp_path), "EDUCREDIT_KEY_FILE": str(tmp_path / "k.json")}
    return subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "educredit.cli", *args],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRINT_SETTINGS = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
    " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.DEBUG,"
    " s.SESSION_COOKIE_NAME, s.SECRET_KEY.startswith('django-insecure'))"
)


def test_production_environment_passes_the_deploy_check(tmp_path: Path) -> None:
    production = {
        "EDUCREDIT_HTTPS": "1",
        "EDUCREDIT_DEBUG": "0",
        "EDUCREDIT_ALLOWED_HOSTS": "educredit.jyt.henan.gov.cn",
        "EDUCREDIT_CSRF_TRUSTED_ORIGINS": "https://educredit.jyt.henan.gov.cn",
    }
    result = _run(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stderr + result.stdout
    output = result.stdout + result.stderr
    assert "WARNINGS" not in output and "ERRORS" not in output
    assert "identified no issues" in output
    shown = _run(tmp_path, "shell", "-v", "0", "-c", PRINT_SETTINGS, **production)
    assert shown.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "False",
        "__Host-sessionid",
        "False",
    ]


def test_the_proxy_header_is_configurable(tmp_path: Path) -> None:
    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER)"
    named = _run(
        tmp_path,
        "shell",
        "-v",
        "0",
        "-c",
        code,
        EDUCREDIT_HTTPS="1",
        EDUCREDIT_PROXY_SSL_HEADER="X-Forwarded-Ssl-Scheme",
    )
    assert named.stdout.strip() == "('HTTP_X_FORWARDED_SSL_SCHEME', 'https')"
    # Empty: TLS ends at the app server, and no request header is trusted.
    direct = _run(
        tmp_path, "shell", "-v", "0", "-c", code, EDUCREDIT_HTTPS="1", EDUCREDIT_PROXY_SSL_HEADER=""
    )
    assert direct.stdout.strip() == "None"


def test_without_the_switch_the_demo_defaults_serve_plain_http(tmp_path: Path) -> None:
    shown = _run(tmp_path, "shell", "-v", "0", "-c", PRINT_SETTINGS)
    assert shown.stdout.split() == [
        "False",
        "False",
        "False",
        "0",
        "None",
        "False",
        "sessionid",
        "False",
    ]
    # The deploy check does complain then: the switch is what production needs.
    result = _run(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


def test_demo_over_http_on_loopback_signs_in_without_redirects(client, county_clerk) -> None:
    """This process runs without the switch: http://127.0.0.1 pages answer, cookies are plain."""
    from educredit.testing.factories import TEST_PASSWORD

    login = client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000")
    assert login.status_code == 200
    assert "Strict-Transport-Security" not in login.headers
    response = client.post(
        "/accounts/login/",
        {"username": county_clerk.username, "password": TEST_PASSWORD},
        HTTP_HOST="127.0.0.1:8000",
    )
    assert response.status_code == 302 and response.url == "/workspace/"
    cookie = response.cookies["sessionid"]
    assert not cookie["secure"] and cookie["httponly"]
    assert client.get("/workspace/", HTTP_HOST="127.0.0.1:8000").status_code == 200
