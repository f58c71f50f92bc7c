"""Objections (异议, Henan regulation §41): services, selectors and the ONE transition table.

Filing marks the record 异议中 at once (through ``records.services`` as ``system:objection``,
after this module has checked who files). The platform decides within 3 working days of
receipt; when the provider must verify, within 7, the provider itself within 3 of the
referral. Working days spent in expert review (专家评审, 检验/检测/鉴定) are not counted: a pause
moves the deadlines later by the working days it lasted.

Who handles: reviewers and administrators of an organisation that covers the record's owner
(the owner's reviewers, or those of a body above it up to the provincial department). 复核
(§28, list entries only) is for administrators of the provincial department.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import User
from educredit.accounts.permissions import is_subject_user
from educredit.audit.services import audit_append
from educredit.core import clock, uploads
from educredit.core.workdays import add_working_days, working_days_between
from educredit.records import services as record_services
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.selectors import credit_records_visible_to
from educredit.rights.choices import ObjectionOutcome, ObjectionRoute, ObjectionStatus
from educredit.rights.models import Attachment, Objection, RightsStep
from educredit.rights.self_service import subject_of

S = ObjectionStatus

PLATFORM_WORKING_DAYS = 3
PROVIDER_WORKING_DAYS = 7
PROVIDER_VERIFY_WORKING_DAYS = 3
# Highlighted in the staff queue when the deadline is this close.
DUE_SOON_WORKING_DAYS = 1
# The record is marked and cleared in the subject's name by this system actor.
SYSTEM_ACTOR = "system:objection"

MAX_EVIDENCE_FILES = 10
DECIDERS = frozenset({UserRole.REVIEWER, UserRole.ADMIN})
REVIEW_DECIDERS = frozenset({UserRole.ADMIN})

# Who may take a step: the subject (or staff on their behalf), the deciders, or the
# provincial department's administrators.
SUBJECT, DECIDER, PROVINCE_ADMIN = "subject", "decider", "province_admin"
# Resuming returns to the status the route implies (received or verifying).
BACK_TO_ROUTE = "route"


@dataclass(frozen=True)
class Step:
    """One allowed step of an objection: to which status, and who may take it."""

    to_status: str
    who: str


TRANSITIONS: dict[tuple[str, str], Step] = {
    ("refer", S.RECEIVED): Step(S.VERIFYING, DECIDER),
    ("pause", S.RECEIVED): Step(S.PAUSED, DECIDER),
    ("pause", S.VERIFYING): Step(S.PAUSED, DECIDER),
    ("resume", S.PAUSED): Step(BACK_TO_ROUTE, DECIDER),
    ("decide", S.RECEIVED): Step(S.DECIDED, DECIDER),
    ("decide", S.VERIFYING): Step(S.DECIDED, DECIDER),
    ("request_review", S.DECIDED): Step(S.REVIEW_REQUESTED, SUBJECT),
    ("review_decide", S.REVIEW_REQUESTED): Step(S.REVIEWED, PROVINCE_ADMIN),
}

OPEN_STATUSES = (S.RECEIVED, S.VERIFYING, S.PAUSED, S.REVIEW_REQUESTED)
# The lists whose entries may be reviewed by the provincial office (失信联合惩戒对象名单).
REVIEWABLE_LISTS = (CreditListKind.SERIOUS, CreditListKind.FOCUS, CreditListKind.RESEARCH)


class ObjectionError(ValueError):
    """A step refused for its content; ``errors`` maps field names to bilingual messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"": errors}
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- who ------------------------------------------------------------------------------------


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.organisation_id is not None


def _covers_record(user: User, record: CreditRecord) -> bool:
    return user.organisation is not None and user.organisation.covers(record.organisation)


def may_decide(user: Any, objection: Objection) -> bool:
    """Whether ``user`` may refer, pause, resume and decide ``objection``."""
    return (
        _is_staff(user)
        and bool(DECIDERS & set(user.roles()))
        and _covers_record(user, objection.record)
    )


def may_review(user: Any) -> bool:
    """Whether ``user`` decides 复核 (an administrator of the provincial department)."""
    return (
        _is_staff(user)
        and UserRole.ADMIN in user.roles()
        and user.organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT
    )


def grounds_list_entry(record: CreditRecord) -> bool:
    """Whether the record grounds a current 严重失信/重点关注 list entry (复核 is open then)."""
    return CreditListEntry.objects.filter(
        basis_records=record,
        kind__in=REVIEWABLE_LISTS,
        status__in=(ListEntryStatus.NOTICE, ListEntryStatus.LISTED),
    ).exists()


def may_request_review(objection: Objection) -> bool:
    """Whether the subject may still ask the provincial office for 复核."""
    return (
        objection.status == S.DECIDED
        and objection.outcome == ObjectionOutcome.UPHELD
        and grounds_list_entry(objection.record)
    )


def _require(objection: Objection, action: str, actor: Any) -> Step:
    step = TRANSITIONS.get((action, objection.status))
    if step is None:
        raise ObjectionError(
            _("当前状态（%(status)s）不允许此操作") % {"status": objection.get_status_display()}
        )
    allowed = {
        SUBJECT: lambda: _is_own(actor, objection),
        DECIDER: lambda: may_decide(actor, objection),
        PROVINCE_ADMIN: lambda: may_review(actor),
    }[step.who]()
    if not allowed:
        raise PermissionDenied(_("您不能执行此操作"))
    return step


def _is_own(actor: Any, objection: Objection) -> bool:
    if not is_subject_user(actor):
        return False
    subject = subject_of(actor)
    return (subject.person is not None and subject.person.pk == objection.person_id) or (
        subject.institution is not None and subject.institution.pk == objection.institution_id
    )


# --- steps ----------------------------------------------------------------------------------


def _label(actor: Any) -> str:
    return str(actor.get_username()) if isinstance(actor, User) else str(actor)


def _log(
    objection: Objection, *, action: str, from_status: str, actor: User, reason: str, notice: str
) -> RightsStep:
    return RightsStep.objects.create(
        objection=objection,
        action=action,
        from_status=from_status,
        to_status=objection.status,
        actor=actor,
        actor_label=_label(actor),
        reason=reason,
        notice=notice,
        at=clock.now(),
    )


def _save_step(
    objection: Objection,
    *,
    action: str,
    actor: User,
    before: dict[str, Any],
    from_status: str,
    reason: str,
    notice: str,
    audit_reason: str = "",
) -> Objection:
    """Save a step already applied to ``objection``: its audit entry and its logged notice."""
    objection.save()
    audit_append(
        actor=actor,
        action=f"rights.objection_{action}",
        target=objection,
        before=before,
        reason=audit_reason or reason,
    )
    _log(
        objection,
        action=action,
        from_status=from_status,
        actor=actor,
        reason=reason,
        notice=notice,
    )
    return objection


def _locked(objection: Objection) -> Objection:
    return (
        Objection.objects.select_for_update(of=("self",))
        .select_related("record", "record__organisation", "person", "institution")
        .get(pk=objection.pk)
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ObjectionError({"reason": _("请填写理由")})
    return reason


def _next_number(today: dt.date) -> str:
    prefix = f"YY{today:%Y%m%d}"
    last = (
        Objection.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _check_evidence(files: list[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """Each file's (file, extension, sha256) once its size and content type are acceptable."""
    if len(files) > MAX_EVIDENCE_FILES:
        raise ObjectionError({"evidence": _("证据材料最多%(n)s个") % {"n": MAX_EVIDENCE_FILES}})
    checked = []
    for upload in files:
        try:
            document = uploads.document_check(upload, check_name=False)  # by content only
        except uploads.UploadRefusedError as exc:
            raise ObjectionError(
                {"evidence": _("文件 %(name)s：%(reason)s") % {"name": upload.name, "reason": exc}}
            ) from exc
        upload.content_type = document.content_type
        checked.append((upload, document.extension, document.sha256))
    return checked


@transaction.atomic
def objection_file(
    *,
    actor: User,
    record: CreditRecord,
    reasons: str,
    evidence_files: list[UploadedFile] | None = None,
    on_behalf: bool = False,
) -> Objection:
    """File an objection to an effective record and mark the record 异议中 at once.

    The subject files on their own record; staff who see the record file on the subject's
    behalf (``on_behalf``). The subject gets a written acknowledgement (受理告知).
    """
    if on_behalf:
        if (
            not _is_staff(actor)
            or not credit_records_visible_to(actor).filter(pk=record.pk).exists()
        ):
            raise PermissionDenied(_("该记录不在您的管辖范围内"))
    else:
        subject = subject_of(actor)
        if (subject.person is None or subject.person.pk != record.person_id) and (
            subject.institution is None or subject.institution.pk != record.institution_id
        ):
            raise PermissionDenied(_("只能对本人的记录提出异议"))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ObjectionError({"reasons": _("请填写异议理由")})
    if len(reasons) > 5000:
        raise ObjectionError({"reasons": _("异议理由过长")})
    checked = _check_evidence(list(evidence_files or []))
    record = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != CreditRecordStatus.EFFECTIVE:
        raise ObjectionError(_("只能对生效的记录提出异议"))
    now = clock.now()
    today = clock.today()
    due = add_working_days(today, PLATFORM_WORKING_DAYS)
    objection = Objection(
        record=record,
        person_id=record.person_id,
        institution_id=record.institution_id,
        filed_by=actor,
        on_behalf=on_behalf,
        reasons=reasons,
        status=S.RECEIVED,
        route=ObjectionRoute.PLATFORM,
        received_on=today,
        due_on=due.date,
        created_at=now,
    )
    # Two filings the same day may race for a serial: retry with the next one.
    for _attempt in range(5):
        objection.number = _next_number(today)
        try:
            with transaction.atomic():
                objection.save()
            break
        except IntegrityError:
            objection.pk = None
    else:
        raise ObjectionError(_("请稍后重试"))
    audit_append(actor=actor, action="rights.objection_file", target=objection, before=None)
    for upload, ext, digest in checked:
        attachment = Attachment(
            objection=objection,
            material=_("异议证据"),
            original_name=(upload.name or "")[:200],
            content_type=upload.content_type or "",
            size=upload.size or 0,
            sha256=digest,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
        attachment.save()
        audit_append(
            actor=actor, action="rights.objection_evidence", target=attachment, before=None
        )
    record_services.credit_record_mark_objection(
        actor=SYSTEM_ACTOR,
        record=record,
        reason=f"异议 {objection.number}（{'代为提出' if on_behalf else '信用主体本人提出'}）",
    )
    notice = (
        f"您对“{record.title}”提出的异议（编号 {objection.number}）已于"
        f"{today:%Y年%m月%d日}受理，该信息已标注为“异议中”。依据《河南省社会信用条例》第四十一条，"
        f"平台将于{due.date:%Y年%m月%d日}前（{due.rule}）办结并书面告知处理结果；"
        f"需提供单位核查的，于受理之日起7个工作日内办结。检验、检测、鉴定或专家评审所需时间不计入。"
    )
    _log(objection, action="file", from_status="", actor=actor, reason=reasons, notice=notice)
    return objection


@transaction.atomic
def objection_refer_to_provider(*, actor: User, objection: Objection, reason: str) -> Objection:
    """Send the objection to the provider to verify: 7 working days in all, 3 for the provider."""
    objection = _locked(objection)
    step = _require(objection, "refer", actor)
    reason = _reason(reason)
    before = objection.audit_snapshot()
    from_status = objection.status
    today = clock.today()
    objection.status = step.to_status
    objection.route = ObjectionRoute.PROVIDER
    due = add_working_days(
        objection.received_on, PROVIDER_WORKING_DAYS + objection.paused_working_days
    )
    objection.due_on = due.date
    objection.provider_due_on = add_working_days(today, PROVIDER_VERIFY_WORKING_DAYS).date
    notice = (
        f"您的异议（编号 {objection.number}）需由信息提供单位核查，已于{today:%Y年%m月%d日}"
        f"通知{objection.record.issuing_body}核查（核查期限{objection.provider_due_on:%Y年%m月%d日}）。"
        f"办结期限顺延至{objection.due_on:%Y年%m月%d日}（受理之日起{due.rule}）。"
    )
    return _save_step(
        objection,
        action="refer",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reason,
        notice=notice,
    )


@transaction.atomic
def objection_pause(*, actor: User, objection: Objection, reason: str) -> Objection:
    """Stop the clock for 检验/检测/鉴定/专家评审 (not counted in the deadlines)."""
    objection = _locked(objection)
    step = _require(objection, "pause", actor)
    reason = _reason(reason)
    before = objection.audit_snapshot()
    from_status = objection.status
    objection.status = step.to_status
    objection.paused_since = clock.today()
    notice = (
        f"您的异议（编号 {objection.number}）需进行专家评审（或检验、检测、鉴定），"
        f"自{objection.paused_since:%Y年%m月%d日}起所需时间不计入办理期限。理由：{reason}"
    )
    return _save_step(
        objection,
        action="pause",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reason,
        notice=notice,
    )


@transaction.atomic
def objection_resume(*, actor: User, objection: Objection, reason: str = "") -> Objection:
    """Restart the clock: the working days paused move the deadlines later."""
    objection = _locked(objection)
    _require(objection, "resume", actor)
    reason = (reason or "").strip() or "专家评审结束"
    before = objection.audit_snapshot()
    from_status = objection.status
    today = clock.today()
    since = objection.paused_since or today
    paused = max(working_days_between(since, today).days, 0)
    objection.paused_working_days += paused
    objection.due_on = add_working_days(objection.due_on, paused).date
    if objection.provider_due_on is not None:
        objection.provider_due_on = add_working_days(objection.provider_due_on, paused).date
    objection.paused_since = None
    objection.status = S.VERIFYING if objection.route == ObjectionRoute.PROVIDER else S.RECEIVED
    notice = (
        f"您的异议（编号 {objection.number}）专家评审等已结束，暂停{paused}个工作日不计入，"
        f"办结期限顺延至{objection.due_on:%Y年%m月%d日}。"
    )
    return _save_step(
        objection,
        action="resume",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reason,
        notice=notice,
        audit_reason=f"{reason}（暂停{paused}个工作日）",
    )


def _apply_outcome(
    *, actor: User, objection: Objection, outcome: str, reason: str, changes: dict[str, Any]
) -> None:
    """Carry the outcome to the record through ``records.services`` (same transaction)."""
    record = objection.record
    record_reason = f"异议 {objection.number}：{reason}"
    marked = record.status == CreditRecordStatus.UNDER_OBJECTION
    try:
        if outcome == ObjectionOutcome.CORRECTED:
            if not changes:
                raise ObjectionError({"changes": _("请填写更正内容")})
            record_services.credit_record_correct(
                actor=actor, record=record, reason=record_reason, **changes
            )
            if marked:
                record_services.credit_record_clear_objection(
                    actor=actor, record=record, reason=record_reason
                )
        elif outcome == ObjectionOutcome.REVOKED:
            record_services.credit_record_revoke(actor=actor, record=record, reason=record_reason)
        elif marked:
            record_services.credit_record_clear_objection(
                actor=actor, record=record, reason=record_reason
            )
    except record_services.RecordError as exc:
        raise ObjectionError(exc.errors) from exc


_OUTCOME_TEXT: dict[str, str] = {
    ObjectionOutcome.CORRECTED: "异议成立，该信息已更正",
    ObjectionOutcome.REVOKED: "异议成立，该信息已撤销",
    ObjectionOutcome.UPHELD: "异议不成立，该信息维持不变",
}


def _clean_outcome(outcome: str) -> str:
    if outcome not in ObjectionOutcome.values:
        raise ObjectionError({"outcome": _("请选择处理结果")})
    return outcome


def _take_outcome(
    objection: Objection,
    *,
    action: str,
    actor: User,
    outcome: str,
    reason: str,
    changes: dict[str, Any] | None,
) -> tuple[Objection, dict[str, Any], str, str]:
    """Lock, check and apply a decision or 复核 outcome to the record; the objection takes the
    step's status. Returns the objection, its snapshot before, its old status and the reason."""
    objection = _locked(objection)
    step = _require(objection, action, actor)
    outcome = _clean_outcome(outcome)
    reason = _reason(reason)
    before = objection.audit_snapshot()
    from_status = objection.status
    _apply_outcome(
        actor=actor, objection=objection, outcome=outcome, reason=reason, changes=changes or {}
    )
    objection.status = step.to_status
    return objection, before, from_status, reason


@transaction.atomic
def objection_decide(
    *,
    actor: User,
    objection: Objection,
    outcome: str,
    reason: str,
    changes: dict[str, Any] | None = None,
) -> Objection:
    """Decide: correct the record, revoke it, or uphold it; the objection mark is cleared."""
    objection, before, from_status, reason = _take_outcome(
        objection, action="decide", actor=actor, outcome=outcome, reason=reason, changes=changes
    )
    objection.outcome = outcome
    objection.decision_reason = reason
    objection.decided_by = actor
    objection.decided_at = clock.now()
    notice = (
        f"您的异议（编号 {objection.number}）处理结果：{_OUTCOME_TEXT[outcome]}。理由：{reason}"
    )
    if outcome == ObjectionOutcome.UPHELD and grounds_list_entry(objection.record):
        notice += "。该信息系列入失信联合惩戒对象名单的依据，如仍有异议，可向省级主管部门申请复核。"
    return _save_step(
        objection,
        action="decide",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reason,
        notice=notice,
    )


@transaction.atomic
def objection_request_review(*, actor: User, objection: Objection, reasons: str) -> Objection:
    """The subject, still dissatisfied, asks the provincial office for 复核 (§28, lists only)."""
    objection = _locked(objection)
    step = _require(objection, "request_review", actor)
    if not may_request_review(objection):
        raise ObjectionError(_("仅对维持的、作为失信名单依据的信息可申请复核"))
    reasons = (reasons or "").strip()
    if not reasons:
        raise ObjectionError({"reasons": _("请填写复核理由")})
    before = objection.audit_snapshot()
    from_status = objection.status
    objection.status = step.to_status
    objection.review_reasons = reasons
    notice = f"您对异议（编号 {objection.number}）处理结果的复核申请已提交省级主管部门。"
    return _save_step(
        objection,
        action="request_review",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reasons,
        notice=notice,
    )


@transaction.atomic
def objection_review_decide(
    *,
    actor: User,
    objection: Objection,
    outcome: str,
    reason: str,
    changes: dict[str, Any] | None = None,
) -> Objection:
    """The provincial office's 复核: correct, revoke or uphold, with a written reason."""
    objection, before, from_status, reason = _take_outcome(
        objection,
        action="review_decide",
        actor=actor,
        outcome=outcome,
        reason=reason,
        changes=changes,
    )
    objection.review_outcome = outcome
    objection.review_reason = reason
    objection.review_decided_by = actor
    objection.review_decided_at = clock.now()
    notice = (
        f"您的复核申请（异议编号 {objection.number}）复核结果："
        f"{_OUTCOME_TEXT[outcome]}。理由：{reason}"
    )
    return _save_step(
        objection,
        action="review_decide",
        actor=actor,
        before=before,
        from_status=from_status,
        reason=reason,
        notice=notice,
    )


# --- selectors ------------------------------------------------------------------------------


def objections_visible_to(user: Any) -> QuerySet[Objection]:
    """Objections on records the staff user sees (none for anyone else)."""
    if not _is_staff(user):
        return Objection.objects.none()
    return Objection.objects.filter(record__in=credit_records_visible_to(user)).select_related(
        "record", "record__organisation", "person", "institution"
    )


def access_objection_for_user(user: Any, public_id: Any) -> Objection:
    """One objection by public id, or 404 whether missing or outside the jurisdiction."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        return objections_visible_to(user).get(public_id=key)
    except (ValueError, Objection.DoesNotExist) as exc:
        raise Http404 from exc


def objections_of_subject(user: Any) -> QuerySet[Objection]:
    """The signed-in subject's own objections, newest first."""
    subject = subject_of(user)
    return Objection.objects.filter(**subject.filter_kwargs()).select_related("record")


def access_own_objection(user: Any, public_id: Any) -> Objection:
    """One of the subject's own objections, or 404."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        return objections_of_subject(user).get(public_id=key)
    except (ValueError, Objection.DoesNotExist) as exc:
        raise Http404 from exc


def objection_queue_for(user: Any) -> QuerySet[Objection]:
    """Open objections the user sees, nearest deadline first."""
    return objections_visible_to(user).filter(status__in=OPEN_STATUSES).order_by("due_on", "pk")


def objections_due_for(user: Any) -> QuerySet[Objection]:
    """Objections the user should act on now (the workspace to-do list): those they decide
    that are overdue or due within a working day (never paused ones), and for the provincial
    department's administrators every 复核 request waiting."""
    if not (_is_staff(user) and DECIDERS & set(user.roles())):
        return Objection.objects.none()
    soon = add_working_days(clock.today(), DUE_SOON_WORKING_DAYS).date
    wanted = Q(
        status__in=(S.RECEIVED, S.VERIFYING),
        due_on__lte=soon,
        record__organisation__path__startswith=user.organisation.path,
    )
    if may_review(user):
        wanted |= Q(status=S.REVIEW_REQUESTED)
    return objection_queue_for(user).filter(wanted)


def deadline_state(objection: Objection, today: dt.date | None = None) -> str:
    """ "overdue", "soon" or "" for an open objection (paused ones are never late)."""
    # A paused clock is never late; 复核 has no deadline in §28.
    if objection.status not in (S.RECEIVED, S.VERIFYING):
        return ""
    today = today or clock.today()
    if objection.due_on < today:
        return "overdue"
    if objection.due_on <= add_working_days(today, DUE_SOON_WORKING_DAYS).date:
        return "soon"
    return ""


def actions_for(user: Any, objection: Objection) -> list[str]:
    """The step names ``user`` may take on ``objection`` now (for the detail page)."""
    names = []
    for (action, from_status), step in TRANSITIONS.items():
        if from_status != objection.status:
            continue
        allowed = (step.who == DECIDER and may_decide(user, objection)) or (
            step.who == PROVINCE_ADMIN and may_review(user)
        )
        if allowed:
            names.append(action)
    return names
