"""Every accounts page: allowed, read-only denied, outsider denied."""

from typing import Any

import pytest

from educredit.accounts.choices import UserRole
from educredit.accounts.models import ApiClient, Organisation, User
from educredit.audit.models import AuditEntry
from educredit.testing.factories import TEST_PASSWORD, make_user


@pytest.fixture
def county_inspector(county):
    """Reads the organisation tree and the users (ADR 0037: admins and inspectors do)."""
    return make_user(
        organisation=county,
        username="zy.inspector",
        full_name="中原监管员",
        roles=[UserRole.INSPECTOR],
    )


@pytest.fixture
def outsider_inspector(other_county):
    return make_user(organisation=other_county, username="js.inspector", roles=[UserRole.INSPECTOR])


def main_of(response: Any) -> str:
    """The page's main content (the footer names the provincial department on every page)."""
    content: str = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


def url_org(org: Any, suffix: str = "") -> str:
    return f"/accounts/organisations/{org.public_id}/{suffix}"


def url_user(user: Any, suffix: str = "") -> str:
    return f"/accounts/users/{user.public_id}/{suffix}"


class TestOrganisationTree:
    def test_anonymous_is_sent_to_login(self, client, county):
        response = client.get("/accounts/organisations/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")

    def test_province_admin_sees_the_whole_tree_with_counts(
        self, client, province_admin, county_clerk, other_county
    ):
        client.force_login(province_admin)
        content = client.get("/accounts/organisations/").content.decode()
        for name in ("河南省教育厅", "郑州市教育局", "中原区教育局", "金水区教育局"):
            assert name in content
        assert "1 名用户" in content  # the county's clerk
        assert "<details" in content  # collapsible

    def test_county_inspector_sees_only_the_county_subtree(
        self, client, county_inspector, county, county_school, other_county, city, province
    ):
        client.force_login(county_inspector)
        content = main_of(client.get("/accounts/organisations/"))
        assert "中原区教育局" in content and "中原区第一小学" in content
        assert url_org(county) in content and url_org(county_school) in content
        for hidden in (other_county, city, province):
            assert hidden.name not in content
            assert url_org(hidden) not in content

    def test_clerks_and_viewers_have_no_tree(self, client, county_clerk, county_viewer, county):
        for persona in (county_clerk, county_viewer):
            client.force_login(persona)
            assert client.get("/accounts/organisations/").status_code == 403
            assert client.get(url_org(county)).status_code == 403

    def test_tree_page_reads_a_bounded_number_of_queries(
        self, client, county_inspector, county_school, django_assert_max_num_queries
    ):
        client.force_login(county_inspector)
        with django_assert_max_num_queries(8):
            client.get("/accounts/organisations/")


class TestOrganisationDetail:
    def test_inspector_reads_own_county_without_admin_buttons(
        self, client, county_inspector, county_clerk, county
    ):
        client.force_login(county_inspector)
        response = client.get(url_org(county))
        content = response.content.decode()
        assert response.status_code == 200
        assert "中原录入员" in content
        assert "添加下级机构" not in content and "添加用户" not in content

    def test_admin_sees_the_add_buttons(self, client, province_admin, county):
        client.force_login(province_admin)
        content = client.get(url_org(county)).content.decode()
        assert "添加下级机构" in content and "添加用户" in content

    def test_outsider_gets_404_not_403(self, client, outsider_inspector, county):
        client.force_login(outsider_inspector)
        assert client.get(url_org(county)).status_code == 404

    def test_unknown_id_is_the_same_404(self, client, outsider_inspector):
        client.force_login(outsider_inspector)
        assert (
            client.get("/accounts/organisations/00000000-0000-0000-0000-000000000000/").status_code
            == 404
        )


class TestAddOrganisation:
    def test_province_admin_adds_a_county_bureau_under_a_city(self, client, province_admin, city):
        client.force_login(province_admin)
        form = client.get(url_org(city, "add/")).content.decode()
        assert "县教育局" in form and "市教育局" not in form.split("<select")[1]
        response = client.post(
            url_org(city, "add/"),
            {"name": "惠济区教育局", "kind": "county", "region_code": "410108"},
        )
        new = Organisation.objects.get(name="惠济区教育局")
        assert response.status_code == 302 and response.url == url_org(new)
        assert new.parent == city and new.path.startswith(city.path)

    def test_errors_are_shown_on_the_form(self, client, province_admin, city, county):
        client.force_login(province_admin)
        response = client.post(
            url_org(city, "add/"), {"name": "中原区教育局", "kind": "county", "region_code": "41"}
        )
        content = response.content.decode()
        assert response.status_code == 200
        assert "已有同名机构" in content and "6 位数字" in content
        assert "is-invalid" in content

    def test_viewer_is_denied(self, client, county_viewer, county):
        client.force_login(county_viewer)
        assert client.get(url_org(county, "add/")).status_code == 403
        response = client.post(url_org(county, "add/"), {"name": "某小学", "kind": "school"})
        assert response.status_code == 403
        assert not Organisation.objects.filter(name="某小学").exists()

    def test_outsider_admin_gets_404(self, client, other_county, county):
        from educredit.testing.factories import make_user

        js_admin = make_user(organisation=other_county, username="js.admin", roles=["admin"])
        client.force_login(js_admin)
        response = client.post(url_org(county, "add/"), {"name": "某小学", "kind": "school"})
        assert response.status_code == 404
        assert not Organisation.objects.filter(name="某小学").exists()


class TestEditAndDeactivateOrganisation:
    def test_admin_renames(self, client, province_admin, county):
        client.force_login(province_admin)
        response = client.post(
            url_org(county, "edit/"), {"name": "中原区教育体育局", "region_code": "410102"}
        )
        assert response.status_code == 302
        county.refresh_from_db()
        assert county.name == "中原区教育体育局"

    def test_viewer_cannot_edit(self, client, county_viewer, county):
        client.force_login(county_viewer)
        assert client.post(url_org(county, "edit/"), {"name": "x"}).status_code == 403

    def test_deactivate_explains_why_it_is_refused(
        self, client, province_admin, county, county_clerk
    ):
        client.force_login(province_admin)
        response = client.post(url_org(county, "deactivate/"), follow=True)
        assert "请先停用该机构的全部用户" in response.content.decode()
        county.refresh_from_db()
        assert county.is_active

    def test_deactivate_empty_school(self, client, county_admin, county_school):
        client.force_login(county_admin)
        client.post(url_org(county_school, "deactivate/"), {"reason": "撤并"})
        county_school.refresh_from_db()
        assert not county_school.is_active
        assert AuditEntry.objects.get(action="organisation.deactivate").reason == "撤并"

    def test_outsider_clerk_403_outsider_admin_404(self, client, outsider, county_school):
        client.force_login(outsider)
        assert client.post(url_org(county_school, "deactivate/")).status_code == 403
        outsider.role_grants.update(role="admin")
        assert client.get(url_org(county_school, "deactivate/")).status_code == 405
        assert client.post(url_org(county_school, "deactivate/")).status_code == 404
        county_school.refresh_from_db()
        assert county_school.is_active


class TestUsers:
    def test_admin_adds_a_user_with_roles(self, client, county_admin, county):
        client.force_login(county_admin)
        response = client.post(
            url_org(county, "users/add/"),
            {
                "username": "zy.newclerk",
                "full_name": "王小明",
                "password": TEST_PASSWORD,
                "password_again": TEST_PASSWORD,
                "roles": ["clerk", "viewer"],
            },
        )
        user = User.objects.get(username="zy.newclerk")
        assert response.url == url_user(user)
        assert user.roles() == {"clerk", "viewer"} and user.organisation == county

    def test_add_user_shows_clear_errors(self, client, county_admin, county):
        client.force_login(county_admin)
        response = client.post(
            url_org(county, "users/add/"),
            {
                "username": "zy.x",
                "full_name": "x",
                "password": "12345678",
                "password_again": "12345679",
                "roles": [],
            },
        )
        content = response.content.decode()
        assert "两次输入的密码不一致" in content
        assert "这个字段是必填项" in content or "必填" in content
        assert not User.objects.filter(username="zy.x").exists()

    def test_password_rules_are_explained(self, client, county_admin, county):
        client.force_login(county_admin)
        response = client.post(
            url_org(county, "users/add/"),
            {
                "username": "zy.x",
                "full_name": "x",
                "password": "12345678",
                "password_again": "12345678",
                "roles": ["clerk"],
            },
        )
        assert "密码" in response.content.decode()
        assert not User.objects.filter(username="zy.x").exists()

    def test_viewer_and_clerk_cannot_add_users(self, client, county_viewer, county_clerk, county):
        for persona in (county_viewer, county_clerk):
            client.force_login(persona)
            assert client.get(url_org(county, "users/add/")).status_code == 403

    def test_user_list_is_scoped(
        self, client, county_inspector, county_clerk, outsider, province_admin
    ):
        client.force_login(county_inspector)
        content = client.get("/accounts/users/").content.decode()
        assert "zy.clerk" in content and "js.clerk" not in content and "sheng.admin" not in content
        client.force_login(province_admin)
        content = client.get("/accounts/users/?q=js").content.decode()
        assert "js.clerk" in content and "zy.clerk" not in content

    def test_user_detail_read_only_for_inspector(
        self, client, county_inspector, county_viewer, county_clerk
    ):
        client.force_login(county_inspector)
        response = client.get(url_user(county_clerk))
        assert response.status_code == 200
        assert "修改角色" not in response.content.decode()
        client.force_login(county_viewer)  # users are no business of a read-only role
        assert client.get(url_user(county_clerk)).status_code == 403
        assert client.get("/accounts/users/").status_code == 403

    def test_user_detail_outsider_404(self, client, outsider_inspector, county_clerk):
        client.force_login(outsider_inspector)
        assert client.get(url_user(county_clerk)).status_code == 404

    def test_admin_changes_roles_and_deactivates(self, client, county_admin, county_clerk):
        client.force_login(county_admin)
        assert "修改角色" in client.get(url_user(county_clerk)).content.decode()
        client.post(url_user(county_clerk, "roles/"), {"roles": ["reviewer"], "reason": "调岗"})
        assert county_clerk.roles() == {"reviewer"}
        client.post(url_user(county_clerk, "deactivate/"))
        county_clerk.refresh_from_db()
        assert not county_clerk.is_active

    def test_viewer_cannot_change_roles(self, client, county_viewer, county_clerk):
        client.force_login(county_viewer)
        response = client.post(url_user(county_clerk, "roles/"), {"roles": ["admin"]})
        assert response.status_code == 403
        assert county_clerk.roles() == {"clerk"}

    def test_deactivated_user_loses_access_at_once(self, client, county_admin, county_clerk):
        client.force_login(county_clerk)
        assert client.get("/workspace/").status_code == 200
        from educredit.accounts import services

        services.user_deactivate(actor=county_admin, user=county_clerk)
        assert client.get("/workspace/").status_code == 302


class TestApiClientPages:
    def test_admin_creates_a_key_shown_once(self, client, county_admin, county):
        client.force_login(county_admin)
        response = client.post(
            url_org(county, "api-clients/add/"),
            {"name": "学籍系统", "scopes": "accounts:read", "rate_limit_per_minute": 30},
        )
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        created = ApiClient.objects.get(name="学籍系统")
        assert f"ek_{created.key_prefix}_" in response.content.decode()
        listing = client.get("/accounts/api-clients/").content.decode()
        assert "学籍系统" in listing and "ek_" not in listing

    def test_clerk_cannot_see_api_clients(self, client, county_clerk, api_client):
        client.force_login(county_clerk)
        assert client.get("/accounts/api-clients/").status_code == 403

    def test_admin_revokes_and_outsider_admin_cannot(
        self, client, county_admin, other_county, api_client
    ):
        from educredit.testing.factories import make_user

        js_admin = make_user(organisation=other_county, username="js.admin", roles=["admin"])
        client.force_login(js_admin)
        assert "中原区学籍系统" not in client.get("/accounts/api-clients/").content.decode()
        url = f"/accounts/api-clients/{api_client.public_id}/revoke/"
        assert client.post(url).status_code == 404
        client.force_login(county_admin)
        client.post(url)
        api_client.refresh_from_db()
        assert not api_client.is_active


@pytest.mark.parametrize("width_marker", ['name="viewport"'])
def test_pages_are_phone_ready(client, county_inspector, county_clerk, county, width_marker):
    client.force_login(county_inspector)
    for url in (
        "/accounts/organisations/",
        url_org(county),
        url_user(county_clerk),
        "/accounts/login/",
    ):
        assert width_marker in client.get(url).content.decode()


def test_english_is_available(client, county_inspector, county):
    # Needs the compiled catalogue (`make install` / `make messages` compiles it).
    client.force_login(county_inspector)
    client.cookies["django_language"] = "en"
    content = main_of(client.get(url_org(county)))
    assert "Subordinate organisations" in content and "下级机构" not in content


ADMIN_ONLY = [
    ("get", lambda org, user, api: url_org(org, "add/")),
    ("get", lambda org, user, api: url_org(org, "edit/")),
    ("post", lambda org, user, api: url_org(org, "deactivate/")),
    ("get", lambda org, user, api: url_org(org, "users/add/")),
    ("get", lambda org, user, api: url_org(org, "api-clients/add/")),
    ("post", lambda org, user, api: url_user(user, "roles/")),
    ("post", lambda org, user, api: url_user(user, "deactivate/")),
    ("post", lambda org, user, api: url_user(user, "totp-reset/")),
    ("get", lambda org, user, api: "/accounts/api-clients/"),
    ("post", lambda org, user, api: f"/accounts/api-clients/{api.public_id}/revoke/"),
]


@pytest.mark.parametrize(("method", "make_url"), ADMIN_ONLY)
def test_admin_pages_refuse_read_only_and_clerk_users(
    client, method, make_url, county, county_viewer, county_clerk, county_admin, api_client
):
    url = make_url(county, county_clerk, api_client)
    for persona in (county_viewer, county_clerk):
        client.force_login(persona)
        assert getattr(client, method)(url).status_code == 403, (persona.username, url)
    # Nothing changed behind the refusals.
    county_clerk.refresh_from_db()
    api_client.refresh_from_db()
    assert county_clerk.is_active and county_clerk.roles() == {"clerk"}
    assert api_client.is_active and county.is_active
    client.force_login(county_admin)
    assert getattr(client, method)(url).status_code in {200, 302}


def test_user_list_reads_a_bounded_number_of_queries(
    client, province_admin, county_clerk, county_viewer, outsider, django_assert_max_num_queries
):
    client.force_login(province_admin)
    with django_assert_max_num_queries(10):
        response = client.get("/accounts/users/")
    assert "js.clerk" in response.content.decode()
