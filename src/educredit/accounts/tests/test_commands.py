import io

import pyotp
import pytest
from django.core.management import CommandError, call_command

from educredit.accounts import services
from educredit.accounts.models import ApiClient, Organisation, User
from educredit.testing.factories import TEST_PASSWORD


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_bootstrap_creates_the_province_and_its_admin_once(monkeypatch):
    monkeypatch.setenv("EDUCREDIT_BOOTSTRAP_PASSWORD", TEST_PASSWORD)
    out, _ = run("bootstrap", "--username", "root.admin")
    province = Organisation.objects.get()
    admin = User.objects.get(username="root.admin")
    assert province.name == "河南省教育厅" and province.parent is None
    assert admin.organisation == province and admin.roles() == {"admin"}
    assert "河南省教育厅" in out
    with pytest.raises(CommandError):
        run("bootstrap", "--username", "second.admin")


@pytest.mark.django_db
def test_bootstrap_rejects_a_weak_password(monkeypatch):
    monkeypatch.setenv("EDUCREDIT_BOOTSTRAP_PASSWORD", "123")
    with pytest.raises(CommandError):
        run("bootstrap", "--username", "root.admin")
    # Both or neither: a failed bootstrap leaves nothing behind and can be run again.
    assert not User.objects.exists() and not Organisation.objects.exists()
    monkeypatch.setenv("EDUCREDIT_BOOTSTRAP_PASSWORD", TEST_PASSWORD)
    run("bootstrap", "--username", "root.admin")
    assert User.objects.get().username == "root.admin"


def test_totp_code_only_for_demo_users(county, county_admin):
    demo = services.user_create(
        actor="system:demo",
        organisation=county,
        username="demo.admin",
        full_name="演示管理员",
        password=TEST_PASSWORD,
        roles=["admin"],
        is_demo=True,
    )
    secret = services.user_totp_preenrol_demo(actor="system:demo", user=demo)
    out, _ = run("totp-code", "demo.admin")
    assert pyotp.TOTP(secret).verify(out.strip(), valid_window=1)
    county_admin.totp_secret = pyotp.random_base32()
    county_admin.totp_confirmed = True
    county_admin.save()
    with pytest.raises(CommandError, match="演示账号"):
        run("totp-code", "zy.admin")
    with pytest.raises(CommandError, match="演示账号"):
        run("totp-code", "nobody")


def test_apiclient_create_prints_a_working_key(client, county):
    out, err = run(
        "apiclient",
        "create",
        "--org",
        str(county.public_id),
        "--name",
        "学籍系统",
        "--scopes",
        "accounts:read",
        "--rate",
        "10",
    )
    key = out.strip()
    created = ApiClient.objects.get(name="学籍系统")
    assert created.rate_limit_per_minute == 10 and created.organisation == county
    assert created.key_prefix in err
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    run("apiclient", "revoke", created.key_prefix)
    assert client.get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_apiclient_create_by_org_name_and_unknown_scope(county):
    with pytest.raises(CommandError, match="Unknown scopes"):
        run("apiclient", "create", "--org", "中原区教育局", "--name", "x", "--scopes", "nope:x")
    with pytest.raises(CommandError):
        run(
            "apiclient", "create", "--org", "不存在的局", "--name", "x", "--scopes", "accounts:read"
        )
    out, _ = run(
        "apiclient", "create", "--org", "中原区教育局", "--name", "y", "--scopes", "accounts:read"
    )
    assert out.startswith("ek_")
