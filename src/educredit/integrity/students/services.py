"""Writes of students' integrity: contracts, yearly service confirmations, breaches (with the
JY-XY-01 record through ``records.services``), payment, and integrity-education activities.

Every function is one transaction with its audit entry; a refusal is a ``ValidationError``
naming the rule, and nothing of it is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.accounts.choices import UserRole
from educredit.accounts.models import Organisation, User
from educredit.audit.services import audit_append
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock, uploads
from educredit.core.selectors import region_by_code
from educredit.integrity.students import rules
from educredit.integrity.students.choices import (
    BREACH_GROUND_CATALOG_TEXT,
    PROGRAMME_CATALOG_TEXT,
    ActivityKind,
    BreachGround,
    ContractProgramme,
    RefundRule,
    TrainingContractStatus,
)
from educredit.integrity.students.models import (
    IntegrityEducationActivity,
    ServiceConfirmation,
    TrainingContract,
    TrainingContractBreach,
)
from educredit.records import services as records
from educredit.records.choices import CreditRecordStatus
from educredit.subjects.models import Institution, Person

BREACH_ITEM = "JY-XY-01"
WRITERS = frozenset({UserRole.CLERK, UserRole.ADMIN})
CONFIRMERS = frozenset({UserRole.REVIEWER, UserRole.ADMIN})
S = TrainingContractStatus

# The contract's transition table: action → (from statuses, to status, reason required).
TRANSITIONS: dict[str, tuple[frozenset[str], str, bool]] = {
    "start_service": (frozenset({S.STUDYING}), S.SERVING, False),
    "fulfil": (frozenset({S.SERVING}), S.FULFILLED, False),
    "dissolve": (frozenset({S.STUDYING, S.SERVING}), S.DISSOLVED, True),
    "breach": (frozenset({S.STUDYING, S.SERVING}), S.BREACHED, True),
}


def _require_writer(actor: User) -> Organisation:
    organisation: Organisation | None = getattr(actor, "organisation", None)
    if organisation is None or not actor.has_role(*WRITERS):
        raise PermissionDenied(_("只有录入员或管理员可以办理"))
    return organisation


def _require_covers(actor: User, organisation: Organisation) -> None:
    own = getattr(actor, "organisation", None)
    if own is None or not own.covers(organisation):
        raise PermissionDenied(_("不在您的管辖范围内"))


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise ValidationError({field: _("%(label)s须为金额") % {"label": label}}) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({field: _("%(label)s须为不小于 0 的金额") % {"label": label}})
    return amount.quantize(rules.CENT, rounding=ROUND_HALF_UP)


def _rate(value: Any) -> Decimal:
    try:
        rate = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"penalty_rate": _("违约金比例须为 0 至 1 之间的数")}) from exc
    if not rate.is_finite() or not rules.PENALTY_RATE_MIN <= rate <= rules.PENALTY_RATE_MAX:
        raise ValidationError(
            {"penalty_rate": _("违约金比例须在 0 至 1 之间（如 0.5 即退还费用的一半）")}
        )
    if rate != rate.quantize(Decimal("0.001")):
        raise ValidationError({"penalty_rate": _("违约金比例最多三位小数")})
    return rate


def _henan_region(code: str, field: str) -> str:
    code = (code or "").strip()
    if not (len(code) == 6 and code.startswith("41") and region_by_code(code) is not None):
        raise ValidationError({field: _("请选择河南省的行政区划（GB/T 2260 代码）")})
    return code


def _owner_for(actor: User, school: Institution) -> Organisation:
    """The school's own account when the actor covers it, else the actor's organisation."""
    own = actor.organisation
    if own is None:
        raise PermissionDenied(_("无权进行此操作"))
    if school.organisation is not None and own.covers(school.organisation):
        return school.organisation
    return own


def default_penalty_rate(programme: str) -> Decimal:
    """The 违约金 rate a programme's contract states unless it says otherwise (§6.7)."""
    return rules.DEFAULT_PENALTY_RATE.get(programme, rules.OTHER_PENALTY_RATE)


@transaction.atomic
def training_contract_create(
    *,
    actor: User,
    person: Person,
    school: Institution,
    programme: str,
    agreement_number: str,
    signed_on: dt.date,
    expected_graduation: dt.date,
    service_region_code: str,
    service_years: int = rules.SERVICE_YEARS_DEFAULT,
    tuition_received: Any = 0,
    accommodation_received: Any = 0,
    living_subsidy_received: Any = 0,
    refund_rule: str = rules.DEFAULT_REFUND_RULE,
    penalty_rate: Any = None,
) -> TrainingContract:
    """Enter a directed or state-funded student's training contract (在读)."""
    from educredit.subjects.models import Institution as InstitutionModel
    from educredit.subjects.models import Person as PersonModel

    _require_writer(actor)
    if not InstitutionModel.objects.visible_to(actor).filter(pk=school.pk).exists():
        raise PermissionDenied(_("该学校不在您的管辖范围内"))
    if not PersonModel.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("该学生不在您的管辖范围内"))
    errors: dict[str, Any] = {}
    if programme not in ContractProgramme.values:
        errors["programme"] = _("请选择培养类别")
    number = (agreement_number or "").strip()
    if not number or len(number) > 60:
        errors["agreement_number"] = _("请填写协议编号（不超过 60 字）")
    elif TrainingContract.objects.filter(school=school, agreement_number=number).exists():
        errors["agreement_number"] = _("该学校已有此协议编号的协议")
    if signed_on > clock.today():
        errors["signed_on"] = _("签订日期不能晚于今天")
    if expected_graduation < signed_on:
        errors["expected_graduation"] = _("预计毕业日期不能早于签订日期")
    if not 1 <= int(service_years) <= 20:
        errors["service_years"] = _("服务年限须在 1 至 20 年之间")
    if refund_rule not in RefundRule.values:
        errors["refund_rule"] = _("请选择退还规则")
    if errors:
        raise ValidationError(errors)
    contract = TrainingContract(
        person=person,
        school=school,
        organisation=_owner_for(actor, school),
        programme=programme,
        agreement_number=number,
        signed_on=signed_on,
        expected_graduation=expected_graduation,
        service_years=int(service_years),
        service_region_code=_henan_region(service_region_code, "service_region_code"),
        tuition_received=_money(tuition_received, "tuition_received", _("学费")),
        accommodation_received=_money(
            accommodation_received, "accommodation_received", _("住宿费")
        ),
        living_subsidy_received=_money(
            living_subsidy_received, "living_subsidy_received", _("生活补助")
        ),
        refund_rule=refund_rule,
        penalty_rate=_rate(
            default_penalty_rate(programme) if penalty_rate is None else penalty_rate
        ),
        created_by=actor,
    )
    contract.save()
    audit_append(
        actor=actor, action="integrity_students.contract_create", target=contract, before=None
    )
    return contract


def _locked(contract: TrainingContract) -> TrainingContract:
    locked: TrainingContract = TrainingContract.objects.select_for_update().get(pk=contract.pk)
    return locked


def _move(
    *, actor: User, contract: TrainingContract, action: str, reason: str = ""
) -> tuple[TrainingContract, dict[str, Any]]:
    """Check ``action`` against the table on the locked contract; set the new status."""
    from_statuses, to_status, reason_required = TRANSITIONS[action]
    if contract.status not in from_statuses:
        raise ValidationError(
            _("协议当前状态（%(status)s）不允许此操作") % {"status": contract.get_status_display()}
        )
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationError({"reason": _("请填写理由")})
    before = contract.audit_snapshot()
    contract.status = to_status
    contract.status_reason = reason[:500]
    return contract, before


@transaction.atomic
def training_contract_transition(
    *,
    actor: User,
    contract: TrainingContract,
    action: str,
    reason: str = "",
    service_started_on: dt.date | None = None,
) -> TrainingContract:
    """开始履约 (the graduate takes up the post), 履约完毕, or 解除 (with a reason)."""
    if action not in TRANSITIONS or action == "breach":
        raise ValueError(f"unknown contract action {action!r}")
    _require_writer(actor)
    contract = _locked(contract)
    _require_covers(actor, contract.organisation)
    contract, before = _move(actor=actor, contract=contract, action=action, reason=reason)
    if action == "start_service":
        if service_started_on is None or service_started_on > clock.today():
            raise ValidationError({"service_started_on": _("请填写开始履约日期（不晚于今天）")})
        contract.service_started_on = service_started_on
    contract.save()
    audit_append(
        actor=actor,
        action=f"integrity_students.contract_{action}",
        target=contract,
        before=before,
        reason=reason,
    )
    return contract


@transaction.atomic
def service_confirmation_record(
    *,
    actor: User,
    contract: TrainingContract,
    year: int,
    employer_name: str,
    employer_region_code: str,
    confirmed_on: dt.date,
    confirmed_by: str,
) -> ServiceConfirmation:
    """Record the employer's confirmation that the graduate served in post in ``year``."""
    _require_writer(actor)
    contract = _locked(contract)
    _require_covers(actor, contract.organisation)
    today = clock.today()
    errors: dict[str, Any] = {}
    if contract.status != S.SERVING:
        errors[""] = _("只有履约中的协议可以录入年度履约确认")
    if year > today.year:
        errors["year"] = _("不能确认尚未到来的年度")
    elif contract.service_started_on is not None and year < contract.service_started_on.year:
        errors["year"] = _("履约年度不能早于开始履约的年度")
    elif ServiceConfirmation.objects.filter(contract=contract, year=year).exists():
        errors["year"] = _("该年度已有履约确认")
    if confirmed_on > today:
        errors["confirmed_on"] = _("确认日期不能晚于今天")
    if not (employer_name or "").strip():
        errors["employer_name"] = _("请填写任职单位")
    if not (confirmed_by or "").strip():
        errors["confirmed_by"] = _("请填写确认人")
    if errors:
        raise ValidationError(errors)
    confirmation = ServiceConfirmation.objects.create(
        contract=contract,
        year=year,
        employer_name=employer_name.strip()[:200],
        employer_region_code=_henan_region(employer_region_code, "employer_region_code"),
        confirmed_on=confirmed_on,
        confirmed_by=confirmed_by.strip()[:100],
        recorded_by=actor,
    )
    audit_append(
        actor=actor,
        action="integrity_students.confirmation_record",
        target=confirmation,
        before=None,
    )
    return confirmation


def breach_amounts(
    contract: TrainingContract, *, served_years: int
) -> tuple[Decimal, Decimal, Decimal]:
    """(received, refund, 违约金) for a breach after ``served_years`` years of service.

    The refund is everything received, or under ``PRO_RATA_UNSERVED`` the share of the unserved
    years; the 违约金 is the contract's rate of the refund. Both rounded to the fen."""
    received = contract.received_total
    served = max(0, min(served_years, contract.service_years))
    if contract.refund_rule == RefundRule.PRO_RATA_UNSERVED:
        refund = received * Decimal(contract.service_years - served) / contract.service_years
    else:
        refund = received
    refund = refund.quantize(rules.CENT, rounding=ROUND_HALF_UP)
    penalty = (refund * contract.penalty_rate).quantize(rules.CENT, rounding=ROUND_HALF_UP)
    return received, refund, penalty


def served_years_of(contract: TrainingContract) -> int:
    """Years of service confirmed by the employer (capped at the contract's years)."""
    return min(
        ServiceConfirmation.objects.filter(contract=contract).count(), contract.service_years
    )


@transaction.atomic
def training_contract_breach(
    *,
    actor: User,
    contract: TrainingContract,
    ground: str,
    found_on: dt.date,
    description: str = "",
) -> TrainingContractBreach:
    """违约: compute the refund and 违约金, write the JY-XY-01 record and submit it for review
    (a reviewer who neither entered nor submitted it approves: two-person rule)."""
    organisation = _require_writer(actor)
    contract = _locked(contract)
    _require_covers(actor, contract.organisation)
    description = (description or "").strip()
    if ground not in BreachGround.values:
        raise ValidationError({"ground": _("请选择违约情形")})
    contract, before = _move(
        actor=actor,
        contract=contract,
        action="breach",
        reason=description or BREACH_GROUND_CATALOG_TEXT.get(ground, ground),
    )
    if found_on > clock.today() or found_on < contract.signed_on:
        raise ValidationError({"found_on": _("认定日期须在签订日期和今天之间")})
    item = catalog_item_by_code(BREACH_ITEM, found_on)
    if item is None:
        raise ValidationError(_("信用信息目录中没有 JY-XY-01 条目"))
    served = served_years_of(contract)
    received, refund, penalty = breach_amounts(contract, served_years=served)
    person = contract.person
    programme_text = PROGRAMME_CATALOG_TEXT[contract.programme]
    record = records.credit_record_create(
        actor=actor,
        catalog_item=item,
        person=person,
        title=f"{programme_text}违反培养协议（{contract.agreement_number}）",
        issuing_body=organisation.name,
        decision_date=found_on,
        payload={
            "programme": programme_text,
            "agreement_number": contract.agreement_number,
            "breach_type": BREACH_GROUND_CATALOG_TEXT[ground],
            "refund_amount": str(refund),
            "penalty_amount": str(penalty),
            "paid": False,
        },
    )
    record = records.credit_record_submit(actor=actor, record=record)
    contract.save()
    audit_append(
        actor=actor,
        action="integrity_students.contract_breach",
        target=contract,
        before=before,
        reason=contract.status_reason,
    )
    breach = TrainingContractBreach.objects.create(
        contract=contract,
        ground=ground,
        found_on=found_on,
        description=description,
        received_total=received,
        served_years=served,
        refund_rule=contract.refund_rule,
        refund_amount=refund,
        penalty_rate=contract.penalty_rate,
        penalty_amount=penalty,
        record=record,
        recorded_by=actor,
    )
    audit_append(actor=actor, action="integrity_students.breach_create", target=breach, before=None)
    return breach


@transaction.atomic
def training_contract_breach_pay(
    *, actor: User, breach: TrainingContractBreach, paid_on: dt.date, reason: str = ""
) -> TrainingContractBreach:
    """Record that the refund and 违约金 were paid: the effective JY-XY-01 record says so
    (corrected by a reviewer), which opens the road to credit repair (``rights.repair``);
    nothing is lifted by itself."""
    organisation = getattr(actor, "organisation", None)
    if organisation is None or not actor.has_role(*CONFIRMERS):
        raise PermissionDenied(_("只有审核员或管理员可以确认缴清"))
    breach = TrainingContractBreach.objects.select_for_update().get(pk=breach.pk)
    _require_covers(actor, breach.contract.organisation)
    if breach.paid:
        raise ValidationError(_("已确认缴清，不能重复确认"))
    if paid_on > clock.today() or paid_on < breach.found_on:
        raise ValidationError({"paid_on": _("缴清日期须在认定日期和今天之间")})
    record = breach.record
    if record.status != CreditRecordStatus.EFFECTIVE:
        raise ValidationError(_("违约记录审核生效后才能确认缴清"))
    before = breach.audit_snapshot()
    breach.paid = True
    breach.paid_on = paid_on
    breach.save()
    records.credit_record_correct(
        actor=actor,
        record=record,
        reason=(reason or "").strip() or _("已退还费用并缴纳违约金"),
        payload={**record.payload, "paid": True},
    )
    audit_append(actor=actor, action="integrity_students.breach_pay", target=breach, before=before)
    return breach


@transaction.atomic
def integrity_activity_record(
    *,
    actor: User,
    school: Institution,
    held_on: dt.date,
    title: str,
    kind: str,
    participants: int,
    organiser: str,
    attachment: Any = None,
) -> IntegrityEducationActivity:
    """Record an integrity-education activity a school held, with an optional attachment
    (PDF, JPG or PNG, checked by ``core.uploads.document_check``)."""
    from educredit.subjects.models import Institution as InstitutionModel

    _require_writer(actor)
    if not InstitutionModel.objects.visible_to(actor).filter(pk=school.pk).exists():
        raise PermissionDenied(_("该学校不在您的管辖范围内"))
    errors: dict[str, Any] = {}
    if held_on > clock.today():
        errors["held_on"] = _("活动日期不能晚于今天")
    if not (title or "").strip():
        errors["title"] = _("请填写活动名称")
    if kind not in ActivityKind.values:
        errors["kind"] = _("请选择活动形式")
    if participants is None or int(participants) < 1:
        errors["participants"] = _("参加人数须至少为 1")
    if not (organiser or "").strip():
        errors["organiser"] = _("请填写组织者")
    content = b""
    digest = ""
    if attachment is not None:
        try:
            checked = uploads.document_check(attachment)
        except uploads.UploadRefusedError as exc:
            errors["attachment"] = _("附件：%(reason)s") % {"reason": exc}
        else:
            handle = getattr(attachment, "file", attachment)
            content = handle.read()
            handle.seek(0)
            digest = checked.sha256
    if errors:
        raise ValidationError(errors)
    activity = IntegrityEducationActivity(
        school=school,
        organisation=_owner_for(actor, school),
        held_on=held_on,
        title=title.strip()[:200],
        kind=kind,
        participants=int(participants),
        organiser=organiser.strip()[:200],
        attachment_sha256=digest,
        recorded_by=actor,
    )
    if content:
        activity.attachment.save(
            str(getattr(attachment, "name", "attachment")), ContentFile(content), save=False
        )
    try:
        activity.save()
        audit_append(
            actor=actor, action="integrity_students.activity_record", target=activity, before=None
        )
    except BaseException:
        if activity.attachment:
            activity.attachment.storage.delete(activity.attachment.name)
        raise
    return activity
