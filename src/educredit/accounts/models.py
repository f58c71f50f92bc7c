"""Organisations, staff users and their roles, API clients."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.audit.models import AuditedModel


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    """Organisations, scoped by jurisdiction."""

    def visible_to(self, user: Any) -> OrganisationQuerySet:
        """The user's organisation and everything below it (nothing for anonymous users)."""
        if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
            return self.none()
        return self.filter(path__startswith=user.organisation.path)


class Organisation(AuditedModel):
    """A body in the education system: 省教育厅 → 市/县教育局 → schools (materialised path)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/<id>/<id>/…/" from the root: a jurisdiction check is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    region_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    audit_exclude = ("created_at",)

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def covers(self, other: Organisation) -> bool:
        """Whether ``other`` lies within this organisation's jurisdiction."""
        return other.path.startswith(self.path)


class User(AbstractUser, AuditedModel):
    """A staff user: belongs to one organisation and holds roles there."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField(default=False)
    # The last accepted TOTP time step: a code is accepted once, never replayed.
    totp_last_step = models.BigIntegerField(default=0)
    # Demo accounts only: `educredit totp-code` prints their current code, for nobody else.
    is_demo = models.BooleanField(_("演示账号"), default=False)

    audit_exclude = ("password", "last_login", "totp_secret", "totp_last_step", "date_joined")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def roles(self) -> set[str]:
        """Roles currently held (revoked grants are kept for history, not counted)."""
        return {grant.role for grant in self.role_grants.all() if grant.revoked_at is None}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


class RoleGrant(AuditedModel):
    """One role held by a user within their organisation's jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=20, choices=UserRole.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    # A revoked grant stays (the log can still recompute its row); granting again clears this.
    revoked_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("granted_at",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"


class LoginAttemptOutcome(models.TextChoices):
    """How one sign-in attempt ended."""

    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("密码错误")
    TOTP_FAILED = "totp_failed", _("动态验证码错误")
    LOCKED = "locked", _("已锁定")


class LoginAttempt(models.Model):
    """One sign-in attempt (password or second factor): the throttle counts these.

    Kept in the database rather than the cache because the default cache is per process:
    several web processes must share one count.
    """

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=20, choices=LoginAttemptOutcome.choices)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class ApiClient(AuditedModel):
    """A business system calling the API with a key (接口调用方); acts within its organisation.

    Only a SHA-256 of the key is stored, with a short clear prefix to find the row.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients"
    )
    key_prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("权限范围"), default=list)
    rate_limit_per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=60)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    audit_exclude = ("created_at", "last_used_at", "key_hash")

    class Meta:
        verbose_name = _("接口调用方")
        verbose_name_plural = _("接口调用方")

    def __str__(self) -> str:
        return self.name

    # An API client stands in for a user in jurisdiction checks (``visible_to(client)``).
    is_authenticated = True
    is_api_client = True

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class ApiAccessVersion(models.Model):
    """The version of what API requests are authenticated and validated against (ADR 0043).

    One row whose ``token`` changes, in the writing transaction, with every change to an API
    client (key, scopes, limit, revocation) or a business scenario. Each web process keeps
    those in memory (``accounts.access``) and reads only this token per request, so a revoked
    key is refused by the first request that starts after the revocation commits. A random
    token rather than a counter: a value never comes back, even after a database is emptied.
    """

    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.token:x}"
