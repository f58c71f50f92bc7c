"""Credit repair (信用修复, ADR 0028): eligibility, the application's steps and its selectors.

"谁认定、谁修复": the record's owner organisation (or a body above it) reviews. A granted
repair moves the record to 已修复 through the records services, so restrictions end and the
provincial platform hears of it through the existing receivers; a breach of the repair
commitment moves it back to 生效, shown for its longest window (its measures come back).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.accounts.permissions import is_subject_user
from educredit.audit.services import audit_append
from educredit.catalog.choices import Severity
from educredit.core import clock, uploads
from educredit.core.workdays import add_working_days
from educredit.records import services as record_services
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.windows import add_months
from educredit.rights.choices import RepairStatus
from educredit.rights.models import Attachment, RepairApplication, RightsStep
from educredit.rights.self_service import Subject, subject_of
from educredit.rights.signals import repair_granted

# Working days to decide whether to accept an application (国办发〔2025〕22号 practice: 3).
ACCEPT_WORKING_DAYS = 3
# Henan §43: once compliant, repair within 1 working day of acceptance.
GRANT_WORKING_DAYS = 1
OPEN_STATUSES = (RepairStatus.SUBMITTED, RepairStatus.ACCEPTED)
REVIEWER_ROLES = (UserRole.REVIEWER, UserRole.ADMIN)
ON_BEHALF_ROLES = (UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN)
DISHONESTY = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)


class Material:
    """The materials a repair application lists (信用修复申请材料)."""

    PROOF = "proof_of_fulfilment"
    OTHER = "other"
    LABELS = {
        PROOF: gettext_lazy("履行证明（法定责任和义务履行完毕的证明材料）"),
        OTHER: gettext_lazy("其他材料"),
    }
    REQUIRED = (PROOF,)


def repeat_bar() -> tuple[int, int]:
    """(other effective records, months): at least that many of the same catalog item within
    that many months bar repair (repeated offences, 屡犯不改). Settings may change it."""
    return (
        int(settings.EDUCREDIT_REPAIR_REPEAT_LIMIT),
        int(settings.EDUCREDIT_REPAIR_REPEAT_MONTHS),
    )


# --- eligibility ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One condition of repair: whether it is met, why, and from when it will be."""

    key: str
    met: bool
    text: str
    met_from: dt.date | None = None
    # Declared by the subject and confirmed by the reviewer from the materials.
    declared: bool = False


@dataclass(frozen=True)
class Eligibility:
    """Every condition of repair for one record on one day."""

    record: CreditRecord
    as_of: dt.date
    conditions: tuple[Condition, ...]

    @property
    def eligible(self) -> bool:
        return all(c.met for c in self.conditions)

    @property
    def reasons(self) -> list[str]:
        """The texts of the conditions not met."""
        return [c.text for c in self.conditions if not c.met]

    @property
    def eligible_from(self) -> dt.date | None:
        """When every unmet condition that only waits for a date will be met, if all do."""
        unmet = [c for c in self.conditions if not c.met]
        if not unmet or any(c.met_from is None for c in unmet):
            return None
        return max(c.met_from for c in unmet if c.met_from is not None)


def _window_condition(record: CreditRecord, as_of: dt.date) -> Condition:
    allowed = record.repair_allowed_from
    if allowed is None:
        return Condition(
            "window",
            False,
            _("此类信息无需也不能信用修复"),
        )
    day = allowed.isoformat()
    if as_of < allowed:
        return Condition(
            "window",
            False,
            _("最短公示期未满，%(day)s 起可申请") % {"day": day},
            allowed,
        )
    return Condition(
        "window",
        True,
        _("最短公示期已满（%(day)s 起）") % {"day": day},
        allowed,
    )


def _status_condition(record: CreditRecord) -> Condition:
    if record.status == CreditRecordStatus.EFFECTIVE:
        return Condition("effective", True, _("记录有效"))
    if record.status == CreditRecordStatus.UNDER_OBJECTION:
        text = _("记录正在异议处理中，异议办结后方可申请")
    elif record.status == CreditRecordStatus.REPAIRED:
        text = _("记录已修复")
    else:
        text = _("记录当前状态（%(status)s）不能修复") % {"status": record.get_status_display()}
    return Condition("effective", False, text)


def _open_condition(record: CreditRecord) -> Condition:
    if RepairApplication.objects.filter(record=record, status__in=OPEN_STATUSES).exists():
        return Condition(
            "no_open_application",
            False,
            _("已有办理中的修复申请"),
        )
    return Condition("no_open_application", True, _("无办理中的修复申请"))


def _commitment_condition(record: CreditRecord) -> Condition:
    if RepairApplication.objects.filter(record=record, status=RepairStatus.BREACHED).exists():
        return Condition(
            "no_breach",
            False,
            _("曾违背信用修复承诺，按最长公示期公示，不再修复"),
        )
    return Condition("no_breach", True, _("未违背信用修复承诺"))


def _repeat_condition(record: CreditRecord, as_of: dt.date) -> Condition:
    limit, months = repeat_bar()
    since = add_months(as_of, -months)
    subject: dict[str, Any] = (
        {"person_id": record.person_id}
        if record.person_id is not None
        else {"institution_id": record.institution_id}
    )
    days = sorted(
        CreditRecord.objects.filter(
            **subject,
            catalog_item__code=record.catalog_item.code,
            severity__in=DISHONESTY,
            status__in=(CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION),
            decision_date__gt=since,
            decision_date__lte=as_of,
            made_while_minor=False,  # a minor's record counts against no one (Henan §3)
        )
        .exclude(pk=record.pk)
        .values_list("decision_date", flat=True),
        reverse=True,
    )
    if len(days) >= limit:
        # Once the limit-th most recent leaves the look-back, fewer than ``limit`` remain.
        met_from = add_months(days[limit - 1], months) + dt.timedelta(days=1)
        return Condition(
            "repeat",
            False,
            _("%(months)s个月内同类失信记录另有%(count)s条，属屡犯，%(day)s 前不予修复")
            % {"months": months, "count": len(days), "day": met_from.isoformat()},
            met_from,
        )
    return Condition("repeat", True, _("无屡犯情形"))


def repair_eligibility(record: CreditRecord, as_of: dt.date | None = None) -> Eligibility:
    """Each condition of credit repair for ``record`` on ``as_of`` (today by default)."""
    as_of = as_of or clock.today()
    conditions = (
        _window_condition(record, as_of),
        _status_condition(record),
        _open_condition(record),
        _commitment_condition(record),
        _repeat_condition(record, as_of),
        Condition(
            "obligations",
            True,
            _("已纠正失信行为、履行完毕法定义务：须提交履行证明，由认定单位审核确认"),
            declared=True,
        ),
    )
    return Eligibility(record=record, as_of=as_of, conditions=conditions)


# --- the commitment ---------------------------------------------------------------------------


def commitment_text_for(record: CreditRecord, subject_name: str) -> str:
    """The repair commitment (信用修复承诺书) the subject accepts, from the template."""
    number = record.decision_number or record.title
    return _(
        "本主体（%(name)s）就%(issuer)s作出的“%(title)s”（%(number)s）失信信息申请信用修复，"
        "郑重承诺：一、已纠正失信行为，完全履行了该决定规定的法定责任和义务；二、所提交的材料真实、"
        "有效；三、今后依法诚信经营（执业），不再发生同类失信行为。如违背上述承诺，同意该失信信息"
        "按最长公示期限向社会公示、依法解除的惩戒措施恢复执行，并对违背承诺的情况予以通报和公示，"
        "依法承担相应法律责任。"
    ) % {
        "name": subject_name,
        "issuer": record.issuing_body,
        "title": record.title,
        "number": number,
    }


# --- checks of actors and files ---------------------------------------------------------------


def _record_subject(record: CreditRecord) -> Subject:
    return Subject(person=record.person, institution=record.institution)


def _is_applicant(actor: User, application: RepairApplication) -> bool:
    if is_subject_user(actor):
        subject = subject_of(actor)
        return (subject.person is not None and subject.person.pk == application.person_id) or (
            subject.institution is not None and subject.institution.pk == application.institution_id
        )
    return actor.pk == application.filed_by_id


def _require_reviewer(actor: User, application: RepairApplication) -> None:
    organisation = actor.organisation
    if (
        organisation is None
        or not actor.has_role(*REVIEWER_ROLES)
        or not organisation.covers(application.reviewing_organisation)
    ):
        raise PermissionDenied(_("仅认定单位（或其上级）的审核人员可以办理"))


def _require_status(application: RepairApplication, *statuses: str) -> None:
    if application.status not in statuses:
        raise ValidationError(
            _("当前状态（%(status)s）不允许此操作") % {"status": application.get_status_display()}
        )


def _check_file(upload: Any) -> tuple[str, str, str]:
    """(extension, content type, sha256) of an acceptable file (``core.uploads``), else
    ValidationError naming the file."""
    name = Path(str(getattr(upload, "name", "") or "")).name
    try:
        checked = uploads.document_check(upload)
    except uploads.UploadRefusedError as exc:
        raise ValidationError(_("%(name)s：%(reason)s") % {"name": name, "reason": exc}) from exc
    return checked.extension, checked.content_type, checked.sha256


# A notice (告知书) is an official written document: Chinese, whatever the language of the page
# the step was taken from (ADR 0038). Its message id is the Chinese text itself.
chinese = gettext_noop


def _step(
    application: RepairApplication,
    *,
    action: str,
    from_status: str,
    actor: User,
    reason: str = "",
    notice: str = "",
) -> None:
    RightsStep.objects.create(
        repair=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        actor=actor,
        actor_label=actor.get_username(),
        reason=reason,
        notice=notice,
        at=clock.now(),
    )


# --- services -------------------------------------------------------------------------------


@transaction.atomic
def repair_apply(
    *,
    actor: User,
    record: CreditRecord,
    statement: str,
    commitment_accepted: bool,
    materials: Iterable[tuple[str, Any]] = (),
) -> RepairApplication:
    """File a repair application (self-service, or staff on the subject's behalf); audited."""
    if is_subject_user(actor):
        subject = subject_of(actor)
        if (subject.person, subject.institution) != (record.person, record.institution):
            raise Http404
        on_behalf = False
    else:
        if (
            actor.organisation is None
            or not actor.has_role(*ON_BEHALF_ROLES)
            or not actor.organisation.covers(record.organisation)
        ):
            raise PermissionDenied(_("该记录不在您的管辖范围内"))
        on_behalf = True
    record = (
        CreditRecord.objects.select_for_update().select_related("catalog_item").get(pk=record.pk)
    )
    errors: dict[str, list[str]] = {}
    eligibility = repair_eligibility(record)
    if not eligibility.eligible:
        errors["__all__"] = eligibility.reasons
    statement = (statement or "").strip()
    if not statement:
        errors["statement"] = [_("请说明纠正失信行为的情况")]
    if not commitment_accepted:
        errors["commitment_accepted"] = [_("须作出信用修复承诺")]
    materials = [(kind, upload) for kind, upload in materials if upload]
    checked = []
    for kind, upload in materials:
        if kind not in Material.LABELS:
            errors.setdefault("materials", []).append(_("未知材料类型"))
            continue
        try:
            checked.append((kind, upload, *_check_file(upload)))
        except ValidationError as exc:
            errors.setdefault("materials", []).extend(exc.messages)
    for required in Material.REQUIRED:
        if not any(kind == required for kind, _upload in materials):
            errors.setdefault("materials", []).append(
                _("缺少必需材料：%(kind)s") % {"kind": Material.LABELS[required]}
            )
    if errors:
        raise ValidationError(errors)
    subject = _record_subject(record)
    today = clock.today()
    now = clock.now()
    application = RepairApplication.objects.create(
        number=f"XF{today:%Y%m%d}{secrets.token_hex(3).upper()}",
        record=record,
        person=record.person,
        institution=record.institution,
        filed_by=actor,
        on_behalf=on_behalf,
        reviewing_organisation=record.organisation,
        statement=statement,
        commitment_text=commitment_text_for(record, subject.name),
        status=RepairStatus.SUBMITTED,
        submitted_on=today,
        due_on=add_working_days(today, ACCEPT_WORKING_DAYS).date,
        created_at=now,
    )
    audit_append(actor=actor, action="rights.repair_apply", target=application, before=None)
    for kind, upload, extension, content_type, sha256 in checked:
        attachment = Attachment(
            repair=application,
            material=kind,
            original_name=Path(str(upload.name)).name[:200],
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            uploaded_by=actor,
            uploaded_at=now,
        )
        attachment.file.save(f"{attachment.public_id}.{extension}", File(upload), save=False)
        attachment.save()
        audit_append(actor=actor, action="rights.attachment_add", target=attachment, before=None)
    _step(
        application,
        action="apply",
        from_status="",
        actor=actor,
        notice=chinese(
            "您的信用修复申请（%(number)s）已收到，认定单位将于 %(due)s 前决定是否受理。"
        )
        % {"number": application.number, "due": application.due_on.isoformat()},
    )
    return application


def _locked(application: RepairApplication) -> RepairApplication:
    return (
        RepairApplication.objects.select_for_update()
        .select_related("record", "reviewing_organisation")
        .get(pk=application.pk)
    )


@transaction.atomic
def repair_accept(*, actor: User, application: RepairApplication) -> RepairApplication:
    """Accept an application (受理): the decision is due within 1 working day (Henan §43)."""
    application = _locked(application)
    _require_reviewer(actor, application)
    _require_status(application, RepairStatus.SUBMITTED)
    before = application.audit_snapshot()
    application.status = RepairStatus.ACCEPTED
    application.due_on = add_working_days(clock.today(), GRANT_WORKING_DAYS).date
    application.save()
    audit_append(actor=actor, action="rights.repair_accept", target=application, before=before)
    _step(
        application,
        action="accept",
        from_status=RepairStatus.SUBMITTED,
        actor=actor,
        notice=chinese("您的信用修复申请（%(number)s）已受理，将于 %(due)s 前作出决定。")
        % {"number": application.number, "due": application.due_on.isoformat()},
    )
    return application


def _decide(application: RepairApplication, *, actor: User, status: str, reason: str) -> str:
    before_status = application.status
    application.status = status
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = clock.now()
    return before_status


@transaction.atomic
def repair_grant(
    *, actor: User, application: RepairApplication, reason: str = ""
) -> RepairApplication:
    """Grant repair: the record leaves public view and sharing and its measures end at once."""
    application = _locked(application)
    _require_reviewer(actor, application)
    _require_status(application, RepairStatus.ACCEPTED)
    reason = (reason or "").strip() or _("材料齐全，符合信用修复条件")
    before = application.audit_snapshot()
    record_services.credit_record_mark_repaired(
        actor=actor,
        record=application.record,
        reason=f"信用修复申请 {application.number}：{reason}",
    )
    from_status = _decide(application, actor=actor, status=RepairStatus.GRANTED, reason=reason)
    application.save()
    audit_append(actor=actor, action="rights.repair_grant", target=application, before=before)
    repair_granted.send(sender=RepairApplication, application=application, actor=actor)
    _step(
        application,
        action="grant",
        from_status=from_status,
        actor=actor,
        reason=reason,
        notice=chinese(
            "准予信用修复决定书：您的申请（%(number)s）准予修复。该失信信息自今日起终止公示、停止共享，相关惩戒措施依法解除。如违背信用修复承诺，该信息将按最长公示期限重新公示。"
        )
        % {"number": application.number},
    )
    return application


@transaction.atomic
def repair_refuse(*, actor: User, application: RepairApplication, reason: str) -> RepairApplication:
    """Refuse repair, with the reason given to the subject in writing."""
    application = _locked(application)
    _require_reviewer(actor, application)
    _require_status(application, *OPEN_STATUSES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写理由")]})
    before = application.audit_snapshot()
    from_status = _decide(application, actor=actor, status=RepairStatus.REFUSED, reason=reason)
    application.save()
    audit_append(
        actor=actor, action="rights.repair_refuse", target=application, before=before, reason=reason
    )
    _step(
        application,
        action="refuse",
        from_status=from_status,
        actor=actor,
        reason=reason,
        notice=chinese(
            "不予信用修复决定书：您的申请（%(number)s）不予修复，理由：%(reason)s。条件满足后可重新申请。"
        )
        % {"number": application.number, "reason": reason},
    )
    return application


@transaction.atomic
def repair_withdraw(
    *, actor: User, application: RepairApplication, reason: str = ""
) -> RepairApplication:
    """The applicant withdraws an application still being handled."""
    application = _locked(application)
    if not _is_applicant(actor, application):
        raise PermissionDenied(_("仅申请人可以撤回"))
    _require_status(application, *OPEN_STATUSES)
    before = application.audit_snapshot()
    from_status = application.status
    application.status = RepairStatus.WITHDRAWN
    application.save()
    audit_append(
        actor=actor,
        action="rights.repair_withdraw",
        target=application,
        before=before,
        reason=reason,
    )
    _step(
        application,
        action="withdraw",
        from_status=from_status,
        actor=actor,
        reason=reason,
        notice=chinese("您已撤回信用修复申请（%(number)s）。") % {"number": application.number},
    )
    return application


@transaction.atomic
def repair_commitment_breach(
    *, actor: User, application: RepairApplication, reason: str
) -> RepairApplication:
    """The subject breached its repair commitment: the record is shown again for its longest
    window and the measures it grounds come back."""
    application = _locked(application)
    _require_reviewer(actor, application)
    _require_status(application, RepairStatus.GRANTED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写违背承诺的情况")]})
    before = application.audit_snapshot()
    record_services.credit_record_restore_after_breach(
        actor=actor,
        record=application.record,
        reason=f"违背信用修复承诺（{application.number}）：{reason}",
    )
    application.status = RepairStatus.BREACHED
    application.breached_at = clock.now()
    application.breach_reason = reason
    application.save()
    audit_append(
        actor=actor, action="rights.repair_breach", target=application, before=before, reason=reason
    )
    _step(
        application,
        action="breach",
        from_status=RepairStatus.GRANTED,
        actor=actor,
        reason=reason,
        notice=chinese(
            "违背信用修复承诺告知书：因%(reason)s，您违背了信用修复承诺（%(number)s）。该失信信息按最长公示期限重新公示，相关惩戒措施恢复执行。"
        )
        % {"number": application.number, "reason": reason},
    )
    return application


# --- selectors ------------------------------------------------------------------------------


def repairs_visible_to(user: Any) -> QuerySet[RepairApplication]:
    """Applications whose reviewing organisation lies within the user's jurisdiction."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return RepairApplication.objects.none()
    return RepairApplication.objects.filter(
        reviewing_organisation__path__startswith=organisation.path
    ).select_related("record", "person", "institution", "reviewing_organisation")


def access_repair_for_user(user: Any, public_id: Any) -> RepairApplication:
    """One application in the user's jurisdiction, or 404."""
    try:
        return repairs_visible_to(user).get(public_id=public_id)
    except (RepairApplication.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def repairs_of_subject(subject: Subject) -> QuerySet[RepairApplication]:
    """A subject's own applications, newest first."""
    return RepairApplication.objects.filter(**subject.filter_kwargs()).select_related(
        "record", "reviewing_organisation"
    )


def access_own_repair(subject: Subject, public_id: Any) -> RepairApplication:
    """One of the subject's own applications, or 404."""
    try:
        return repairs_of_subject(subject).get(public_id=public_id)
    except (RepairApplication.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


def repairs_due_for(user: Any) -> QuerySet[RepairApplication]:
    """The open applications a reviewer or admin should decide, the earliest due first."""
    if getattr(user, "organisation", None) is None or not user.has_role(*REVIEWER_ROLES):
        return RepairApplication.objects.none()
    return repairs_visible_to(user).filter(status__in=OPEN_STATUSES).order_by("due_on", "pk")


def repairable_records(subject: Subject) -> list[tuple[CreditRecord, Eligibility]]:
    """The subject's 失信 records that repair applies to, each with its eligibility today."""
    from educredit.records.selectors import credit_records_of_subject

    today = clock.today()
    records = credit_records_of_subject(**subject.filter_kwargs()).filter(
        repair_allowed_from__isnull=False,
        status__in=(CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION),
    )
    return [(record, repair_eligibility(record, today)) for record in records]
