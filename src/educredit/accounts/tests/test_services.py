import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from educredit.accounts import services
from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import Organisation, RoleGrant
from educredit.audit.models import AuditEntry
from educredit.testing.factories import TEST_PASSWORD


def test_province_admin_adds_county_under_city_with_path_and_audit(province_admin, city):
    county = services.organisation_create(
        actor=province_admin,
        parent=city,
        name="二七区教育局",
        kind=OrganisationKind.COUNTY_BUREAU,
        region_code="410103",
    )
    assert county.path == f"{city.path}{county.pk}/"
    assert city.covers(county) and not county.covers(city)
    entry = AuditEntry.objects.get(action="organisation.create", target_id=str(county.pk))
    assert entry.actor == province_admin
    assert entry.before_digest == ""


@pytest.mark.parametrize(
    ("parent_name", "kind"),
    [
        ("province", OrganisationKind.COUNTY_BUREAU),  # a county bureau belongs under a city
        ("county", OrganisationKind.CITY_BUREAU),
        ("county", OrganisationKind.COUNTY_BUREAU),
        ("province", OrganisationKind.PROVINCIAL_DEPARTMENT),
    ],
)
def test_kind_must_fit_parent(request, province_admin, county, parent_name, kind):
    parent = request.getfixturevalue(parent_name)
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=province_admin, parent=parent, name="新机构", kind=kind)
    assert "kind" in exc.value.error_dict
    assert not Organisation.objects.filter(name="新机构").exists()


@pytest.mark.parametrize("parent_name", ["province", "city", "county"])
def test_schools_fit_under_any_bureau(request, province_admin, county, parent_name):
    parent = request.getfixturevalue(parent_name)
    school = services.organisation_create(
        actor=province_admin, parent=parent, name="实验学校", kind=OrganisationKind.SCHOOL
    )
    assert school.parent == parent


def test_admin_cannot_create_outside_jurisdiction(county, other_county):
    from educredit.testing.factories import make_user

    admin = make_user(organisation=county, username="zy.admin2", roles=[UserRole.ADMIN])
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=admin, parent=other_county, name="金水学校", kind=OrganisationKind.SCHOOL
        )


def test_clerk_cannot_create_organisations(county_clerk, county):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=county_clerk, parent=county, name="学校", kind=OrganisationKind.SCHOOL
        )


def test_sibling_names_are_unique_and_codes_checked(province_admin, city, county):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            actor=province_admin,
            parent=city,
            name="中原区教育局",
            kind=OrganisationKind.COUNTY_BUREAU,
            region_code="4101",
        )
    assert set(exc.value.error_dict) >= {"name", "region_code"}


def test_organisation_update_audits_before_and_after(province_admin, county):
    before_entries = AuditEntry.objects.count()
    services.organisation_update(
        actor=province_admin, organisation=county, name="中原区教育体育局", region_code="410102"
    )
    county.refresh_from_db()
    assert county.name == "中原区教育体育局"
    entry = AuditEntry.objects.order_by("-id")[0]
    assert AuditEntry.objects.count() == before_entries + 1
    assert entry.action == "organisation.update"
    assert entry.changed_fields == ["name"]


def test_organisation_deactivate_refuses_while_users_active(province_admin, county, county_clerk):
    with pytest.raises(ValidationError):
        services.organisation_deactivate(actor=province_admin, organisation=county)
    services.user_deactivate(actor=province_admin, user=county_clerk)
    services.organisation_deactivate(actor=province_admin, organisation=county)
    county.refresh_from_db()
    assert not county.is_active


def test_user_create_validates_password_and_roles(county_admin, county):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=county_admin,
            organisation=county,
            username="weak",
            full_name="弱密码",
            password="12345678",
            roles=[UserRole.CLERK],
        )
    assert "password" in exc.value.error_dict
    with pytest.raises(ValidationError):
        services.user_create(
            actor=county_admin,
            organisation=county,
            username="norole",
            full_name="无角色",
            password=TEST_PASSWORD,
            roles=[],
        )
    user = services.user_create(
        actor=county_admin,
        organisation=county,
        username="zy.new",
        full_name="新录入员",
        password=TEST_PASSWORD,
        roles=[UserRole.CLERK, UserRole.VIEWER],
    )
    assert user.roles() == {"clerk", "viewer"}
    assert user.check_password(TEST_PASSWORD)
    actions = set(AuditEntry.objects.filter(actor=county_admin).values_list("action", flat=True))
    assert {"user.create", "role_grant.create"} <= actions


def test_username_is_unique_case_insensitively(county_admin, county, county_clerk):
    with pytest.raises(ValidationError) as exc:
        services.user_create(
            actor=county_admin,
            organisation=county,
            username="ZY.CLERK",
            full_name="重名",
            password=TEST_PASSWORD,
            roles=[UserRole.CLERK],
        )
    assert "username" in exc.value.error_dict


def test_admin_of_other_county_cannot_create_users_here(county, other_county):
    from educredit.testing.factories import make_user

    js_admin = make_user(organisation=other_county, username="js.admin", roles=[UserRole.ADMIN])
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=js_admin,
            organisation=county,
            username="x",
            full_name="x",
            password=TEST_PASSWORD,
            roles=[UserRole.CLERK],
        )


def test_set_roles_keeps_revoked_grants_and_restores_them(county_admin, county_clerk):
    services.user_set_roles(actor=county_admin, user=county_clerk, roles=[UserRole.REVIEWER])
    assert county_clerk.roles() == {"reviewer"}
    clerk_grant = RoleGrant.objects.get(user=county_clerk, role=UserRole.CLERK)
    assert clerk_grant.revoked_at is not None
    services.user_set_roles(actor=county_admin, user=county_clerk, roles=[UserRole.CLERK])
    assert county_clerk.roles() == {"clerk"}
    actions = list(
        AuditEntry.objects.filter(target_type="accounts.rolegrant").values_list("action", flat=True)
    )
    assert "role_grant.revoke" in actions and "role_grant.restore" in actions


def test_admin_cannot_drop_own_admin_role_or_deactivate_self(county_admin):
    with pytest.raises(ValidationError):
        services.user_set_roles(actor=county_admin, user=county_admin, roles=[UserRole.CLERK])
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=county_admin, user=county_admin)


def test_user_set_password_by_self_or_covering_admin_only(county_clerk, outsider, county_admin):
    services.user_set_password(actor=county_clerk, user=county_clerk, password="Another-pass-2026")
    county_clerk.refresh_from_db()
    assert county_clerk.check_password("Another-pass-2026")
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=outsider, user=county_clerk, password="Third-pass-2026x")
    services.user_set_password(actor=county_admin, user=county_clerk, password="Fourth-pass-2026")


def test_bootstrap_only_once(province):
    with pytest.raises(ValidationError):
        services.organisation_bootstrap(name="第二个省")
    entry = AuditEntry.objects.get(action="organisation.create", target_id=str(province.pk))
    assert entry.actor_label == "system:bootstrap"


def test_api_client_key_is_stored_hashed_and_returned_once(county_admin, county):
    client, key = services.api_client_create(
        actor=county_admin, organisation=county, name="学籍系统", scopes=["accounts:read"]
    )
    assert key.startswith(f"ek_{client.key_prefix}_")
    assert key not in client.key_hash and client.key_hash == services.api_key_hash(key)
    with pytest.raises(ValidationError):
        services.api_client_create(
            actor=county_admin, organisation=county, name="x", scopes=["not a scope"]
        )
    services.api_client_revoke(actor=county_admin, client=client)
    client.refresh_from_db()
    assert not client.is_active and client.revoked_at is not None


def test_demo_preenrolment_refused_for_real_users(county_admin, county_clerk):
    with pytest.raises(PermissionDenied):
        services.user_totp_preenrol_demo(actor=county_admin, user=county_clerk)
