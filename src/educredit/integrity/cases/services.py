"""Case services: every step of a misconduct case, in one transaction with its audit entry.

Each step goes through ``_step``: the procedure's table (``procedure.step_for``), the actor's
role and the body's jurisdiction, the regime's deadlines (the person's window refused once it
has passed), the case's own trail (``CaseStep``) and an audit entry. A decision computes its
terms on the sanction clock (``clock.sanction_terms``), keeps them (``CaseSanction``), issues the
decision notice and writes the finding through the records service — created by the decider,
submitted, and approved by a second person as the catalog's two-person rule requires — so the
sanction reaches screening the moment the record takes effect.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from educredit.accounts.models import User
from educredit.accounts.permissions import is_subject_user
from educredit.audit.services import audit_append
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock as core_clock
from educredit.core.workdays import add_working_days
from educredit.integrity.cases import clock, notices, procedure
from educredit.integrity.cases.choices import (
    AppealOutcome,
    CaseNoticeKind,
    CaseStatus,
    NoticeDelivery,
)
from educredit.integrity.cases.models import (
    Case,
    CaseNotice,
    CaseSanction,
    CaseStatement,
    CaseStep,
)
from educredit.integrity.cases.regimes import (
    BUREAUS,
    RESEARCH_AGGRAVATING,
    Deadline,
    Regime,
    regime_in_force,
)
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource
from educredit.records.models import CreditRecord
from educredit.subjects.models import Institution, Person

# The heaviest sanction of a teacher-ethics decision, in the words of JY-SD-02's 处理类型.
ETHICS_HANDLING = {
    "criticism": "批评教育",
    "admonition": "诫勉谈话",
    "self_examination": "责令检查",
    "circulated_criticism": "通报批评",
    "warning": "警告",
    "gov_warning": "警告",
    "demerit": "记过",
    "gov_demerit": "记过",
    "gov_major_demerit": "记大过",
    "demotion_or_removal": "降低岗位等级或撤职",
    "gov_demotion": "降低岗位等级或撤职",
    "gov_removal": "降低岗位等级或撤职",
    "dismissal": "开除",
    "gov_dismissal": "开除",
}
RESEARCH_TIERS = {
    "research_ban_light": "情节较轻",
    "research_ban_heavy": "情节较重",
    "research_ban_grave": "情节严重",
}
EXAM_BANS = ("exam_ban", "exam_ban_impersonation", "teacher_exam_ban")
SUPERVISOR = ("supervisor_quota", "supervisor_suspension", "supervisor_revocation")
QUALIFICATION = clock.QUALIFICATION_ITEMS
# The decision's record is transcribed for the deciding body and submitted; a person of the
# body then approves it (never a ``system:`` actor), as the catalog's two-person rule asks.
DECISION_RECORDER = "system:case-decision"


def _regime(case: Case) -> Regime:
    regime = regime_in_force(case.regime, case.reported_on)
    if regime is None:  # pragma: no cover - a case is opened only under a regime in force
        raise ValidationError(_("案件适用的规定不存在"))
    return regime


def after(day: dt.date, deadline: Deadline | None) -> dt.date | None:
    """The last day of a deadline counted from ``day`` (calendar or working days)."""
    if deadline is None:
        return None
    if deadline.working:
        return add_working_days(day, deadline.days).date
    return day + dt.timedelta(days=deadline.days)


def _rule_text(regime: Regime, step: str) -> str:
    deadline = regime.deadline(step)
    if deadline is None:
        return ""
    return f"{notices.period_text(deadline)}（{deadline.source}）"


# --- who may act -------------------------------------------------------------------------


def _staff_roles(actor: User, case: Case) -> frozenset[str]:
    if not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not actor.organisation.covers(case.organisation):
        raise PermissionDenied(_("该案件不在你的管辖范围内"))
    return frozenset(actor.roles())


def _subject_acts(actor: User, case: Case) -> bool:
    """Whether the actor is the person concerned, in self-service (PermissionDenied if neither)."""
    if not is_subject_user(actor):
        return False
    account = actor.subject_account
    if account.person_id != case.person_id:
        raise PermissionDenied(_("只能办理本人的案件"))
    return True


def _label(actor: User) -> str:
    return str(actor.get_username())


# --- the one step --------------------------------------------------------------------------


def _step(
    *,
    actor: User,
    case: Case,
    action: str,
    on: dt.date,
    note: str = "",
    article_step: str = "",
) -> dict[str, Any]:
    """Check and record one step; the case's snapshot before it (the caller sets the case's
    new fields and saves it)."""
    step = procedure.step_for(action, case.status)
    regime = _regime(case)
    if step is None or (step.hearing_only and not regime.has_hearing):
        raise ValidationError(
            _("案件当前状态为“%(status)s”，不能“%(action)s”")
            % {"status": case.get_status_display(), "action": _action_label(action)},
            code="out_of_order",
        )
    if _subject_acts(actor, case):
        if procedure.SUBJECT not in step.roles:
            raise PermissionDenied(_("本人不能办理这一步"))
    elif not (_staff_roles(actor, case) & step.roles):
        raise PermissionDenied(_("你的角色不能办理这一步"))
    before = case.audit_snapshot()
    CaseStep.objects.create(
        case=case,
        action=action,
        from_status=case.status,
        to_status=step.to_status,
        actor_label=_label(actor),
        user=actor,
        on=on,
        note=note,
        article=regime.articles.get(article_step or action, ""),
    )
    case.status = step.to_status
    return before


def _action_label(action: str) -> str:
    for step in procedure.STEPS:
        if step.action == action:
            return str(step.label)
    return action


def _save(
    actor: User, case: Case, before: dict[str, Any] | None, action: str, note: str = ""
) -> Case:
    case.save()
    audit_append(
        actor=actor, action=f"integrity.case.{action}", target=case, before=before, reason=note
    )
    return case


def _issue(*, actor: User, case: Case, kind: str, title: str, body: str, on: dt.date) -> CaseNotice:
    notice = CaseNotice.objects.create(
        case=case,
        kind=kind,
        title=title,
        body=body,
        sha256=notices.digest(body),
        issued_on=on,
        issued_by=_label(actor),
    )
    audit_append(actor=actor, action="integrity.notice.issue", target=notice, before=None)
    return notice


def _today(on: dt.date | None) -> dt.date:
    day = on or core_clock.today()
    if day > core_clock.today():
        raise ValidationError(_("日期不能晚于今天"), code="future")
    return day


def _required(value: str, label: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(_("请填写%(field)s") % {"field": label}, code="required")
    return cleaned


# --- opening a case ------------------------------------------------------------------------


def _case_number(day: dt.date) -> str:
    return f"AJ{day:%Y%m%d}{secrets.token_hex(3).upper()}"


@transaction.atomic
def case_open(
    *,
    actor: User,
    regime_code: str,
    person: Person,
    institution: Institution | None = None,
    source: str,
    reporter: str = "",
    reported_on: dt.date,
    allegation: str,
    misconduct_type: str = "",
    public_official: bool = False,
) -> Case:
    """Register a report or lead (举报/线索) about a person under a regime in force that day."""
    if not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not set(actor.roles()) & procedure.STAFF:
        raise PermissionDenied(_("你的角色不能登记案件"))
    reported_on = _today(reported_on)
    regime = regime_in_force(regime_code, reported_on)
    if regime is None:
        raise ValidationError(_("收到线索之日没有施行中的该项规定，不能按其立案"), code="regime")
    if actor.organisation.kind not in regime.deciding_kinds:
        raise ValidationError(
            _("%(regime)s的案件不由%(kind)s办理（%(basis)s）")
            % {
                "regime": regime.name,
                "kind": actor.organisation.get_kind_display(),
                "basis": regime.basis,
            },
            code="body",
        )
    if misconduct_type and misconduct_type not in regime.misconduct_types:
        raise ValidationError(_("行为类型不在该规定列举的类型之中"), code="type")
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("该人员不在你的管辖范围内"))
    if institution is not None and not (
        Institution.objects.visible_to(actor).filter(pk=institution.pk).exists()
    ):
        raise PermissionDenied(_("该单位不在你的管辖范围内"))
    if public_official and "teacher_ethics" not in regime.sanction_set:
        raise ValidationError(
            _("政务处分只适用于师德失范案件中的公办学校管理人员"), code="official"
        )
    case = Case(
        number=_case_number(reported_on),
        regime=regime.code,
        regime_effective_from=regime.effective_from,
        organisation=actor.organisation,
        person=person,
        institution=institution,
        public_official=public_official,
        source=source,
        reporter=reporter.strip(),
        reported_on=reported_on,
        allegation=_required(allegation, _("反映的问题")),
        misconduct_type=misconduct_type,
        due_on=after(reported_on, regime.deadline("accept")),
        due_rule=_rule_text(regime, "accept"),
        created_by=actor,
    )
    case.full_clean(exclude=["record", "created_by", "decided_by"])
    case.save()
    audit_append(actor=actor, action="integrity.case.open", target=case, before=None)
    return case


# --- steps of the body ---------------------------------------------------------------------


@transaction.atomic
def case_accept(*, actor: User, case: Case, note: str = "", on: dt.date | None = None) -> Case:
    """受理: the investigation starts, and the person is told so in writing."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    before = _step(actor=actor, case=case, action="accept", on=day, note=note)
    regime = _regime(case)
    case.due_on = after(day, regime.deadline("investigate"))
    case.due_rule = _rule_text(regime, "investigate")
    title, body = notices.acceptance(case, regime, day)
    _issue(actor=actor, case=case, kind=CaseNoticeKind.ACCEPTANCE, title=title, body=body, on=day)
    return _save(actor, case, before, "accept", note)


@transaction.atomic
def case_reject(*, actor: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """不予受理, with the reason kept."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    reason = _required(reason, _("不予受理的理由"))
    before = _step(actor=actor, case=case, action="reject", on=_today(on), note=reason)
    case.closing_reason, case.due_on, case.due_rule = reason, None, ""
    return _save(actor, case, before, "reject", reason)


@transaction.atomic
def case_clear(*, actor: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """The investigation found no misconduct: the person is told and may ask to be cleared."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    reason = _required(reason, _("调查结论"))
    day = _today(on)
    before = _step(actor=actor, case=case, action="clear", on=day, note=reason)
    case.closing_reason, case.due_on, case.due_rule = reason, None, ""
    title, body = notices.no_misconduct(case, _regime(case), reason, day)
    _issue(
        actor=actor, case=case, kind=CaseNoticeKind.NO_MISCONDUCT, title=title, body=body, on=day
    )
    return _save(actor, case, before, "clear", reason)


def _requested(items: Sequence[dict[str, Any] | clock.Requested]) -> list[clock.Requested]:
    out = []
    for item in items:
        if isinstance(item, clock.Requested):
            out.append(item)
        else:
            months = item.get("months")
            out.append(
                clock.Requested(kind=str(item["kind"]), months=int(months) if months else None)
            )
    return out


def _earlier_capped(case: Case) -> list[clock.EarlierTerm]:
    rows = CaseSanction.objects.filter(
        person=case.person, capped_kind=True, absorbed=False, revoked_on__isnull=True
    ).exclude(case=case)
    return [clock.EarlierTerm(row.starts_on, row.ends_on) for row in rows]


def case_terms(
    case: Case,
    requested: Sequence[dict[str, Any] | clock.Requested],
    *,
    start: dt.date,
    combined_months: int | None = None,
) -> list[clock.Term]:
    """The terms these sanctions would run for this case's person from ``start`` (refused
    with the rule's name when the regime or the law does not allow them)."""
    regime = _regime(case)
    wanted = _requested(requested)
    if any(item.kind in QUALIFICATION for item in wanted) and (
        case.organisation.kind not in BUREAUS
    ):
        raise ValidationError(
            _(
                "撤销或收缴教师资格由县级以上人民政府教育行政部门决定（《教师资格条例》第十八条、第十九条）"
            ),
            code="body",
        )
    terms = clock.sanction_terms(
        allowed=clock.kinds_for(regime.sanction_set, public_official=case.public_official),
        start=start,
        requested=wanted,
        combined_months=combined_months,
        earlier_capped=_earlier_capped(case),
    )
    if not regime.sanction_basis:
        return terms
    return [
        replace(term, basis=term.basis.replace(clock.ETHICS, regime.sanction_basis))
        for term in terms
    ]


@transaction.atomic
def case_notify(
    *,
    actor: User,
    case: Case,
    facts: str,
    reasons: str,
    basis: str,
    intended: Sequence[dict[str, Any] | clock.Requested],
    combined_months: int | None = None,
    misconduct_type: str = "",
    on: dt.date | None = None,
) -> Case:
    """告知拟处理决定: facts, reasons, basis and the intended sanctions, checked on the clock."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    regime = _regime(case)
    case.facts = _required(facts, _("认定的事实"))
    case.reasons = _required(reasons, _("理由"))
    case.basis = _required(basis, _("依据"))
    if misconduct_type:
        if misconduct_type not in regime.misconduct_types:
            raise ValidationError(_("行为类型不在该规定列举的类型之中"), code="type")
        case.misconduct_type = misconduct_type
    if not case.misconduct_type:
        raise ValidationError(_("请选择行为类型"), code="required")
    terms = case_terms(case, intended, start=day, combined_months=combined_months)
    before = _step(actor=actor, case=case, action="notify", on=day)
    case.intended = [
        {"kind": item.kind, "months": item.months} for item in _requested(intended)
    ] + ([{"combined_months": combined_months}] if combined_months else [])
    # Until the notice is delivered the person's window has not begun; the body's estimate.
    defence_end = after(day, regime.deadline("defence")) or day
    case.person_due_on = None
    case.due_on = after(defence_end, regime.deadline("decide"))
    case.due_rule = _rule_text(regime, "decide")
    title, body = notices.intended(case, regime, terms, day)
    _issue(actor=actor, case=case, kind=CaseNoticeKind.INTENDED, title=title, body=body, on=day)
    return _save(actor, case, before, "notify")


# --- delivery ------------------------------------------------------------------------------


def _window_step(kind: str) -> str:
    windows: dict[str, str] = {
        CaseNoticeKind.INTENDED: "defence",
        CaseNoticeKind.DECISION: "appeal",
    }
    return windows.get(kind, "")


def _delivered(actor: User, notice: CaseNotice, delivery: str, day: dt.date) -> CaseNotice:
    if notice.delivered_on is not None:
        return notice
    before = notice.audit_snapshot()
    notice.delivered_on, notice.delivery = day, delivery
    notice.save(update_fields=["delivered_on", "delivery"])
    audit_append(actor=actor, action="integrity.notice.deliver", target=notice, before=before)
    window = _window_step(notice.kind)
    case = Case.objects.select_for_update().get(pk=notice.case_id)
    latest = case.notices.filter(kind=notice.kind).order_by("-id").first()
    if window and latest is not None and latest.pk == notice.pk:
        regime = _regime(case)
        before_case = case.audit_snapshot()
        case.person_due_on = after(day, regime.deadline(window))
        if notice.kind == CaseNoticeKind.INTENDED and case.status == CaseStatus.NOTIFIED:
            case.due_on = after(case.person_due_on or day, regime.deadline("decide"))
            case.due_rule = _rule_text(regime, "decide")
        _save(actor, case, before_case, "window")
    return notice


@transaction.atomic
def case_notice_deliver(
    *, actor: User, notice: CaseNotice, delivery: str, on: dt.date | None = None
) -> CaseNotice:
    """Staff record a notice delivered on paper (直接送达, 邮寄): the person's window starts."""
    notice = CaseNotice.objects.select_for_update().get(pk=notice.pk)
    _staff_roles(actor, notice.case)
    if delivery not in (NoticeDelivery.IN_PERSON, NoticeDelivery.POST):
        raise ValidationError(_("请选择送达方式"), code="delivery")
    day = _today(on)
    if day < notice.issued_on:
        raise ValidationError(_("送达日期不能早于制发日期"), code="delivery")
    return _delivered(actor, notice, delivery, day)


@transaction.atomic
def case_notice_read(*, actor: User, notice: CaseNotice) -> CaseNotice:
    """The person opens the notice in self-service: read now, delivered today if not before."""
    notice = CaseNotice.objects.select_for_update().get(pk=notice.pk)
    if not _subject_acts(actor, notice.case):
        raise PermissionDenied(_("仅限当事人本人阅读"))
    if notice.read_at is None:
        before = notice.audit_snapshot()
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        audit_append(actor=actor, action="integrity.notice.read", target=notice, before=before)
    return _delivered(actor, notice, NoticeDelivery.SELF_SERVICE, core_clock.today())


# --- the person's side ---------------------------------------------------------------------


def _within_window(case: Case, day: dt.date, what: str) -> None:
    if case.person_due_on is not None and day > case.person_due_on:
        raise ValidationError(
            _("%(what)s的期限已于%(day)s届满（%(rule)s）")
            % {
                "what": what,
                "day": case.person_due_on.isoformat(),
                "rule": _rule_text(_regime(case), _window_step_for(case)),
            },
            code="window",
        )


def _window_step_for(case: Case) -> str:
    return "defence" if case.status in (CaseStatus.NOTIFIED, CaseStatus.HEARING) else "appeal"


@transaction.atomic
def case_defend(
    *, actor: User, case: Case, text: str = "", waived: bool = False, on: dt.date | None = None
) -> Case:
    """陈述和申辩 (or the person's waiver), within the window the notice opened."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    if case.status == CaseStatus.NOTIFIED:
        _within_window(case, day, _("陈述和申辩"))
    text = text.strip()
    if not waived and not text:
        raise ValidationError(_("请填写陈述和申辩的内容，或选择放弃"), code="required")
    before = _step(actor=actor, case=case, action="defend", on=day, note=text[:200])
    by_subject = is_subject_user(actor)
    statement = CaseStatement.objects.create(
        case=case,
        step="defend",
        text=text,
        waived=waived,
        by_subject=by_subject,
        entered_by=_label(actor),
        on=day,
    )
    audit_append(actor=actor, action="integrity.statement.add", target=statement, before=None)
    regime = _regime(case)
    case.due_on = after(day, regime.deadline("decide"))
    case.due_rule = _rule_text(regime, "decide")
    return _save(actor, case, before, "defend")


@transaction.atomic
def case_hearing_request(*, actor: User, case: Case, on: dt.date | None = None) -> Case:
    """The person asks for a hearing, where the regime gives one, within the window."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    _within_window(case, day, _("申请听证"))
    before = _step(actor=actor, case=case, action="request_hearing", on=day)
    regime = _regime(case)
    case.due_on = after(day, regime.deadline("decide"))
    case.due_rule = _rule_text(regime, "decide")
    title, body = notices.hearing(case, regime, day)
    _issue(actor=actor, case=case, kind=CaseNoticeKind.HEARING, title=title, body=body, on=day)
    return _save(actor, case, before, "request_hearing")


@transaction.atomic
def case_hearing_record(*, actor: User, case: Case, text: str, on: dt.date | None = None) -> Case:
    """The hearing's record (听证笔录摘要)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    text = _required(text, _("听证情况"))
    before = _step(actor=actor, case=case, action="hold_hearing", on=day, note=text[:200])
    statement = CaseStatement.objects.create(
        case=case, step="hearing", text=text, entered_by=_label(actor), on=day
    )
    audit_append(actor=actor, action="integrity.statement.add", target=statement, before=None)
    regime = _regime(case)
    case.due_on = after(day, regime.deadline("decide"))
    case.due_rule = _rule_text(regime, "decide")
    return _save(actor, case, before, "hold_hearing")


# --- the decision --------------------------------------------------------------------------


def _end(terms: Sequence[clock.Term], kinds: Sequence[str]) -> dt.date | None:
    ends = [t.ends_on for t in terms if t.kind in kinds and not t.absorbed and t.ends_on]
    return max(ends) if ends else None


def _joined(terms: Sequence[clock.Term]) -> str:
    return "；".join(notices.term_text(term) for term in terms)


def _payload(
    case: Case, regime: Regime, terms: Sequence[clock.Term], fields: dict[str, Any]
) -> dict[str, Any]:
    """The finding's record fields, from the case and its terms (the clock's dates)."""
    item = regime.record_item
    executed = [t for t in terms if not t.absorbed]
    if item == "JY-SD-02":
        handled = [t for t in executed if t.kind in ETHICS_HANDLING]
        heaviest = max(
            handled,
            key=lambda t: clock.RULES[t.kind].rank * 10 + (1 if t.ends_on else 0),
            default=None,
        )
        disqualified = [t for t in executed if t.kind == "disqualification" or t.kind in SUPERVISOR]
        payload: dict[str, Any] = {
            "misconduct": case.misconduct_type,
            "handling": ETHICS_HANDLING[heaviest.kind] if heaviest else "批评教育",
            "employer": case.institution.name if case.institution else case.organisation.name,
        }
        if disqualified:
            payload["disqualification"] = "；".join(t.label for t in disqualified)
            until = _end(disqualified, [t.kind for t in disqualified])
            if until:
                payload["disqualified_until"] = until
        until = _end(executed, [k for k, rule in clock.RULES.items() if rule.disciplinary])
        if until:
            payload["sanction_until"] = until
        return payload
    if item == "JY-XS-01":
        return {
            "misconduct_type": case.misconduct_type,
            "facts": case.facts,
            "serious_circumstances": bool(fields.get("serious_circumstances")),
            "sanctions": _joined(terms),
            "remedy": case.remedy,
        }
    if item == "JY-KY-01":
        bans = [t for t in executed if t.kind in RESEARCH_TIERS]
        payload = {
            "misconduct_type": case.misconduct_type,
            "facts": case.facts,
            "handling_result": _joined(terms),
            "handling_basis": case.basis,
            "handling_body": case.organisation.name,
            "effective_on": case.decided_on,
        }
        if bans:
            payload["ban_tier"] = RESEARCH_TIERS[bans[0].kind]
            if bans[0].ends_on:
                payload["sanction_until"] = bans[0].ends_on
        if fields.get("aggravating"):
            if str(fields["aggravating"]) not in RESEARCH_AGGRAVATING:
                raise ValidationError(_("从重情节不在规定列举的情形之中"), code="aggravating")
            payload["aggravating"] = str(fields["aggravating"])
        return payload
    if item == "JY-KS-01":
        payload = {
            "exam_name": _required(str(fields.get("exam_name", "")), _("考试名称")),
            "exam_date": fields.get("exam_date"),
            "violation_kind": case.misconduct_type,
            "facts": case.facts,
            "handling": _joined(terms),
        }
        until = _end(executed, EXAM_BANS)
        if until:
            payload["exam_ban_until"] = until
        return payload
    raise ValidationError(_("该规定没有对应的信用记录目录条目"))  # pragma: no cover


def _qualification_payload(case: Case, term: clock.Term, fields: dict[str, Any]) -> dict[str, Any]:
    """JY-ZG-01 / JY-ZG-02 from the decision: the reapplication day is the clock's."""
    payload = {
        "qualification_kind": _required(
            str(fields.get("qualification_kind", "")), _("教师资格种类")
        ),
        "certificate_number": _required(
            str(fields.get("certificate_number", "")), _("教师资格证书编号")
        ),
        "ground": _required(str(fields.get("ground", "")), _("撤销或丧失情形")),
    }
    if term.kind == "qualification_revocation":
        return {**payload, "facts": case.facts, "reapply_from": term.ends_on}
    return {
        **payload,
        "judgment_number": _required(str(fields.get("judgment_number", "")), _("刑事判决书文号")),
    }


def _record(case: Case, regime: Regime, payload: dict[str, Any], *, code: str = "") -> CreditRecord:
    code = code or regime.record_item
    item = catalog_item_by_code(code, case.decided_on)
    if item is None:
        raise ValidationError(
            _("目录中没有施行中的条目 %(code)s，不能记录处理结果") % {"code": code}
        )
    record = records.credit_record_create(
        actor=DECISION_RECORDER,
        on_behalf_of=case.organisation,
        source=CreditRecordSource.SYSTEM,
        catalog_item=item,
        person=case.person,
        title=f"{clock.in_chinese(regime.name)}处理决定",
        decision_number=case.number,
        issuing_body=case.organisation.name,
        issuing_body_uscc=case.organisation.uscc or "",
        decision_date=case.decided_on,  # type: ignore[arg-type]
        payload=payload,
    )
    return records.credit_record_submit(actor=DECISION_RECORDER, record=record)


@transaction.atomic
def case_decide(
    *,
    actor: User,
    case: Case,
    facts: str,
    reasons: str,
    basis: str,
    sanctions: Sequence[dict[str, Any] | clock.Requested],
    remedy: str,
    combined_months: int | None = None,
    record_fields: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Case:
    """作出处理决定: the written decision with its remedy, its terms and the credit record."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    regime = _regime(case)
    if case.status == CaseStatus.NOTIFIED and (
        case.person_due_on is None or day <= case.person_due_on
    ):
        raise ValidationError(
            _("当事人陈述和申辩的期限尚未届满，不能作出决定（%(rule)s）")
            % {"rule": _rule_text(regime, "defence")},
            code="window",
        )
    case.facts = _required(facts, _("认定的事实"))
    case.reasons = _required(reasons, _("理由"))
    case.basis = _required(basis, _("依据"))
    case.remedy = _required(remedy, _("救济途径和期限"))
    appeal = regime.deadline("appeal")
    if appeal is not None and notices.period_text(appeal) not in case.remedy:
        raise ValidationError(
            _("救济途径和期限应写明申请复核或申诉的期限：%(period)s（%(source)s）")
            % {"period": notices.period_text(appeal), "source": appeal.source},
            code="remedy",
        )
    terms = case_terms(case, sanctions, start=day, combined_months=combined_months)
    before = _step(actor=actor, case=case, action="decide", on=day)
    case.decided_on, case.decided_by = day, actor
    case.due_on, case.due_rule, case.person_due_on = None, "", None
    for term in terms:
        row = CaseSanction.objects.create(
            case=case,
            person=case.person,
            kind=term.kind,
            label=term.label,
            basis=term.basis,
            starts_on=term.starts_on,
            ends_on=term.ends_on,
            months=term.months,
            permanent=term.permanent,
            absorbed=term.absorbed,
            capped=term.capped,
            reverses=term.reverses,
            capped_kind=term.kind in clock.CAPPED_KINDS,
        )
        audit_append(actor=actor, action="integrity.sanction.impose", target=row, before=None)
    fields = record_fields or {}
    case.record = _record(case, regime, _payload(case, regime, terms, fields))
    for term in terms:
        if term.kind in QUALIFICATION:
            case.qualification_record = _record(
                case,
                regime,
                _qualification_payload(case, term, fields),
                code=QUALIFICATION[term.kind],
            )
    title, body = notices.decision(case, regime, terms, day)
    _issue(actor=actor, case=case, kind=CaseNoticeKind.DECISION, title=title, body=body, on=day)
    return _save(actor, case, before, "decide")


# --- appeal and closing ----------------------------------------------------------------------


@transaction.atomic
def case_appeal(*, actor: User, case: Case, text: str, on: dt.date | None = None) -> Case:
    """复核/申诉 within the regime's window from the decision's delivery (does not suspend it)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    text = _required(text, _("复核或申诉的理由"))
    if case.status == CaseStatus.DECIDED:
        _within_window(case, day, _("申请复核或申诉"))
    before = _step(actor=actor, case=case, action="appeal", on=day, note=text[:200])
    regime = _regime(case)
    case.appeal_text, case.appeal_filed_on = text, day
    # Where the rule sets no time to accept, its time to answer runs from the filing (教师法 §39).
    clock_step = "appeal_accept" if regime.deadline("appeal_accept") else "appeal_decide"
    case.due_on = after(day, regime.deadline(clock_step))
    case.due_rule = _rule_text(regime, clock_step)
    statement = CaseStatement.objects.create(
        case=case,
        step="appeal",
        text=text,
        by_subject=is_subject_user(actor),
        entered_by=_label(actor),
        on=day,
    )
    audit_append(actor=actor, action="integrity.statement.add", target=statement, before=None)
    return _save(actor, case, before, "appeal")


def _not_the_decider(actor: User, case: Case) -> None:
    if case.decided_by_id is not None and case.decided_by_id == actor.pk:
        raise PermissionDenied(_("复核应由未参与原决定的人员办理"))


@transaction.atomic
def case_appeal_accept(*, actor: User, case: Case, on: dt.date | None = None) -> Case:
    """受理复核: the review starts (the decision stays in force meanwhile)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _not_the_decider(actor, case)
    day = _today(on)
    before = _step(actor=actor, case=case, action="appeal_accept", on=day)
    regime = _regime(case)
    if regime.deadline("appeal_accept"):  # else the answer's time already runs from the filing
        case.due_on = after(day, regime.deadline("appeal_decide"))
        case.due_rule = _rule_text(regime, "appeal_decide")
    title, body = notices.appeal_answer(case, regime, CaseNoticeKind.APPEAL_ACCEPTED, "", day)
    _issue(
        actor=actor, case=case, kind=CaseNoticeKind.APPEAL_ACCEPTED, title=title, body=body, on=day
    )
    return _save(actor, case, before, "appeal_accept")


@transaction.atomic
def case_appeal_reject(*, actor: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """复核不予受理, with the reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _not_the_decider(actor, case)
    day = _today(on)
    reason = _required(reason, _("不予受理的理由"))
    before = _step(actor=actor, case=case, action="appeal_reject", on=day, note=reason)
    case.closing_reason, case.due_on, case.due_rule = reason, None, ""
    title, body = notices.appeal_answer(
        case, _regime(case), CaseNoticeKind.APPEAL_REJECTED, reason, day
    )
    _issue(
        actor=actor, case=case, kind=CaseNoticeKind.APPEAL_REJECTED, title=title, body=body, on=day
    )
    return _save(actor, case, before, "appeal_reject", reason)


@transaction.atomic
def case_appeal_decide(
    *, actor: User, case: Case, outcome: str, reason: str, on: dt.date | None = None
) -> Case:
    """The review's decision: upheld, or revoked — the record revoked, the sanctions ended."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _not_the_decider(actor, case)
    day = _today(on)
    reason = _required(reason, _("复核理由"))
    if outcome not in (AppealOutcome.UPHELD, AppealOutcome.REVOKED):
        raise ValidationError(
            _("复核结论为维持或撤销；变更处理的，撤销原决定后重新立案作出决定"), code="outcome"
        )
    before = _step(actor=actor, case=case, action="appeal_decide", on=day, note=reason)
    case.appeal_outcome, case.closing_reason = outcome, reason
    case.due_on, case.due_rule = None, ""
    if outcome == AppealOutcome.REVOKED:
        for row in case.sanctions.filter(revoked_on__isnull=True):
            row_before = row.audit_snapshot()
            row.revoked_on = day
            row.save(update_fields=["revoked_on"])
            audit_append(
                actor=actor, action="integrity.sanction.revoke", target=row, before=row_before
            )
        if case.record is not None:
            records.credit_record_revoke(actor=actor, record=case.record, reason=reason)
    title, body = notices.appeal_answer(
        case, _regime(case), CaseNoticeKind.APPEAL_DECISION, reason, day
    )
    _issue(
        actor=actor, case=case, kind=CaseNoticeKind.APPEAL_DECISION, title=title, body=body, on=day
    )
    return _save(actor, case, before, "appeal_decide", reason)


@transaction.atomic
def case_close(*, actor: User, case: Case, on: dt.date | None = None) -> Case:
    """结案 once the appeal window has passed with no appeal."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    day = _today(on)
    if case.person_due_on is None or day <= case.person_due_on:
        raise ValidationError(
            _("申请复核或申诉的期限尚未届满（或处理决定书尚未送达），不能结案"), code="window"
        )
    before = _step(actor=actor, case=case, action="close", on=day)
    return _save(actor, case, before, "close")
