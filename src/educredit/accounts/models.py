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

    audit_exclude = ("password", "last_login", "totp_secret", "date_joined")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def roles(self) -> set[str]:
        return {grant.role for grant in self.role_grants.all()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))


class RoleGrant(AuditedModel):
    """One role held by a user within their organisation's jurisdiction."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=20, choices=UserRole.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("granted_at",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]
