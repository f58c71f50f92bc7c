"""Writes to core reference data: the holiday calendar, each one audited in its transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.core.models import Holiday

Actor = User | str


def _require_calendar_admin(actor: Actor) -> None:
    """The calendar is province-wide: only the provincial department's admins (or a command)."""
    if isinstance(actor, str) and actor.startswith("system:"):
        return
    if not isinstance(actor, User) or not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not (
        actor.has_role(UserRole.ADMIN)
        and actor.organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT
    ):
        raise PermissionDenied(_("只有省教育厅管理员可以维护节假日安排"))


@transaction.atomic
def holiday_set(
    *,
    actor: Actor,
    date: dt.date,
    is_workday: bool,
    name: str,
    source: str = "",
    reason: str = "",
) -> Holiday:
    """Record the status of one day of a published holiday schedule (节假日安排)."""
    _require_calendar_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称（如：国庆节）")})
    holiday = Holiday.objects.select_for_update().filter(date=date).first()
    before = holiday.audit_snapshot() if holiday else None
    if holiday is None:
        holiday = Holiday(date=date)
    holiday.is_workday = is_workday
    holiday.name = name
    holiday.source = source.strip()
    holiday.full_clean()
    holiday.save()
    action = "holiday.update" if before else "holiday.create"
    audit_append(actor=actor, action=action, target=holiday, before=before, reason=reason)
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Actor, holiday: Holiday, reason: str = "") -> None:
    """Remove a day entered by mistake; the package's calendar applies to it again."""
    _require_calendar_admin(actor)
    before = holiday.audit_snapshot()
    holiday.delete()
    audit_append(actor=actor, action="holiday.delete", target=holiday, before=before, reason=reason)
