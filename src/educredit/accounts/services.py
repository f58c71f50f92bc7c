"""Writes to organisations, users, roles and API clients; each one audited in its transaction.

``actor`` is either a signed-in ``User`` (checked: an active admin whose organisation covers
the target) or a system label such as ``"system:bootstrap"`` / ``"system:import"`` used by
management commands, which act with the operator's authority and are not checked here.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import ApiClient, Organisation, RoleGrant, User
from educredit.audit.services import audit_append
from educredit.core.i18n import Bilingual
from educredit.core.identifiers import IdentifierError, validate_uscc

Actor = User | str

BUREAU_KINDS = frozenset(
    {
        OrganisationKind.PROVINCIAL_DEPARTMENT,
        OrganisationKind.CITY_BUREAU,
        OrganisationKind.COUNTY_BUREAU,
    }
)

# Which kind of organisation may sit directly under which: a county bureau under a city bureau,
# a city bureau under the provincial department, schools and other bodies under any bureau.
# The provincial department is the root and is only made by ``organisation_bootstrap``.
ALLOWED_PARENT_KINDS: dict[str, frozenset[str]] = {
    OrganisationKind.PROVINCIAL_DEPARTMENT: frozenset(),
    OrganisationKind.CITY_BUREAU: frozenset({OrganisationKind.PROVINCIAL_DEPARTMENT}),
    OrganisationKind.COUNTY_BUREAU: frozenset({OrganisationKind.CITY_BUREAU}),
    OrganisationKind.UNIVERSITY: BUREAU_KINDS,
    OrganisationKind.VOCATIONAL_SCHOOL: BUREAU_KINDS,
    OrganisationKind.SCHOOL: BUREAU_KINDS,
    OrganisationKind.KINDERGARTEN: BUREAU_KINDS,
    OrganisationKind.OTHER: BUREAU_KINDS,
}

# Roles that must use a second factor (TOTP) when ``EDUCREDIT_REQUIRE_TOTP`` is on: every role
# that can change or export credit data (ADR 0031). Clerks create, edit and import records;
# inspectors and read-only users can export the loop dashboard's list of screening hits
# (which business system checked which subject), which is not public. So no staff role is
# exempt; the portal's public pages need no account at all.
TOTP_ROLES = frozenset(
    {UserRole.ADMIN, UserRole.REVIEWER, UserRole.CLERK, UserRole.INSPECTOR, UserRole.VIEWER}
)

SCOPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")
REGION_PATTERN = re.compile(r"^\d{6}$")
API_KEY_PREFIX = "ek"


# --- checks -------------------------------------------------------------------------------


def is_system_actor(actor: Actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def _require_admin_covering(actor: Actor, organisation: Organisation) -> None:
    """Refuse unless ``actor`` is a system label or an active admin covering ``organisation``."""
    if is_system_actor(actor):
        return
    if not isinstance(actor, User) or not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not actor.has_role(UserRole.ADMIN):
        raise PermissionDenied(_("只有管理员可以执行此操作"))
    if not actor.organisation.covers(organisation):
        raise PermissionDenied(_("该机构不在您的管辖范围内"))


def _clean_roles(roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = wanted - set(UserRole.values)
    if unknown:
        raise ValidationError(
            _("未知角色：%(roles)s") % {"roles": ", ".join(sorted(unknown))},
            code="unknown_role",
        )
    if not wanted:
        raise ValidationError(_("至少选择一个角色"), code="no_role")
    return wanted


def _clean_org_fields(
    *,
    name: str,
    region_code: str,
    uscc: str,
    parent: Organisation | None,
    exclude_pk: int | None = None,
) -> dict[str, str]:
    """Check an organisation's fields, reporting every problem at once."""
    errors: dict[str, str] = {}
    name = name.strip()
    siblings = Organisation.objects.filter(parent=parent, name=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if not name:
        errors["name"] = _("请填写名称")
    elif siblings.exists():
        errors["name"] = _("上级机构下已有同名机构")
    if region_code and not REGION_PATTERN.match(region_code):
        errors["region_code"] = _("行政区划代码应为 6 位数字")
    uscc = uscc.strip().upper()
    if uscc:
        try:
            uscc = validate_uscc(uscc).code  # the one USCC validation (GB 32100)
        except IdentifierError as error:
            errors["uscc"] = Bilingual(f"统一社会信用代码：{error.zh}", f"Credit code: {error.en}")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "region_code": region_code, "uscc": uscc}


# --- organisations ------------------------------------------------------------------------


def _organisation_insert(
    *, actor: Actor, name: str, kind: str, parent: Organisation | None, fields: dict[str, str]
) -> Organisation:
    organisation = Organisation.objects.create(
        name=fields["name"],
        kind=kind,
        parent=parent,
        region_code=fields["region_code"],
        uscc=fields["uscc"],
        path="",
    )
    # The path needs the new primary key, so it is written in a second step.
    organisation.path = f"{parent.path if parent else '/'}{organisation.pk}/"
    organisation.save(update_fields=["path"])
    audit_append(actor=actor, action="organisation.create", target=organisation, before=None)
    return organisation


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    parent: Organisation,
    region_code: str = "",
    uscc: str = "",
) -> Organisation:
    """Add an organisation under ``parent`` (which the actor must administer)."""
    _require_admin_covering(actor, parent)
    if kind not in ALLOWED_PARENT_KINDS:
        raise ValidationError({"kind": _("未知机构类型")})
    if not parent.is_active:
        raise ValidationError({"parent": _("上级机构已停用")})
    if parent.kind not in ALLOWED_PARENT_KINDS[kind]:
        raise ValidationError(
            {
                "kind": _("%(parent)s下不能设立%(kind)s")
                % {
                    "parent": OrganisationKind(parent.kind).label,
                    "kind": OrganisationKind(kind).label,
                }
            }
        )
    fields = _clean_org_fields(name=name, region_code=region_code, uscc=uscc, parent=parent)
    return _organisation_insert(actor=actor, name=name, kind=kind, parent=parent, fields=fields)


@transaction.atomic
def organisation_bootstrap(*, name: str, region_code: str = "410000") -> Organisation:
    """Create the root provincial department (省教育厅); only when no organisation exists."""
    if Organisation.objects.exists():
        raise ValidationError(_("已存在组织机构，无法再次初始化"))
    fields = _clean_org_fields(name=name, region_code=region_code, uscc="", parent=None)
    return _organisation_insert(
        actor="system:bootstrap",
        name=name,
        kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        parent=None,
        fields=fields,
    )


@transaction.atomic
def organisation_update(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    region_code: str = "",
    uscc: str = "",
    reason: str = "",
) -> Organisation:
    """Change an organisation's name, region code or credit code (not its place in the tree)."""
    _require_admin_covering(actor, organisation)
    fields = _clean_org_fields(
        name=name,
        region_code=region_code,
        uscc=uscc,
        parent=organisation.parent,
        exclude_pk=organisation.pk,
    )
    before = organisation.audit_snapshot()
    organisation.name = fields["name"]
    organisation.region_code = fields["region_code"]
    organisation.uscc = fields["uscc"]
    organisation.save(update_fields=["name", "region_code", "uscc"])
    audit_append(
        actor=actor, action="organisation.update", target=organisation, before=before, reason=reason
    )
    return organisation


@transaction.atomic
def organisation_deactivate(
    *, actor: Actor, organisation: Organisation, reason: str = ""
) -> Organisation:
    """Stop an organisation (kept for history); only once it has no active users or children."""
    _require_admin_covering(actor, organisation)
    if isinstance(actor, User) and actor.organisation_id == organisation.pk:
        raise ValidationError(_("不能停用本人所在机构"))
    if organisation.children.filter(is_active=True).exists():
        raise ValidationError(_("请先停用全部下级机构"))
    if organisation.users.filter(is_active=True).exists():
        raise ValidationError(_("请先停用该机构的全部用户"))
    before = organisation.audit_snapshot()
    organisation.is_active = False
    organisation.save(update_fields=["is_active"])
    audit_append(
        actor=actor,
        action="organisation.deactivate",
        target=organisation,
        before=before,
        reason=reason,
    )
    return organisation


# --- users and roles ----------------------------------------------------------------------


def _grant_roles(*, actor: Actor, user: User, roles: set[str], reason: str) -> None:
    """Make ``user``'s current roles exactly ``roles``, auditing every grant and revocation."""
    now = timezone.now()
    existing = {grant.role: grant for grant in RoleGrant.objects.filter(user=user)}
    for role in sorted(roles):
        grant = existing.get(role)
        if grant is None:
            grant = RoleGrant.objects.create(user=user, role=role)
            audit_append(
                actor=actor, action="role_grant.create", target=grant, before=None, reason=reason
            )
        elif grant.revoked_at is not None:
            before = grant.audit_snapshot()
            grant.revoked_at = None
            grant.granted_at = now
            grant.save(update_fields=["revoked_at", "granted_at"])
            audit_append(
                actor=actor, action="role_grant.restore", target=grant, before=before, reason=reason
            )
    for role, grant in sorted(existing.items()):
        if role not in roles and grant.revoked_at is None:
            before = grant.audit_snapshot()
            grant.revoked_at = now
            grant.save(update_fields=["revoked_at"])
            audit_append(
                actor=actor, action="role_grant.revoke", target=grant, before=before, reason=reason
            )


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    organisation: Organisation,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[str],
    phone: str = "",
    is_demo: bool = False,
) -> User:
    """Create a staff user in ``organisation`` with ``roles`` (actor: an admin covering it)."""
    _require_admin_covering(actor, organisation)
    if not organisation.is_active:
        raise ValidationError({"organisation": _("该机构已停用")})
    wanted = _clean_roles(roles)
    username = username.strip()
    errors: dict[str, Any] = {}
    if not username:
        errors["username"] = _("请填写用户名")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名已被使用")
    if not full_name.strip():
        errors["full_name"] = _("请填写姓名")
    user = User(
        username=username,
        full_name=full_name.strip(),
        phone=phone.strip(),
        organisation=organisation,
        is_demo=is_demo,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    audit_append(actor=actor, action="user.create", target=user, before=None)
    _grant_roles(actor=actor, user=user, roles=wanted, reason="user.create")
    return user


@transaction.atomic
def user_bootstrap_admin(
    *, organisation: Organisation, username: str, full_name: str, password: str
) -> User:
    """Create the first administrator of the root organisation (``educredit bootstrap``)."""
    if organisation.parent_id is not None:
        raise ValidationError(_("只能为省级机构初始化"))
    if User.objects.filter(organisation=organisation, is_active=True).exists():
        raise ValidationError(_("该机构已有用户，无法再次初始化"))
    return user_create(
        actor="system:bootstrap",
        organisation=organisation,
        username=username,
        full_name=full_name,
        password=password,
        roles=[UserRole.ADMIN],
    )


@transaction.atomic
def user_set_roles(*, actor: Actor, user: User, roles: Iterable[str], reason: str = "") -> User:
    """Replace the user's roles (actor: an admin covering the user's organisation)."""
    if user.organisation is None:
        raise PermissionDenied(_("无权操作"))
    _require_admin_covering(actor, user.organisation)
    wanted = _clean_roles(roles)
    if isinstance(actor, User) and actor.pk == user.pk and UserRole.ADMIN not in wanted:
        raise ValidationError(_("不能撤销本人的管理员角色"))
    _grant_roles(actor=actor, user=user, roles=wanted, reason=reason or "user.set_roles")
    return user


@transaction.atomic
def user_deactivate(*, actor: Actor, user: User, reason: str = "") -> User:
    """Stop a user from signing in (the account stays for history)."""
    if user.organisation is None:
        raise PermissionDenied(_("无权操作"))
    _require_admin_covering(actor, user.organisation)
    if isinstance(actor, User) and actor.pk == user.pk:
        raise ValidationError(_("不能停用本人账号"))
    before = user.audit_snapshot()
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_append(actor=actor, action="user.deactivate", target=user, before=before, reason=reason)
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> User:
    """Set a new password (the user themself, or an admin covering their organisation)."""
    if not (isinstance(actor, User) and actor.pk == user.pk):
        if user.organisation is None:
            raise PermissionDenied(_("无权操作"))
        _require_admin_covering(actor, user.organisation)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    before = user.audit_snapshot()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_append(actor=actor, action="user.set_password", target=user, before=before)
    return user


# --- second factor (TOTP) -----------------------------------------------------------------


def user_requires_totp(user: User) -> bool:
    """Whether this user must pass a TOTP check to sign in (every staff role, ADR 0031)."""
    return bool(settings.EDUCREDIT_REQUIRE_TOTP) and bool(user.roles() & TOTP_ROLES)


@transaction.atomic
def user_totp_begin(*, user: User) -> str:
    """Give an unenrolled user a TOTP secret to scan (kept across page reloads)."""
    if user.totp_confirmed:
        raise ValidationError(_("已绑定动态验证码"))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def _totp_accept(user: User, code: str) -> bool:
    """Check a code (±1 step for clock drift); each time step is accepted only once."""
    code = code.strip().replace(" ", "")
    if not user.totp_secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now.timestamp() + drift * totp.interval
        step = int(at // totp.interval)
        if step > user.totp_last_step and secrets.compare_digest(totp.at(at), code):
            user.totp_last_step = step
            user.save(update_fields=["totp_last_step"])
            return True
    return False


@transaction.atomic
def user_totp_confirm(*, user: User, code: str) -> bool:
    """Finish enrolment with a first valid code; audited. False if the code is wrong."""
    if user.totp_confirmed or not _totp_accept(user, code):
        return False
    before = user.audit_snapshot()
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    audit_append(actor=user, action="user.totp_enrol", target=user, before=before)
    return True


@transaction.atomic
def user_totp_verify(*, user: User, code: str) -> bool:
    """Check a sign-in code of an enrolled user."""
    return user.totp_confirmed and _totp_accept(user, code)


@transaction.atomic
def user_totp_reset(*, actor: Actor, user: User, reason: str = "") -> User:
    """Clear a user's second factor (lost phone): they enrol again at next sign-in."""
    if user.organisation is None:
        raise PermissionDenied(_("无权操作"))
    _require_admin_covering(actor, user.organisation)
    before = user.audit_snapshot()
    user.totp_secret = ""
    user.totp_confirmed = False
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    audit_append(actor=actor, action="user.totp_reset", target=user, before=before, reason=reason)
    return user


@transaction.atomic
def user_totp_preenrol_demo(*, actor: Actor, user: User) -> str:
    """Enrol a demo user with a fresh secret and return it (refused for real users)."""
    if not user.is_demo:
        raise PermissionDenied(_("只能为演示账号预置"))
    if user.organisation is None:
        raise PermissionDenied(_("无权操作"))
    _require_admin_covering(actor, user.organisation)
    before = user.audit_snapshot()
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = True
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    audit_append(actor=actor, action="user.totp_enrol_demo", target=user, before=before)
    return user.totp_secret


def user_record_sign_in(*, user: User, request_id: str = "") -> None:
    """Audit a completed sign-in (password and, where required, second factor)."""
    audit_append(
        actor=user,
        action="user.sign_in",
        target=user,
        before=user.audit_snapshot(),
        request_id=request_id,
    )


# --- API clients --------------------------------------------------------------------------


def api_key_hash(key: str) -> str:
    """SHA-256 of a key: keys are 256-bit random strings, so a plain digest cannot be reversed."""
    return hashlib.sha256(key.encode()).hexdigest()


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted({scope.strip() for scope in scopes if scope.strip()})
    bad = [scope for scope in cleaned if not SCOPE_PATTERN.match(scope)]
    if bad:
        raise ValidationError(
            {"scopes": _("权限范围格式应为 app:action：%(bad)s") % {"bad": ", ".join(bad)}}
        )
    return cleaned


@transaction.atomic
def api_client_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    rate_limit_per_minute: int = 60,
) -> tuple[ApiClient, str]:
    """Register a business system; returns the client and its key, shown this once only."""
    _require_admin_covering(actor, organisation)
    if not name.strip():
        raise ValidationError({"name": _("请填写名称")})
    if rate_limit_per_minute < 1:
        raise ValidationError({"rate_limit_per_minute": _("每分钟上限至少为 1")})
    prefix = secrets.token_hex(4)
    while ApiClient.objects.filter(key_prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient.objects.create(
        name=name.strip(),
        organisation=organisation,
        key_prefix=prefix,
        key_hash=api_key_hash(key),
        scopes=_clean_scopes(scopes),
        rate_limit_per_minute=rate_limit_per_minute,
    )
    audit_append(actor=actor, action="api_client.create", target=client, before=None)
    return client, key


@transaction.atomic
def api_client_revoke(*, actor: Actor, client: ApiClient, reason: str = "") -> ApiClient:
    """Switch a client's key off for good."""
    _require_admin_covering(actor, client.organisation)
    before = client.audit_snapshot()
    client.is_active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
    audit_append(
        actor=actor, action="api_client.revoke", target=client, before=before, reason=reason
    )
    return client
