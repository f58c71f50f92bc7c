"""A locked sign-in answers 429 with the time to wait: the sign-in page with its message, and
``Retry-After`` in seconds. Below the limit, a wrong password stays an ordinary refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from educredit.accounts.models import LoginAttempt
from educredit.testing.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
WRONG = "wrong-password-1"


def _login(client: Any, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _fail(client: Any, username: str, times: int, **extra: Any) -> Any:
    response = None
    for _ in range(times):
        response = _login(client, username, WRONG, **extra)
    return response


def _retry_after(response: Any) -> int:
    return int(response["Retry-After"])


def test_a_wrong_password_below_the_limit_is_not_a_lock(client, county_clerk):
    response = _fail(client, "zy.clerk", 4)
    assert response.status_code == 200
    assert not response.has_header("Retry-After")
    assert "用户名或密码错误" in response.content.decode()


def test_the_failure_that_locks_answers_429(client, settings, county_clerk):
    response = _fail(client, "zy.clerk", 5)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert 0 < _retry_after(response) <= settings.EDUCREDIT_LOGIN_WINDOW_SECONDS


def test_a_locked_username_answers_429_on_the_sign_in_page(client, settings, county_clerk):
    _fail(client, "zy.clerk", 5)
    response = _login(client, "zy.clerk")  # the right password, too late
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert 'name="username"' in page and 'name="password"' in page  # still the sign-in form
    assert 0 < _retry_after(response) <= settings.EDUCREDIT_LOGIN_WINDOW_SECONDS
    assert client.get("/workspace/").status_code == 302  # not signed in


def test_the_wait_is_what_is_left_of_the_window(client, settings, county_clerk):
    settings.EDUCREDIT_LOGIN_WINDOW_SECONDS = 15 * 60
    _fail(client, "zy.clerk", 5)
    # The failures were ten minutes ago: five minutes of the window are left.
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=10))
    response = _login(client, "zy.clerk")
    assert response.status_code == 429
    assert 4 * 60 < _retry_after(response) <= 5 * 60
    assert "请 5 分钟后再试" in response.content.decode()


def test_the_wait_counts_from_the_failure_that_keeps_the_lock(client, settings, county_clerk):
    settings.EDUCREDIT_LOGIN_WINDOW_SECONDS = 15 * 60
    _fail(client, "zy.clerk", 5)
    now = timezone.now()
    attempts = list(LoginAttempt.objects.filter(outcome="failed").order_by("pk"))
    # The oldest failure was 14 minutes ago, the other four 2 minutes ago: when the oldest
    # leaves the window four remain, under the limit of five, so the lock lifts with it.
    LoginAttempt.objects.filter(pk=attempts[0].pk).update(at=now - timedelta(minutes=14))
    LoginAttempt.objects.filter(pk__in=[a.pk for a in attempts[1:]]).update(
        at=now - timedelta(minutes=2)
    )
    response = _login(client, "zy.clerk")
    assert response.status_code == 429
    assert 0 < _retry_after(response) <= 60


def test_a_locked_address_answers_429(client, settings, county_clerk):
    settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a", "b", "c"):
        _login(client, name, WRONG, REMOTE_ADDR="10.1.2.3")
    locked = _login(client, "zy.clerk", REMOTE_ADDR="10.1.2.3")
    assert locked.status_code == 429
    assert locked.has_header("Retry-After")
    assert _login(client, "zy.clerk", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_lock_is_429_in_english_too(client, county_clerk):
    client.cookies["django_language"] = "en"
    _fail(client, "zy.clerk", 5)
    response = _login(client, "zy.clerk")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


@pytest.mark.usefixtures("totp_required")
def test_a_locked_second_factor_answers_429(client, city_reviewer):
    city_reviewer.totp_secret = pyotp.random_base32()
    city_reviewer.totp_confirmed = True
    city_reviewer.save()
    assert _login(client, "zz.reviewer").url == "/accounts/login/totp/"
    for _ in range(5):
        wrong = client.post("/accounts/login/totp/", {"code": "000000"})
        assert wrong.status_code == 200  # a wrong code, not yet the lock
    code = pyotp.TOTP(city_reviewer.totp_secret).now()
    response = client.post("/accounts/login/totp/", {"code": code})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert _retry_after(response) > 0
