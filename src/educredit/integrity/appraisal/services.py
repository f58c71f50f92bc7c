"""Writing the 师德考核: entry by the school, review by the level above, and the credit record.

The workflow is ONE table (``TRANSITIONS``): 草稿 → 待审核 (the school submits) → 已通过 or
已退回 (the school's supervising bureau, or a bureau above it, decides); a returned appraisal is
corrected and submitted again. Each step is a row of ``EthicsAppraisalStep`` (who, when, why)
and an audit entry, in the same transaction as the change.

On approval the grade enters the teacher's credit archive as JY-SD-01 (师德考核结果信息)
through ``records.services``: the platform enters and submits it on the school's behalf (the
school keeps its teachers' records; ``recorder_kinds`` of JY-SD-01 is every body), and the
reviewer who approved the appraisal — of another organisation than the school's clerk who
entered it — approves the record. An effective 不合格 triggers the measure list's veto
(``sanctions.data``), which screening answers in 年度考核, 职称评定, 评奖评优 and 人才计划.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock
from educredit.integrity.appraisal.choices import (
    GRADES_NEEDING_FACTS,
    EthicsAppraisalGrade,
    EthicsAppraisalSource,
    EthicsAppraisalStatus,
)
from educredit.integrity.appraisal.models import EthicsAppraisal, EthicsAppraisalStep
from educredit.integrity.appraisal.selectors import is_level_above, school_of, teaches_at
from educredit.records import lifecycle
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource
from educredit.records.models import CreditRecord
from educredit.subjects.models import Person

S = EthicsAppraisalStatus
ITEM_CODE = "JY-SD-01"
# Enters and submits the record on the school's behalf; a person approves it.
RECORDER = "system:ethics-appraisal"
FIRST_YEAR = 2000
REMARKS_MAX = 2000
REASON_MAX = 2000

SCHOOL = "school"  # a clerk or administrator of the school's own account
ABOVE = "above"  # a reviewer or administrator of the supervising bureau or higher


@dataclass(frozen=True)
class Step:
    """One allowed step: the status it leads to, who may take it, whether a reason is due."""

    to_status: str
    who: str
    reason_required: bool = False


TRANSITIONS: dict[tuple[str, str], Step] = {
    ("submit", S.DRAFT): Step(S.SUBMITTED, SCHOOL),
    ("submit", S.RETURNED): Step(S.SUBMITTED, SCHOOL),
    ("approve", S.SUBMITTED): Step(S.APPROVED, ABOVE),
    ("return", S.SUBMITTED): Step(S.RETURNED, ABOVE, reason_required=True),
}
# The statuses in which the school may still correct what it entered.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})


class AppraisalError(ValidationError):
    """An appraisal refused for its content; ``message_dict`` names the fields at fault."""


def _refuse(field: str, message: str) -> AppraisalError:
    return AppraisalError({field: [message]})


def _roles(actor: User) -> set[str]:
    return set(actor.roles()) if actor.is_active and actor.organisation_id else set()


def is_school_writer(actor: Any, appraisal: EthicsAppraisal) -> bool:
    """Whether ``actor`` enters and submits for the appraisal's school."""
    return (
        isinstance(actor, User)
        and bool(_roles(actor) & lifecycle.CLERKS)
        and appraisal.school.organisation_id is not None
        and actor.organisation_id == appraisal.school.organisation_id
    )


def is_reviewer_above(actor: Any, appraisal: EthicsAppraisal) -> bool:
    """Whether ``actor`` reviews the appraisal: a reviewer of the level above the school who
    did not enter it."""
    return (
        isinstance(actor, User)
        and bool(_roles(actor) & lifecycle.REVIEWERS)
        and is_level_above(actor.organisation, appraisal.school)
        and actor.pk != appraisal.entered_by_id
    )


def may(actor: Any, appraisal: EthicsAppraisal, action: str) -> bool:
    """Whether ``actor`` may take ``action`` on ``appraisal`` now (buttons ask this)."""
    if action == "update":
        return appraisal.status in EDITABLE and is_school_writer(actor, appraisal)
    step = TRANSITIONS.get((action, appraisal.status))
    if step is None:
        return False
    if step.who == SCHOOL:
        return is_school_writer(actor, appraisal)
    return is_reviewer_above(actor, appraisal)


def _clean_year(year: Any) -> int:
    try:
        value = int(str(year).strip())
    except (TypeError, ValueError):
        raise _refuse("year", _("考核年度应为四位数字的年份")) from None
    if value < FIRST_YEAR:
        raise _refuse("year", _("考核年度过早"))
    if value > clock.today().year:
        raise _refuse("year", _("不能录入未来年度的师德考核"))
    return value


def _clean_grade_remarks(grade: Any, remarks: Any) -> tuple[str, str]:
    grade = str(grade or "").strip()
    if grade not in EthicsAppraisalGrade.values:
        raise _refuse("grade", _("考核等次应为优秀、合格、基本合格或不合格"))
    text = str(remarks or "").strip()
    if grade in GRADES_NEEDING_FACTS and not text:
        raise _refuse("remarks", _("考核等次为基本合格或不合格的，须在说明中写明事实"))
    if len(text) > REMARKS_MAX:
        raise _refuse("remarks", _("说明过长（最多2000字）"))
    return grade, text


def _log(
    appraisal: EthicsAppraisal, *, action: str, from_status: str, actor: User, reason: str = ""
) -> None:
    EthicsAppraisalStep.objects.create(
        appraisal=appraisal,
        action=action,
        from_status=from_status,
        to_status=appraisal.status,
        actor=actor,
        actor_label=actor.get_username(),
        reason=reason,
        at=timezone.now(),
    )


@transaction.atomic
def ethics_appraisal_enter(
    *,
    actor: User,
    teacher: Person,
    year: Any,
    grade: str,
    remarks: str = "",
    source: str = EthicsAppraisalSource.PAGE,
) -> EthicsAppraisal:
    """A draft appraisal of ``teacher`` for ``year``, entered by a clerk of the teacher's school
    (the school of the actor's own account): refused for a teacher who did not teach there that
    year, a future year, or a second appraisal of the same teacher and year."""
    school = school_of(actor)
    if school is None or not _roles(actor) & lifecycle.CLERKS:
        raise PermissionDenied(_("师德考核由教师所在学校的录入员录入"))
    year = _clean_year(year)
    grade, remarks = _clean_grade_remarks(grade, remarks)
    if not teaches_at(teacher, school, year):
        raise _refuse("teacher", _("该教师在该考核年度未在本校任教"))
    if EthicsAppraisal.objects.filter(teacher=teacher, year=year).exists():
        raise _refuse("year", _("该教师该年度的师德考核已录入，每名教师每年只有一条"))
    appraisal = EthicsAppraisal(
        teacher=teacher,
        school=school,
        year=year,
        grade=grade,
        remarks=remarks,
        source=source if source in EthicsAppraisalSource.values else EthicsAppraisalSource.PAGE,
        entered_by=actor,
    )
    try:
        with transaction.atomic():
            appraisal.save()
    except IntegrityError:  # entered at the same moment by another clerk or import
        raise _refuse("year", _("该教师该年度的师德考核已录入，每名教师每年只有一条")) from None
    _log(appraisal, action="enter", from_status="", actor=actor)
    audit_append(actor=actor, action="integrity_appraisal.enter", target=appraisal, before=None)
    return appraisal


def _locked(appraisal: EthicsAppraisal) -> EthicsAppraisal:
    return (
        EthicsAppraisal.objects.select_for_update(of=("self",))
        .select_related("school__organisation", "school__supervisor", "teacher")
        .get(pk=appraisal.pk)
    )


@transaction.atomic
def ethics_appraisal_update(
    *, actor: User, appraisal: EthicsAppraisal, grade: str, remarks: str = ""
) -> EthicsAppraisal:
    """The school corrects the grade or the facts of a draft or returned appraisal."""
    appraisal = _locked(appraisal)
    if not may(actor, appraisal, "update"):
        if is_school_writer(actor, appraisal):
            raise _refuse(
                "grade",
                _("当前状态（%(status)s）不能修改") % {"status": appraisal.get_status_display()},
            )
        raise PermissionDenied(_("您不能修改该师德考核"))
    grade, remarks = _clean_grade_remarks(grade, remarks)
    before = appraisal.audit_snapshot()
    appraisal.grade, appraisal.remarks = grade, remarks
    appraisal.save(update_fields=["grade", "remarks", "updated_at"])
    _log(appraisal, action="update", from_status=appraisal.status, actor=actor)
    audit_append(actor=actor, action="integrity_appraisal.update", target=appraisal, before=before)
    return appraisal


def _step(appraisal: EthicsAppraisal, action: str, actor: User, reason: str) -> Step:
    step = TRANSITIONS.get((action, appraisal.status))
    if step is None:
        raise _refuse(
            "status",
            _("当前状态（%(status)s）不允许此操作") % {"status": appraisal.get_status_display()},
        )
    if step.who == SCHOOL and not is_school_writer(actor, appraisal):
        raise PermissionDenied(_("只有本校录入员可以提交本校的师德考核"))
    if step.who == ABOVE and not is_reviewer_above(actor, appraisal):
        raise PermissionDenied(_("师德考核由学校的上级教育行政部门审核，学校不能审核本校的考核"))
    if step.reason_required and not reason:
        raise _refuse("reason", _("请填写退回理由"))
    if len(reason) > REASON_MAX:
        raise _refuse("reason", _("理由过长（最多2000字）"))
    return step


def _move(
    *, actor: User, appraisal: EthicsAppraisal, action: str, reason: str = ""
) -> EthicsAppraisal:
    appraisal = _locked(appraisal)
    reason = (reason or "").strip()
    step = _step(appraisal, action, actor, reason)
    before = appraisal.audit_snapshot()
    from_status = appraisal.status
    appraisal.status = step.to_status
    now = timezone.now()
    if action == "submit":
        appraisal.submitted_at = now
        appraisal.return_reason = ""
    else:
        appraisal.reviewed_by, appraisal.reviewed_at = actor, now
        if action == "return":
            appraisal.return_reason = reason
        else:
            appraisal.credit_record = _record(actor=actor, appraisal=appraisal)
    appraisal.save()
    _log(appraisal, action=action, from_status=from_status, actor=actor, reason=reason)
    audit_append(
        actor=actor,
        action=f"integrity_appraisal.{action}",
        target=appraisal,
        before=before,
        reason=reason,
    )
    return appraisal


@transaction.atomic
def ethics_appraisal_submit(*, actor: User, appraisal: EthicsAppraisal) -> EthicsAppraisal:
    """草稿 or 已退回 → 待审核, by the school."""
    return _move(actor=actor, appraisal=appraisal, action="submit")


@transaction.atomic
def ethics_appraisal_approve(*, actor: User, appraisal: EthicsAppraisal) -> EthicsAppraisal:
    """待审核 → 已通过, by the level above; the grade becomes the effective record JY-SD-01."""
    return _move(actor=actor, appraisal=appraisal, action="approve")


@transaction.atomic
def ethics_appraisal_return(
    *, actor: User, appraisal: EthicsAppraisal, reason: str
) -> EthicsAppraisal:
    """待审核 → 已退回 with the reason, by the level above; the school corrects and resubmits."""
    return _move(actor=actor, appraisal=appraisal, action="return", reason=reason)


def _record(*, actor: User, appraisal: EthicsAppraisal) -> CreditRecord:
    """JY-SD-01 for the appraisal: entered and submitted on the school's behalf, approved by
    the reviewer (who neither entered nor submitted it: the two-person rule holds)."""
    day: dt.date = clock.today()
    item = catalog_item_by_code(ITEM_CODE, day)
    if item is None:
        raise _refuse("status", _("现行信用信息目录中没有师德考核结果信息（JY-SD-01）"))
    school = appraisal.school
    try:
        record = records.credit_record_create(
            actor=RECORDER,
            catalog_item=item,
            person=appraisal.teacher,
            title=f"{appraisal.year}年度师德考核：{appraisal.grade}",
            decision_number=f"SDKH-{appraisal.year}-{appraisal.public_id.hex[:12].upper()}",
            issuing_body=school.name,
            issuing_body_uscc=school.uscc or "",
            decision_date=day,
            payload={
                "appraisal_year": appraisal.year,
                "grade": appraisal.grade,
                **({"remarks": appraisal.remarks} if appraisal.remarks else {}),
            },
            source=CreditRecordSource.SYSTEM,
            on_behalf_of=school.organisation,
        )
        record = records.credit_record_submit(actor=RECORDER, record=record)
        return records.credit_record_approve(actor=actor, record=record)
    except records.RecordError as exc:
        raise _refuse("status", "；".join(str(m) for m in exc.errors.values())) from exc
