"""Anomaly alerts on the query log (查询预警, Henan §24): reads that look like misuse, raised
for the provincial office to look at and close with a note.

Three rules, each over the query log (screening checks are province-wide by design and are
not subject to the jurisdiction rule):

- volume: one user or API client reading more than ``EDUCREDIT_QUERY_ALERT_VOLUME`` distinct
  subjects within one clock hour (Beijing time);
- jurisdiction: a staff user reading a subject outside their organisation's subtree;
- off hours: reads outside 08:00–18:00 Beijing time or on a non-working day.

A scan is idempotent: one alert per reader, rule and window (the hour for volume, the Beijing
calendar day otherwise), however often the same period is scanned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import ApiClient, User
from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.core.workdays import is_working_day
from educredit.rights.choices import QueryAlertRule, QueryAlertStatus
from educredit.rights.models import QueryAlert
from educredit.subjects.choices import QueryMode
from educredit.subjects.models import Institution, Person, SubjectQueryLog

WORK_START = dt.time(8, 0)
WORK_END = dt.time(18, 0)


def volume_threshold() -> int:
    """Distinct subjects one reader may read in an hour before an alert."""
    return int(settings.EDUCREDIT_QUERY_ALERT_VOLUME)


@dataclass
class _Window:
    """Reads of one reader under one rule within one window."""

    user_id: int | None
    client_id: int | None
    organisation_id: int | None
    first_at: dt.datetime
    last_at: dt.datetime
    count: int = 0
    subjects: set[tuple[str, int]] = field(default_factory=set)


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(clock.BEIJING).replace(minute=0, second=0, microsecond=0)


def _day(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(clock.BEIJING)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _off_hours(moment: dt.datetime) -> bool:
    local = moment.astimezone(clock.BEIJING)
    return not (WORK_START <= local.time() < WORK_END) or not is_working_day(local.date())


def _add(windows: dict[Any, _Window], key: Any, row: dict[str, Any]) -> None:
    window = windows.get(key)
    if window is None:
        window = windows[key] = _Window(
            user_id=row["user_id"],
            client_id=row["api_client_id"],
            organisation_id=row["organisation_id"],
            first_at=row["at"],
            last_at=row["at"],
        )
    window.first_at = min(window.first_at, row["at"])
    window.last_at = max(window.last_at, row["at"])
    window.count += 1
    if row["person_id"]:
        window.subjects.add(("p", row["person_id"]))
    if row["institution_id"]:
        window.subjects.add(("i", row["institution_id"]))


def _outside(user_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows about subjects outside the user's jurisdiction (one query per kind)."""
    user = User.objects.select_related("organisation").get(pk=user_id)
    if (
        user.organisation is None
        or user.organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT
    ):
        return []
    persons = {row["person_id"] for row in rows if row["person_id"]}
    institutions = {row["institution_id"] for row in rows if row["institution_id"]}
    seen_persons = set(
        Person.objects.visible_to(user).filter(pk__in=persons).values_list("pk", flat=True)
    )
    seen_institutions = set(
        Institution.objects.visible_to(user)
        .filter(pk__in=institutions)
        .values_list("pk", flat=True)
    )
    return [
        row
        for row in rows
        if (row["person_id"] and row["person_id"] not in seen_persons)
        or (row["institution_id"] and row["institution_id"] not in seen_institutions)
    ]


def _raise(rule: str, windows: dict[Any, _Window], start_of: Any, detail: Any) -> int:
    made = 0
    for window in windows.values():
        start = start_of(window.first_at)
        end = start + (dt.timedelta(hours=1) if start_of is _hour else dt.timedelta(days=1))
        # ``=None`` filters IS NULL: an API client's alerts have no user and the reverse.
        reader: dict[str, Any] = {"user_id": window.user_id, "api_client_id": window.client_id}
        if QueryAlert.objects.filter(
            rule=rule,
            **reader,
            first_at__gte=start,
            first_at__lt=end,
        ).exists():
            continue
        alert = QueryAlert.objects.create(
            rule=rule,
            user_id=window.user_id,
            api_client_id=window.client_id,
            organisation_id=window.organisation_id,
            detail=detail(window),
            query_count=window.count,
            first_at=window.first_at,
            last_at=window.last_at,
            created_at=clock.now(),
        )
        audit_append(
            actor="system:query_alerts",
            action="rights.query_alert_raise",
            target=alert,
            before=None,
        )
        made += 1
    return made


@transaction.atomic
def query_alerts_scan(*, since: dt.datetime, until: dt.datetime) -> int:
    """Raise the alerts the query log of [since, until) calls for; returns how many are new."""
    found = (
        SubjectQueryLog.objects.filter(at__gte=since, at__lt=until)
        .exclude(mode=QueryMode.SELF)
        .exclude(user__isnull=True, api_client__isnull=True)
        .values(
            "user_id",
            "api_client_id",
            "organisation_id",
            "at",
            "person_id",
            "institution_id",
            "mode",
        )
        .order_by("at", "pk")
    )
    rows: list[dict[str, Any]] = [dict(row) for row in found]
    volume: dict[Any, _Window] = {}
    off_hours: dict[Any, _Window] = {}
    by_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        reader = (row["user_id"], row["api_client_id"])
        _add(volume, (*reader, _hour(row["at"])), row)
        if _off_hours(row["at"]):
            _add(off_hours, (*reader, _day(row["at"])), row)
        if row["user_id"] and row["mode"] == QueryMode.GOVERNMENT:
            by_user[row["user_id"]].append(row)
    outside: dict[Any, _Window] = {}
    for user_id, user_rows in by_user.items():
        for far in _outside(user_id, user_rows):
            _add(outside, (user_id, None, _day(far["at"])), far)

    limit = volume_threshold()
    heavy = {key: window for key, window in volume.items() if len(window.subjects) > limit}
    made = _raise(
        QueryAlertRule.VOLUME,
        heavy,
        _hour,
        lambda w: (
            _("一小时内查询 %(n)d 个主体（阈值 %(limit)d）")
            % {"n": len(w.subjects), "limit": limit}
        ),
    )
    made += _raise(
        QueryAlertRule.JURISDICTION,
        outside,
        _day,
        lambda w: _("查询管辖范围以外的 %(n)d 个主体") % {"n": len(w.subjects)},
    )
    made += _raise(
        QueryAlertRule.OFF_HOURS,
        off_hours,
        _day,
        lambda w: _("非工作时间查询 %(n)d 次") % {"n": w.count},
    )
    return made


def is_alert_officer(user: Any) -> bool:
    """Provincial admins and inspectors handle the alerts."""
    organisation = getattr(user, "organisation", None)
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT
        and user.has_role(UserRole.ADMIN, UserRole.INSPECTOR)
    )


def query_alerts_for(user: Any) -> QuerySet[QueryAlert]:
    """The alerts a user may see: all of them for the provincial office, none otherwise."""
    if not is_alert_officer(user):
        return QueryAlert.objects.none()
    return QueryAlert.objects.select_related("user", "api_client", "organisation", "closed_by")


def open_query_alerts(user: Any) -> QuerySet[QueryAlert]:
    """Open alerts (for the lead's to-do list)."""
    return query_alerts_for(user).filter(status=QueryAlertStatus.OPEN)


@transaction.atomic
def query_alert_close(*, actor: User, alert: QueryAlert, note: str) -> QueryAlert:
    """Close an alert with a note of what was found (a provincial admin or inspector)."""
    if not is_alert_officer(actor):
        raise PermissionDenied(_("无权操作"))
    if not note.strip():
        raise ValidationError({"note": _("请填写处理情况")})
    locked = QueryAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.status == QueryAlertStatus.CLOSED:
        return locked
    before = locked.audit_snapshot()
    locked.status = QueryAlertStatus.CLOSED
    locked.closed_by = actor
    locked.closed_at = clock.now()
    locked.closing_note = note.strip()
    locked.save()
    audit_append(actor=actor, action="rights.query_alert_close", target=locked, before=before)
    return locked


def reader_label(alert: QueryAlert) -> str:
    """Who read: the user or the API client."""
    reader: User | ApiClient | None = alert.user or alert.api_client
    return str(reader) if reader is not None else ""
