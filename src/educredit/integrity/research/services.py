"""Writing research activities: entry and change by the institution's own staff, audited.

Rules (each refusal names the field and the rule, nothing is written):

- the institution's own clerk or administrator writes; the bureau above reads only;
- the responsible person works or worked at the institution (an affiliation);
- the project ends on or after its start, and its data is kept (保存期限) at least until the
  end; the project number is unique within the institution;
- the integrity commitment, when given, is a signed 科研诚信承诺 (a matter of the
  ``research_project`` scenario) of the responsible person, made on or before the start
  (domain rules §6.4: signed before the research activity);
- the status moves only along ``TRANSITIONS`` (one table).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.integrity.research.choices import ResearchActivityStatus
from educredit.integrity.research.models import ResearchActivity
from educredit.subjects.models import Affiliation, Institution, Person

S = ResearchActivityStatus
WRITER_ROLES = (UserRole.CLERK, UserRole.ADMIN)
RESEARCH_SCENARIO = "research_project"

# The one table of status moves: from -> the statuses it may become (staying is always allowed).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.ONGOING, S.TERMINATED}),
    S.ONGOING: frozenset({S.COMPLETED, S.TERMINATED}),
    S.COMPLETED: frozenset(),
    S.TERMINATED: frozenset(),
}


class ResearchActivityError(ValidationError):
    """An activity refused for its content; ``message_dict`` names the fields at fault."""


def may_write(actor: Any, institution: Institution) -> bool:
    """Whether ``actor`` may enter activities for ``institution``: its own clerk or admin."""
    return (
        isinstance(actor, User)
        and actor.is_active
        and actor.organisation_id is not None
        and actor.organisation_id == institution.organisation_id
        and actor.has_role(*WRITER_ROLES)
    )


def _require_writer(actor: Any, institution: Institution) -> None:
    if not may_write(actor, institution):
        raise PermissionDenied(_("科研活动记录由项目承担单位的录入员或管理员录入"))


def _check(
    *,
    institution: Institution,
    responsible_person: Person,
    project_name: str,
    project_number: str,
    funder: str,
    starts_on: dt.date,
    ends_on: dt.date,
    data_location: str,
    retention_until: dt.date,
    commitment_code: str,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, value in (
        ("project_name", project_name),
        ("project_number", project_number),
        ("funder", funder),
        ("data_location", data_location),
    ):
        if not value:
            refuse(field, _("此项为必填项"))
    if not Affiliation.objects.filter(person=responsible_person, institution=institution).exists():
        refuse("responsible_person", _("项目负责人须为本单位人员"))
    if ends_on < starts_on:
        refuse("ends_on", _("结束日期不能早于开始日期"))
    if retention_until < ends_on:
        refuse(
            "retention_until", _("数据保存期限不能早于项目结束日期：原始数据须至少保存至项目结束")
        )
    if project_number:
        same = ResearchActivity.objects.filter(
            institution=institution, project_number=project_number
        )
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            refuse("project_number", _("本单位已有该编号的科研活动记录"))
    if commitment_code:
        problem = _commitment_problem(commitment_code, responsible_person, starts_on)
        if problem:
            refuse("commitment_code", problem)
    if errors:
        raise ResearchActivityError(errors)


def _commitment_problem(code: str, person: Person, starts_on: dt.date) -> str:
    """Why the code names no usable 科研诚信承诺 of ``person`` ("" when it does)."""
    from educredit.commitments.choices import CommitmentDecision
    from educredit.commitments.selectors import commitment_by_code

    commitment = commitment_by_code(code)
    if (
        commitment is None
        or commitment.decision != CommitmentDecision.SIGNED
        or commitment.matter.scenario != RESEARCH_SCENARIO
    ):
        return _("没有该编码的已签署科研诚信承诺")
    if commitment.person_id != person.pk:
        return _("该科研诚信承诺不是项目负责人本人签署的")
    if commitment.signed_on > starts_on:
        return _("科研诚信承诺须在项目开始前签署")
    return ""


def _clean(value: str) -> str:
    return " ".join((value or "").split())


@transaction.atomic
def research_activity_create(
    *,
    actor: User,
    institution: Institution,
    responsible_person: Person,
    project_name: str,
    project_number: str,
    funder: str,
    starts_on: dt.date,
    ends_on: dt.date,
    data_location: str,
    retention_until: dt.date,
    commitment_code: str = "",
    status: str = S.PLANNED,
) -> ResearchActivity:
    """Enter a research activity of the actor's own institution (科研活动记录), audited."""
    _require_writer(actor, institution)
    fields: dict[str, Any] = {
        "project_name": _clean(project_name),
        "project_number": _clean(project_number),
        "funder": _clean(funder),
        "data_location": _clean(data_location),
        "commitment_code": _clean(commitment_code),
    }
    if status not in S.values:
        raise ResearchActivityError({"status": [_("状态无效")]})
    _check(
        institution=institution,
        responsible_person=responsible_person,
        starts_on=starts_on,
        ends_on=ends_on,
        retention_until=retention_until,
        **fields,
    )
    activity = ResearchActivity.objects.create(
        institution=institution,
        responsible_person=responsible_person,
        starts_on=starts_on,
        ends_on=ends_on,
        retention_until=retention_until,
        status=status,
        **fields,
    )
    audit_append(actor=actor, action="research_activity.create", target=activity, before=None)
    return activity


@transaction.atomic
def research_activity_update(
    *,
    actor: User,
    activity: ResearchActivity,
    responsible_person: Person,
    project_name: str,
    project_number: str,
    funder: str,
    starts_on: dt.date,
    ends_on: dt.date,
    data_location: str,
    retention_until: dt.date,
    commitment_code: str,
    status: str,
    reason: str = "",
) -> ResearchActivity:
    """Change an activity (its data, its retention, its status along ``TRANSITIONS``)."""
    activity = ResearchActivity.objects.select_for_update().get(pk=activity.pk)
    _require_writer(actor, activity.institution)
    if status != activity.status and status not in TRANSITIONS.get(activity.status, frozenset()):
        raise ResearchActivityError(
            {
                "status": [
                    _("状态不能从“%(old)s”改为“%(new)s”")
                    % {
                        "old": S(activity.status).label,
                        "new": S(status).label if status in S.values else status,
                    }
                ]
            }
        )
    fields: dict[str, Any] = {
        "project_name": _clean(project_name),
        "project_number": _clean(project_number),
        "funder": _clean(funder),
        "data_location": _clean(data_location),
        "commitment_code": _clean(commitment_code),
    }
    _check(
        institution=activity.institution,
        responsible_person=responsible_person,
        starts_on=starts_on,
        ends_on=ends_on,
        retention_until=retention_until,
        exclude_pk=activity.pk,
        **fields,
    )
    before = activity.audit_snapshot()
    activity.responsible_person = responsible_person
    activity.starts_on = starts_on
    activity.ends_on = ends_on
    activity.retention_until = retention_until
    activity.status = status
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    audit_append(
        actor=actor,
        action="research_activity.update",
        target=activity,
        before=before,
        reason=_clean(reason),
    )
    return activity
