from datetime import timedelta
from typing import Any

import pyotp
import pytest
from django.utils import timezone

from educredit.accounts import services
from educredit.accounts.models import LoginAttempt
from educredit.audit.models import AuditEntry
from educredit.testing.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def _login(client: Any, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_production_hashes_passwords_with_argon2():
    # The suite swaps in a fast hasher; this is the setting production runs with.
    from educredit import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hash_is_what_a_user_gets(settings, county):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = services.user_create(
        actor="system:test",
        organisation=county,
        username="argon",
        full_name="A",
        password=TEST_PASSWORD,
        roles=["clerk"],
    )
    assert user.password.startswith("argon2$")


def test_login_page_is_chinese_and_signs_a_clerk_in(client, county_clerk):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    response = _login(client, "zy.clerk")
    assert response.status_code == 302
    assert response.url == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    entry = AuditEntry.objects.filter(action="user.sign_in").get()
    assert entry.actor == county_clerk
    assert LoginAttempt.objects.filter(username="zy.clerk", outcome="succeeded").exists()


def test_wrong_password_is_refused_and_recorded(client, county_clerk):
    response = _login(client, "zy.clerk", "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert LoginAttempt.objects.filter(username="zy.clerk", outcome="failed").count() == 1
    assert client.get("/workspace/").status_code == 302


def test_next_is_followed_only_within_the_site(client, county_clerk):
    response = client.post(
        LOGIN, {"username": "zy.clerk", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == "/workspace/"
    client.logout()
    response = client.post(
        LOGIN,
        {"username": "zy.clerk", "password": TEST_PASSWORD, "next": "/accounts/organisations/"},
    )
    assert response.url == "/accounts/organisations/"


def test_five_failures_lock_the_username_even_with_the_right_password(client, county_clerk):
    for _ in range(5):
        _login(client, "zy.clerk", "wrong-password-1")
    response = _login(client, "zy.clerk")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert client.get("/workspace/").status_code == 302
    assert LoginAttempt.objects.filter(outcome="locked").count() == 1


def test_lock_lifts_after_the_window(client, county_clerk):
    for _ in range(5):
        _login(client, "zy.clerk", "wrong-password-1")
    # Age the failures past the 15-minute window.
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert _login(client, "zy.clerk").status_code == 302


def test_failures_from_one_address_lock_that_address(client, settings, county_clerk):
    settings.EDUCREDIT_LOGIN_MAX_FAILURES_PER_IP = 3
    for name in ("a", "b", "c"):
        _login(client, name, "wrong-password-1", REMOTE_ADDR="10.1.2.3")
    locked = _login(client, "zy.clerk", REMOTE_ADDR="10.1.2.3")
    assert "登录失败次数过多" in locked.content.decode()
    assert _login(client, "zy.clerk", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_an_inactive_user_cannot_sign_in(client, county_admin, county_clerk):
    services.user_deactivate(actor=county_admin, user=county_clerk)
    assert _login(client, "zy.clerk").status_code == 200
    assert client.get("/workspace/").status_code == 302


@pytest.mark.usefixtures("totp_required")
class TestTotp:
    def test_clerks_need_a_second_factor_too(self, client, county_clerk):
        # Clerks change credit data, so they enrol like admins (ADR 0031).
        assert _login(client, "zy.clerk").url == "/accounts/login/totp/enrol/"

    def test_first_admin_sign_in_forces_enrolment(self, client, county_admin):
        response = _login(client, "zy.admin")
        assert response.url == "/accounts/login/totp/enrol/"
        # Not signed in yet: the password alone does not open the workspace.
        assert client.get("/workspace/").status_code == 302
        page = client.get("/accounts/login/totp/enrol/")
        content = page.content.decode()
        assert "<svg" in content
        county_admin.refresh_from_db()
        assert county_admin.totp_secret and not county_admin.totp_confirmed
        wrong = client.post("/accounts/login/totp/enrol/", {"code": "000000"})
        assert "动态验证码错误" in wrong.content.decode()
        code = pyotp.TOTP(county_admin.totp_secret).now()
        done = client.post("/accounts/login/totp/enrol/", {"code": code})
        assert done.url == "/workspace/"
        assert client.get("/workspace/").status_code == 200
        county_admin.refresh_from_db()
        assert county_admin.totp_confirmed
        assert AuditEntry.objects.filter(action="user.totp_enrol", actor=county_admin).exists()

    def test_enrolled_reviewer_gives_the_code_after_the_password(self, client, city_reviewer):
        secret = pyotp.random_base32()
        city_reviewer.totp_secret = secret
        city_reviewer.totp_confirmed = True
        city_reviewer.save()
        response = _login(client, "zz.reviewer")
        assert response.url == "/accounts/login/totp/"
        assert client.get("/workspace/").status_code == 302
        code = pyotp.TOTP(secret).now()
        assert client.post("/accounts/login/totp/", {"code": code}).url == "/workspace/"
        assert client.get("/workspace/").status_code == 200
        # The same code cannot be replayed for another sign-in.
        client.logout()
        _login(client, "zz.reviewer")
        replay = client.post("/accounts/login/totp/", {"code": code})
        assert replay.status_code == 200
        assert client.get("/workspace/").status_code == 302

    def test_wrong_codes_count_towards_the_lock(self, client, city_reviewer):
        city_reviewer.totp_secret = pyotp.random_base32()
        city_reviewer.totp_confirmed = True
        city_reviewer.save()
        _login(client, "zz.reviewer")
        for _ in range(5):
            client.post("/accounts/login/totp/", {"code": "000000"})
        code = pyotp.TOTP(city_reviewer.totp_secret).now()
        response = client.post("/accounts/login/totp/", {"code": code})
        assert "登录失败次数过多" in response.content.decode()

    def test_totp_pages_without_a_password_step_go_back_to_login(self, client):
        assert client.get("/accounts/login/totp/").url == LOGIN
        assert client.get("/accounts/login/totp/enrol/").url == LOGIN

    def test_admin_resets_a_lost_second_factor(self, client, county_admin, city_reviewer):
        city_reviewer.totp_secret = pyotp.random_base32()
        city_reviewer.totp_confirmed = True
        city_reviewer.save()
        services.user_totp_reset(actor="system:test", user=city_reviewer)
        assert _login(client, "zz.reviewer").url == "/accounts/login/totp/enrol/"
