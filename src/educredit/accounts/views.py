"""Pages of the accounts app: sign-in (password, then TOTP where required), the organisation
tree, organisations, users and roles, API clients.

Every view declares its access rule; every object is fetched through an ``access_*_for_user``
selector (404 outside the jurisdiction) and every write goes through a service.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import pyotp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from educredit.accounts import services
from educredit.accounts.choices import Power, UserRole
from educredit.accounts.forms import (
    ApiClientCreateForm,
    LoginForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    ReasonForm,
    TotpForm,
    UserCreateForm,
    UserRolesForm,
    apply_service_error,
)
from educredit.accounts.models import LoginAttemptOutcome, RoleGrant, User
from educredit.accounts.permissions import access_public, access_staff
from educredit.accounts.selectors import (
    OrganisationNode,
    access_api_client_for_user,
    access_organisation_for_user,
    access_user_for_user,
    api_clients_visible_to,
    organisation_ancestors,
    organisation_tree_for,
    users_visible_to,
)
from educredit.accounts.signin import client_ip, login_attempt_record, login_lock_seconds
from educredit.core.exports import Column, export_list, export_wanted, list_export

# How long a password-checked sign-in may wait for its second factor.
PENDING_SECONDS = 300
PENDING_KEY = "educredit_pending_sign_in"


def _locked_message(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return _("登录失败次数过多，账号已暂时锁定，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}


def _locked_answer(response: HttpResponse, seconds: int) -> HttpResponse:
    """The sign-in page, as 429 with ``Retry-After`` when it says sign-in is locked."""
    if seconds:
        response.status_code = 429
        response["Retry-After"] = str(seconds)
    return response


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


# Where credit subjects (accounts without an organisation) land after signing in.
SELF_SERVICE_PREFIX = "/self/"


def _finish_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    login_attempt_record(
        username=user.username, ip_address=client_ip(request), outcome=LoginAttemptOutcome.SUCCEEDED
    )
    services.user_record_sign_in(user=user)
    if user.organisation_id is None and not next_url.startswith(SELF_SERVICE_PREFIX):
        # A credit subject: the workspace is not theirs, self-service is.
        return HttpResponseRedirect(SELF_SERVICE_PREFIX)
    return HttpResponseRedirect(next_url)


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    """The user who passed the password step and still owes a second factor, if any."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return None
    return user, pending["next"]


@access_public
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password, throttled."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request.POST or None)
    locked_for = 0
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        ip = client_ip(request)
        locked_for = login_lock_seconds(username=username, ip_address=ip)
        if locked_for:
            login_attempt_record(
                username=username, ip_address=ip, outcome=LoginAttemptOutcome.LOCKED
            )
            form.add_error(None, _locked_message(locked_for))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if not isinstance(user, User):
                login_attempt_record(
                    username=username, ip_address=ip, outcome=LoginAttemptOutcome.FAILED
                )
                locked_for = login_lock_seconds(username=username, ip_address=ip)
                form.add_error(
                    None, _locked_message(locked_for) if locked_for else _("用户名或密码错误")
                )
            elif services.user_requires_totp(user):
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": user.pk,
                    "at": time.time(),
                    "next": next_url,
                }
                if user.totp_confirmed:
                    return redirect("accounts:login_totp")
                return redirect("accounts:login_totp_enrol")
            else:
                return _finish_sign_in(request, user, next_url)
    return _locked_answer(
        render(request, "accounts/login.html", {"form": form, "next": next_url}), locked_for
    )


def _totp_code_accepted(
    request: HttpRequest, form: TotpForm, user: User, check: Callable[..., bool]
) -> tuple[bool, int]:
    """Whether the posted code passes ``check``, and the seconds sign-in stays locked (0 when
    it is not); a refusal is counted toward the lock-out."""
    if request.method != "POST" or not form.is_valid():
        return False, 0
    ip = client_ip(request)
    locked_for = login_lock_seconds(username=user.username, ip_address=ip)
    if locked_for:
        form.add_error(None, _locked_message(locked_for))
        return False, locked_for
    if check(user=user, code=form.cleaned_data["code"]):
        return True, 0
    login_attempt_record(
        username=user.username, ip_address=ip, outcome=LoginAttemptOutcome.TOTP_FAILED
    )
    form.add_error("code", _("动态验证码错误或已使用"))
    return False, 0


@access_public
def login_totp_view(request: HttpRequest) -> HttpResponse:
    """Step two for enrolled admins and reviewers: the current code."""
    pending = _pending_user(request)
    if pending is None:
        return redirect("accounts:login")
    user, next_url = pending
    if not user.totp_confirmed:
        return redirect("accounts:login_totp_enrol")
    form = TotpForm(request.POST or None)
    accepted, locked_for = _totp_code_accepted(request, form, user, services.user_totp_verify)
    if accepted:
        return _finish_sign_in(request, user, next_url)
    return _locked_answer(
        render(request, "accounts/login_totp.html", {"form": form, "user_name": user}),
        locked_for,
    )


@access_public
def login_totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """First sign-in of an admin or reviewer: scan the QR code, confirm with a code."""
    pending = _pending_user(request)
    if pending is None:
        return redirect("accounts:login")
    user, next_url = pending
    if user.totp_confirmed:
        return redirect("accounts:login_totp")
    secret = services.user_totp_begin(user=user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="EduCredit")
    form = TotpForm(request.POST or None)
    accepted, locked_for = _totp_code_accepted(request, form, user, services.user_totp_confirm)
    if accepted:
        return _finish_sign_in(request, user, next_url)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    # Grouped in fours so it can be typed into an app by hand.
    secret_grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return _locked_answer(
        render(
            request,
            "accounts/login_totp_enrol.html",
            {"form": form, "qr_svg": qr_svg, "secret": secret_grouped, "user_name": user},
        ),
        locked_for,
    )


@access_public
def logout_view(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)


# --- organisations --------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    """The signed-in staff user (the view's access rule has already admitted them)."""
    user = request.user
    if not isinstance(user, User) or user.organisation is None:
        raise PermissionDenied
    return user


def _is_admin(request: HttpRequest) -> bool:
    return _staff(request).has_role(UserRole.ADMIN)


def _flatten(
    nodes: list[OrganisationNode], parent: str = ""
) -> Iterator[tuple[OrganisationNode, str]]:
    """The tree's nodes depth first, as the page lists them, each with its parent's name."""
    for node in nodes:
        yield node, parent
        yield from _flatten(node.children, node.organisation.name)


def _status_word(active: bool) -> str:
    return _("正常") if active else _("已停用")


# The list pages' columns, as exported (ADR 0036).
ORGANISATION_COLUMNS = (
    Column(gettext_lazy("名称"), lambda row: row[0].organisation.name),
    Column(gettext_lazy("类型"), lambda row: row[0].organisation.get_kind_display()),
    Column(gettext_lazy("上级单位"), lambda row: row[1]),
    Column(gettext_lazy("行政区划代码"), lambda row: row[0].organisation.region_code),
    Column(gettext_lazy("统一社会信用代码"), lambda row: row[0].organisation.uscc),
    Column(gettext_lazy("用户数"), lambda row: row[0].user_count),
    Column(gettext_lazy("状态"), lambda row: _status_word(row[0].organisation.is_active)),
)
USER_COLUMNS = (
    Column(gettext_lazy("姓名"), lambda u: u.full_name),
    Column(gettext_lazy("用户名"), lambda u: u.username),
    Column(gettext_lazy("所属机构"), lambda u: u.organisation.name if u.organisation else ""),
    Column(
        gettext_lazy("角色"),
        lambda u: "、".join(str(g.get_role_display()) for g in u.role_grants.all()),
    ),
    Column(gettext_lazy("状态"), lambda u: _status_word(u.is_active)),
)
APICLIENT_COLUMNS = (
    Column(gettext_lazy("名称"), lambda c: c.name),
    Column(gettext_lazy("所属机构"), lambda c: c.organisation.name),
    Column(gettext_lazy("密钥前缀"), lambda c: c.key_prefix),
    Column(gettext_lazy("权限范围"), lambda c: " ".join(c.scopes)),
    Column(gettext_lazy("每分钟上限"), lambda c: c.rate_limit_per_minute),
    Column(gettext_lazy("状态"), lambda c: _status_word(c.is_active)),
)


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR)
@list_export
def organisation_list(request: HttpRequest) -> HttpResponse:
    """The organisation tree of the user's jurisdiction, collapsible, with user counts
    (``?export=xlsx``: every organisation of the tree, in its order)."""
    if export_wanted(request):
        rows = list(_flatten(organisation_tree_for(request.user)))
        return export_list(
            request, rows, ORGANISATION_COLUMNS, stem="organisations", sheet=_("组织机构")
        )
    return render(
        request,
        "accounts/organisation_list.html",
        {"tree": organisation_tree_for(request.user), "is_admin": _is_admin(request)},
    )


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR)
def organisation_detail(request: HttpRequest, org_id: str) -> HttpResponse:
    """One organisation: its place in the tree, subordinate organisations, users."""
    staff = _staff(request)
    organisation = access_organisation_for_user(staff, org_id)
    active_grants = RoleGrant.objects.filter(revoked_at__isnull=True)
    users = organisation.users.order_by("-is_active", "username").prefetch_related(
        Prefetch("role_grants", queryset=active_grants)
    )
    ancestors = [
        org
        for org in organisation_ancestors(organisation)
        if staff.organisation is not None and staff.organisation.covers(org)
    ]
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": organisation,
            "ancestors": ancestors,
            "children": organisation.children.order_by("kind", "name"),
            "users": users,
            "api_clients": organisation.api_clients.order_by("-is_active", "name"),
            "is_admin": _is_admin(request),
            "is_own": organisation.pk == staff.organisation_id,
            "reason_form": ReasonForm(),
        },
    )


@access_staff(UserRole.ADMIN, powers=[Power.SUPERVISION])
def organisation_add(request: HttpRequest, org_id: str) -> HttpResponse:
    """Add an organisation under this one (kinds limited to those that fit)."""
    parent = access_organisation_for_user(request.user, org_id)
    form = OrganisationCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organisation_create(
                actor=_staff(request), parent=parent, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已添加机构：%(name)s") % {"name": child.name})
            return redirect("accounts:organisation_detail", org_id=child.public_id)
    return render(request, "accounts/organisation_form.html", {"form": form, "parent": parent})


@access_staff(UserRole.ADMIN)
def organisation_edit(request: HttpRequest, org_id: str) -> HttpResponse:
    """Change an organisation's name and codes."""
    organisation = access_organisation_for_user(request.user, org_id)
    initial = {
        "name": organisation.name,
        "region_code": organisation.region_code,
        "uscc": organisation.uscc,
    }
    form = OrganisationEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=_staff(request),
                organisation=organisation,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已保存"))
            return redirect("accounts:organisation_detail", org_id=organisation.public_id)
    return render(
        request, "accounts/organisation_form.html", {"form": form, "organisation": organisation}
    )


@require_POST
@access_staff(UserRole.ADMIN)
def organisation_deactivate(request: HttpRequest, org_id: str) -> HttpResponse:
    """Switch an organisation off (only when it has no active users or subordinates)."""
    organisation = access_organisation_for_user(request.user, org_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.organisation_deactivate(
            actor=_staff(request),
            organisation=organisation,
            reason=reason,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已停用机构：%(name)s") % {"name": organisation.name})
    return redirect("accounts:organisation_detail", org_id=organisation.public_id)


# --- users --------------------------------------------------------------------------------


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR)
@list_export
def user_list(request: HttpRequest) -> HttpResponse:
    """Users of the jurisdiction, searchable by name or username, paginated."""
    active_grants = RoleGrant.objects.filter(revoked_at__isnull=True)
    users = (
        users_visible_to(request.user)
        .select_related("organisation")
        .prefetch_related(Prefetch("role_grants", queryset=active_grants))
        .order_by("organisation__path", "username")
    )
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    if export_wanted(request):
        return export_list(request, users, USER_COLUMNS, stem="users", sheet=_("用户与角色"))
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


@access_staff(UserRole.ADMIN)
def user_add(request: HttpRequest, org_id: str) -> HttpResponse:
    """Add a user with roles to this organisation."""
    organisation = access_organisation_for_user(request.user, org_id)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=_staff(request),
                organisation=organisation,
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                password=data["password"],
                roles=data["roles"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已添加用户：%(name)s") % {"name": user})
            return redirect("accounts:user_detail", user_id=user.public_id)
    return render(request, "accounts/user_form.html", {"form": form, "organisation": organisation})


@access_staff(UserRole.ADMIN, UserRole.INSPECTOR)
def user_detail(request: HttpRequest, user_id: str) -> HttpResponse:
    """One user: organisation, roles, state; admins change roles or deactivate here."""
    subject = access_user_for_user(request.user, user_id)
    roles = sorted(subject.roles())
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "roles": [UserRole(role).label for role in roles],
            "is_admin": _is_admin(request),
            "is_self": subject.pk == request.user.pk,
            "roles_form": UserRolesForm(initial={"roles": roles}),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@access_staff(UserRole.ADMIN)
def user_roles(request: HttpRequest, user_id: str) -> HttpResponse:
    """Replace a user's roles."""
    subject = access_user_for_user(request.user, user_id)
    form = UserRolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("至少选择一个角色"))
    else:
        try:
            services.user_set_roles(
                actor=_staff(request),
                user=subject,
                roles=form.cleaned_data["roles"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("角色已更新"))
    return redirect("accounts:user_detail", user_id=subject.public_id)


@require_POST
@access_staff(UserRole.ADMIN)
def user_deactivate(request: HttpRequest, user_id: str) -> HttpResponse:
    """Stop a user from signing in."""
    subject = access_user_for_user(request.user, user_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.user_deactivate(actor=_staff(request), user=subject, reason=reason)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("账号已停用"))
    return redirect("accounts:user_detail", user_id=subject.public_id)


@require_POST
@access_staff(UserRole.ADMIN)
def user_totp_reset(request: HttpRequest, user_id: str) -> HttpResponse:
    """Clear a user's second factor (lost phone); they enrol again at next sign-in."""
    subject = access_user_for_user(request.user, user_id)
    try:
        services.user_totp_reset(actor=_staff(request), user=subject)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("动态验证码已重置，下次登录时重新绑定"))
    return redirect("accounts:user_detail", user_id=subject.public_id)


# --- API clients --------------------------------------------------------------------------


@access_staff(UserRole.ADMIN, powers=[Power.SUPERVISION])
@list_export
def apiclient_list(request: HttpRequest) -> HttpResponse:
    """Business systems registered within the jurisdiction."""
    clients = (
        api_clients_visible_to(request.user)
        .select_related("organisation")
        .order_by("-is_active", "organisation__path", "name")
    )
    if export_wanted(request):
        return export_list(
            request, clients, APICLIENT_COLUMNS, stem="api-clients", sheet=_("接口客户端")
        )
    return render(request, "accounts/apiclient_list.html", {"clients": clients})


@access_staff(UserRole.ADMIN, powers=[Power.SUPERVISION])
def apiclient_add(request: HttpRequest, org_id: str) -> HttpResponse:
    """Register a business system for this organisation; the key is shown once."""
    organisation = access_organisation_for_user(request.user, org_id)
    form = ApiClientCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, key = services.api_client_create(
                actor=_staff(request),
                organisation=organisation,
                name=data["name"],
                scopes=data["scopes"].split(","),
                rate_limit_per_minute=data["rate_limit_per_minute"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            response = render(
                request, "accounts/apiclient_key.html", {"client": client, "key": key}
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return render(
        request, "accounts/apiclient_form.html", {"form": form, "organisation": organisation}
    )


@require_POST
@access_staff(UserRole.ADMIN, powers=[Power.SUPERVISION])
def apiclient_revoke(request: HttpRequest, client_id: str) -> HttpResponse:
    """Switch a business system's key off."""
    client = access_api_client_for_user(request.user, client_id)
    try:
        services.api_client_revoke(actor=_staff(request), client=client)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("接口密钥已停用：%(name)s") % {"name": client.name})
    return redirect("accounts:apiclient_list")
