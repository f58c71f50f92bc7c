"""Writing credit records: entry, review and every later step of their life cycle.

Every change of status goes through ``_transition``: it checks the ONE table in
``records.lifecycle``, the actor's role and jurisdiction, saves the record, writes a
``CreditRecordTransition`` and an audit entry with the reason, all in one transaction. Records
are never deleted and never moved with ``queryset.update(status=...)``.

An actor is a staff ``User``, an ``ApiClient`` (acting as ``api:<key prefix>`` with a clerk's
rights on behalf of its organisation) or a system label such as ``"system:daily"`` (the daily
job, which alone may expire records).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from educredit.accounts.choices import UserRole
from educredit.accounts.models import ApiClient, Organisation, User
from educredit.audit.services import audit_append
from educredit.catalog import schema as catalog_schema
from educredit.catalog.choices import SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core import clock
from educredit.core.i18n import Bilingual
from educredit.core.identifiers import IdentifierError, validate_uscc
from educredit.records import lifecycle, minors, windows
from educredit.records.choices import CreditRecordSource, CreditRecordStatus, DecisionProcedure
from educredit.records.models import CreditRecord, CreditRecordTransition
from educredit.records.signals import credit_record_transitioned
from educredit.subjects.models import Institution, Person

ActorLike = User | ApiClient | str

TITLE_MAX = 300
DECISION_NUMBER_MAX = 120
ISSUING_BODY_MAX = 200
# The checked text fields: (name, label, max length, required). Labels stay lazy, so a field
# that passes costs no translation lookup (an import checks a million rows).
_TEXT_FIELDS = (
    ("title", gettext_lazy("事由"), TITLE_MAX, True),
    ("decision_number", gettext_lazy("决定文书号"), DECISION_NUMBER_MAX, False),
    ("issuing_body", gettext_lazy("认定单位"), ISSUING_BODY_MAX, True),
)
_PROCEDURES = frozenset(DecisionProcedure.values)
_SOURCES = frozenset(CreditRecordSource.values)


class RecordError(ValueError):
    """A write was refused for its content; ``errors`` maps field names to bilingual messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"": errors}
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Actor:
    """Who acts: the user (if any), the audit label, the organisation and the roles held."""

    user: User | None
    label: str
    organisation: Organisation | None
    roles: frozenset[str]

    @property
    def audit_actor(self) -> Any:
        return self.user if self.user is not None else self.label

    @property
    def is_system(self) -> bool:
        return self.organisation is None and lifecycle.SYSTEM in self.roles


def actor_of(actor: ActorLike) -> Actor:
    """Normalise a user, an API client or a ``system:`` label into an ``Actor``."""
    if isinstance(actor, User):
        if not actor.is_active or actor.organisation is None:
            raise PermissionDenied(_("无权操作"))
        return Actor(actor, actor.get_username(), actor.organisation, frozenset(actor.roles()))
    if isinstance(actor, ApiClient):
        if not actor.is_active:
            raise PermissionDenied(_("无权操作"))
        return Actor(
            None,
            f"api:{actor.key_prefix}",
            actor.organisation,
            frozenset({UserRole.CLERK}),
        )
    if isinstance(actor, str) and actor.startswith("system:"):
        return Actor(None, actor, None, frozenset({lifecycle.SYSTEM}))
    raise PermissionDenied(_("无权操作"))


# --- checks -------------------------------------------------------------------------------


def _subject_visible(actor: Actor, institution: Institution | None, person: Person | None) -> bool:
    if actor.is_system:
        return True
    who: Any = actor.user if actor.user is not None else _OrgReader(actor.organisation)
    if institution is not None:
        return Institution.objects.visible_to(who).filter(pk=institution.pk).exists()
    if person is None:
        return False
    return Person.objects.visible_to(who).filter(pk=person.pk).exists()


def credit_record_item_check(*, actor: ActorLike, catalog_item: CatalogItem) -> None:
    """Raise ``RecordError`` if ``actor``'s organisation may not record ``catalog_item`` (for
    an import to refuse a whole file before its rows)."""
    _require_recordable(actor_of(actor), catalog_item)


def _require_recordable(actor: Actor, item: CatalogItem) -> None:
    """Refuse an item the actor's organisation may not record (the catalog's recorder kinds:
    an administrative penalty is recorded by a bureau with that power, never by a school)."""
    if actor.is_system or item.recordable_by(actor.organisation):
        return
    raise RecordError(
        {
            "catalog_item": _("本单位（%(kind)s）不能录入“%(item)s”：目录规定该条目由%(kinds)s录入")
            % {
                "kind": actor.organisation.get_kind_display() if actor.organisation else "",
                "item": item.name,
                "kinds": "、".join(item.recorder_kind_labels()),
            }
        }
    )


@dataclass(frozen=True)
class _OrgReader:
    """Stands in for a user in ``visible_to`` (an API client's organisation)."""

    organisation: Organisation | None
    is_authenticated: bool = True


def _require_covers(actor: Actor, record: CreditRecord) -> None:
    if actor.is_system:
        return
    if actor.organisation is None or not actor.organisation.covers(record.organisation):
        raise PermissionDenied(_("该记录不在您的管辖范围内"))


def _clean_text(value: Any, *, field: str, label: Any, max_length: int, required: bool) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise RecordError({field: _("%(label)s为必填项") % {"label": label}})
    if len(text) > max_length:
        raise RecordError(
            {
                field: _("%(label)s过长（最多 %(n)d 字）/ %(label)s is too long (at most %(n)d)")
                % {"label": label, "n": max_length}
            }
        )
    return text


def clean_uscc_optional(value: Any, *, field: str = "issuing_body_uscc") -> str:
    """The issuing body's 统一社会信用代码 in canonical form (checked by the one USCC
    validation, ``core.identifiers.validate_uscc``), or "" when none is given."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return validate_uscc(text).code
    except IdentifierError as error:
        raise RecordError(
            {
                field: Bilingual(
                    f"认定单位统一社会信用代码：{error.zh}",
                    f"Issuing body's credit code: {error.en}",
                )
            }
        ) from None


def validate_payload(item: CatalogItem, payload: dict[str, Any] | None) -> dict[str, Any]:
    """Check ``payload`` against the item's ``field_schema`` (``catalog.schema``); cleaned.

    Raises ``RecordError`` naming every offending field as ``payload.<name>``.
    """
    try:
        return catalog_schema.validate_payload(item, payload if payload is not None else {})
    except catalog_schema.PayloadError as exc:
        raise RecordError(
            {
                ("payload" if name == "__all__" else f"payload.{name}"): message
                for name, message in exc.errors.items()
            }
        ) from exc


def _subject_matches(
    item: CatalogItem, institution: Institution | None, person: Person | None
) -> None:
    if (institution is None) == (person is None):
        raise RecordError(
            {"subject": _("须指定一个主体（机构或个人）/ Choose exactly one subject")}
        )
    if item.subject_type == SubjectType.INSTITUTION and person is not None:
        raise RecordError({"subject": _("该目录条目只适用于机构")})
    if item.subject_type == SubjectType.PERSON and institution is not None:
        raise RecordError({"subject": _("该目录条目只适用于自然人")})


# --- windows ------------------------------------------------------------------------------


def _apply_window(record: CreditRecord) -> None:
    """Recompute the disclosure window (``records.windows``, owned by the windows work).

    Pending statuses get no window; ending ones end it on the day of their transition.
    """
    windows.record_window_apply(record)


def _now() -> datetime.datetime:
    return timezone.now()


# --- entry --------------------------------------------------------------------------------


@transaction.atomic
def credit_record_create(
    *,
    actor: ActorLike,
    catalog_item: CatalogItem,
    institution: Institution | None = None,
    person: Person | None = None,
    title: str,
    decision_number: str = "",
    issuing_body: str,
    issuing_body_uscc: str = "",
    decision_date: datetime.date,
    procedure: str = DecisionProcedure.ORDINARY,
    corrected_minor_violation: bool = False,
    payload: dict[str, Any] | None = None,
    source: str = CreditRecordSource.PAGE,
    on_behalf_of: Organisation | None = None,
) -> CreditRecord:
    """A new draft record about one subject, owned by the actor's organisation.

    A ``system:`` actor records only ``on_behalf_of`` the organisation that owns the record (an
    automatic check of that body's, such as a commitment's 网络核验); it may submit the record,
    never approve it, so a person of that body still reviews it before it takes effect."""
    who = actor_of(actor)
    if who.is_system and on_behalf_of is not None:
        who = Actor(None, who.label, on_behalf_of, who.roles)
    elif who.is_system or not who.roles & lifecycle.CLERKS:
        raise PermissionDenied(_("只有录入员或管理员可以录入信用记录"))
    elif on_behalf_of is not None:
        raise PermissionDenied(_("无权操作"))
    _subject_matches(catalog_item, institution, person)
    _require_recordable(who, catalog_item)
    if not _subject_visible(who, institution, person):
        raise PermissionDenied(_("该主体不在您的管辖范围内"))
    fields = _clean_fields(
        catalog_item=catalog_item,
        title=title,
        decision_number=decision_number,
        issuing_body=issuing_body,
        issuing_body_uscc=issuing_body_uscc,
        decision_date=decision_date,
        procedure=procedure,
        source=source,
    )
    cleaned_payload = validate_payload(catalog_item, payload)
    if (
        fields["decision_number"]
        and CreditRecord.objects.filter(
            catalog_item=catalog_item,
            issuing_body_uscc=fields["issuing_body_uscc"],
            decision_number=fields["decision_number"],
        ).exists()
    ):
        raise RecordError({"decision_number": _("该认定单位的此决定文书已录入")})
    record = CreditRecord(
        catalog_item=catalog_item,
        institution=institution,
        person=person,
        organisation=who.organisation,
        status=CreditRecordStatus.DRAFT,
        severity=catalog_item.severity,
        corrected_minor_violation=bool(corrected_minor_violation),
        payload=cleaned_payload,
        created_by=who.user,
        **fields,
    )
    record.made_while_minor = minors.record_made_while_minor(record)
    _apply_window(record)
    record.save()
    _log_transition(record, "", CreditRecordStatus.DRAFT, who, "")
    audit_append(actor=who.audit_actor, action="records.create", target=record, before=None)
    return record


def _clean_fields(
    *,
    catalog_item: CatalogItem,
    title: str,
    decision_number: str,
    issuing_body: str,
    issuing_body_uscc: str,
    decision_date: Any,
    procedure: str,
    source: str,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    given = {"title": title, "decision_number": decision_number, "issuing_body": issuing_body}
    for field, label, max_length, required in _TEXT_FIELDS:
        try:
            out[field] = _clean_text(
                given[field], field=field, label=label, max_length=max_length, required=required
            )
        except RecordError as exc:
            errors.update(exc.errors)
    try:
        out["issuing_body_uscc"] = clean_uscc_optional(issuing_body_uscc)
    except RecordError as exc:
        errors.update(exc.errors)
    if isinstance(decision_date, str):
        try:
            decision_date = datetime.date.fromisoformat(decision_date.strip())
        except ValueError:
            decision_date = None
    if not isinstance(decision_date, datetime.date):
        errors["decision_date"] = _("决定日期无效")
    elif decision_date > clock.today():
        errors["decision_date"] = _("决定日期不能晚于今天")
    out["decision_date"] = decision_date
    if procedure not in _PROCEDURES:
        errors["procedure"] = _("程序无效")
    out["procedure"] = procedure
    if source not in _SOURCES:
        errors["source"] = _("来源无效")
    out["source"] = source
    if errors:
        raise RecordError(errors)
    return out


EDITABLE_FIELDS = frozenset(
    {
        "title",
        "decision_number",
        "issuing_body",
        "issuing_body_uscc",
        "decision_date",
        "procedure",
        "corrected_minor_violation",
        "payload",
    }
)


@transaction.atomic
def credit_record_update(
    *,
    actor: ActorLike,
    record: CreditRecord,
    reason: str = "",
    **changes: Any,
) -> CreditRecord:
    """Change a draft's content (title, decision facts, procedure, payload). Drafts only."""
    who = actor_of(actor)
    record = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if who.is_system or not who.roles & lifecycle.CLERKS:
        raise PermissionDenied(_("只有录入员或管理员可以修改草稿"))
    _require_covers(who, record)
    if record.status != CreditRecordStatus.DRAFT:
        raise RecordError(_("只有草稿可以修改"))
    before = record.audit_snapshot()
    _apply_changes(record, changes)
    record.save()
    audit_append(
        actor=who.audit_actor, action="records.update", target=record, before=before, reason=reason
    )
    return record


@transaction.atomic
def credit_record_correct(
    *,
    actor: ActorLike,
    record: CreditRecord,
    reason: str,
    **changes: Any,
) -> CreditRecord:
    """Correct an effective decision (变更: e.g. a review reduced the fine); reviewers only.

    The record keeps its status; its window follows a changed decision date. The correction
    is audited and announced (``credit_record_transitioned``, action "correct") so that what
    was reported is reported again.
    """
    who = actor_of(actor)
    record = (
        CreditRecord.objects.select_for_update().select_related("catalog_item").get(pk=record.pk)
    )
    if who.is_system or not who.roles & lifecycle.REVIEWERS:
        raise PermissionDenied(_("只有审核员或管理员可以更正生效记录"))
    _require_covers(who, record)
    if record.status not in (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION):
        raise RecordError(_("只有生效的记录可以更正"))
    reason = (reason or "").strip()
    if not reason:
        raise RecordError({"reason": _("请填写理由")})
    before = record.audit_snapshot()
    _apply_changes(record, changes)
    record.save()
    audit_append(
        actor=who.audit_actor, action="records.correct", target=record, before=before, reason=reason
    )
    credit_record_transitioned.send(
        sender=CreditRecord, record=record, action="correct", from_status=record.status, actor=who
    )
    return record


def _apply_changes(record: CreditRecord, changes: dict[str, Any]) -> None:
    """Validate and set content changes on a locked record, and recompute its window."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RecordError(_("不可修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    fields = _clean_fields(
        catalog_item=record.catalog_item,
        title=changes.get("title", record.title),
        decision_number=changes.get("decision_number", record.decision_number),
        issuing_body=changes.get("issuing_body", record.issuing_body),
        issuing_body_uscc=changes.get("issuing_body_uscc", record.issuing_body_uscc),
        decision_date=changes.get("decision_date", record.decision_date),
        procedure=changes.get("procedure", record.procedure),
        source=record.source,
    )
    if "payload" in changes:
        record.payload = validate_payload(record.catalog_item, changes["payload"])
    if fields["decision_number"] and (
        CreditRecord.objects.filter(
            catalog_item=record.catalog_item,
            issuing_body_uscc=fields["issuing_body_uscc"],
            decision_number=fields["decision_number"],
        )
        .exclude(pk=record.pk)
        .exists()
    ):
        raise RecordError({"decision_number": _("该认定单位的此决定文书已录入")})
    for name, value in fields.items():
        setattr(record, name, value)
    if "corrected_minor_violation" in changes:
        record.corrected_minor_violation = bool(changes["corrected_minor_violation"])
    # The decision date may have moved across the 18th birthday: the flag follows the facts.
    record.made_while_minor = minors.record_made_while_minor(record)
    _apply_window(record)


# --- transitions --------------------------------------------------------------------------


def _log_transition(
    record: CreditRecord, from_status: str, to_status: str, who: Actor, reason: str
) -> CreditRecordTransition:
    return CreditRecordTransition.objects.create(
        record=record,
        from_status=from_status,
        to_status=to_status,
        actor=who.user,
        actor_label=who.label,
        reason=reason,
        at=_now(),
    )


def _transition(
    *, actor: ActorLike, record: CreditRecord, action: str, reason: str = ""
) -> CreditRecord:
    """Take ``action`` on ``record`` if the table, role and jurisdiction allow it."""
    who = actor_of(actor)
    record = (
        CreditRecord.objects.select_for_update().select_related("catalog_item").get(pk=record.pk)
    )
    _require_covers(who, record)
    step = lifecycle.transition_for(action, record.status)
    if step is None:
        raise RecordError(
            _("当前状态（%(status)s）不允许此操作") % {"status": record.get_status_display()}
        )
    if not step.roles & who.roles:
        raise PermissionDenied(_("您的角色不能执行此操作"))
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise RecordError({"reason": _("请填写理由")})
    before = record.audit_snapshot()
    from_status = record.status
    record.status = step.to_status
    _side_effects(record, step, who)
    # The transition first: the window of an ending status starts from its date.
    _log_transition(record, from_status, step.to_status, who, reason)
    _apply_window(record)
    record.save()
    audit_append(
        actor=who.audit_actor,
        action=f"records.{action}",
        target=record,
        before=before,
        reason=reason,
    )
    credit_record_transitioned.send(
        sender=CreditRecord, record=record, action=action, from_status=from_status, actor=who
    )
    return record


def _side_effects(record: CreditRecord, step: lifecycle.Transition, who: Actor) -> None:
    if step.action == "approve":
        if record.catalog_item.two_person_rule and _took_part(record, who):
            raise PermissionDenied(_("双人审核：录入或提交人不能审核同一条记录"))
        record.reviewed_by = who.user
        record.effective_at = _now()
    elif step.action == "revoke":
        # Withdrawn from public at once: the window ends on the revocation date.
        today = clock.today()
        if record.public_until is None or record.public_until > today:
            record.public_until = today


def _took_part(record: CreditRecord, who: Actor) -> bool:
    if who.user is not None and record.created_by_id == who.user.pk:
        return True
    return record.transitions.filter(
        to_status=CreditRecordStatus.SUBMITTED, actor_label=who.label
    ).exists() or (
        record.created_by_id is None
        and record.transitions.filter(from_status="", actor_label=who.label).exists()
    )


@transaction.atomic
def credit_record_submit(
    *, actor: ActorLike, record: CreditRecord, reason: str = ""
) -> CreditRecord:
    """草稿 → 待审核."""
    return _transition(actor=actor, record=record, action="submit", reason=reason)


@transaction.atomic
def credit_record_approve(
    *, actor: ActorLike, record: CreditRecord, reason: str = ""
) -> CreditRecord:
    """待审核 → 生效, by a reviewer who (two-person rule) neither entered nor submitted it."""
    return _transition(actor=actor, record=record, action="approve", reason=reason)


@transaction.atomic
def credit_record_return(*, actor: ActorLike, record: CreditRecord, reason: str) -> CreditRecord:
    """待审核 → 草稿 (退回), with a reason."""
    return _transition(actor=actor, record=record, action="return", reason=reason)


@transaction.atomic
def credit_record_revoke(*, actor: ActorLike, record: CreditRecord, reason: str) -> CreditRecord:
    """Any open status → 已撤销, withdrawn from public at once; the withdrawal is recorded."""
    return _transition(actor=actor, record=record, action="revoke", reason=reason)


@transaction.atomic
def credit_record_mark_objection(
    *, actor: ActorLike, record: CreditRecord, reason: str
) -> CreditRecord:
    """生效 → 异议中."""
    return _transition(actor=actor, record=record, action="mark_objection", reason=reason)


@transaction.atomic
def credit_record_clear_objection(
    *, actor: ActorLike, record: CreditRecord, reason: str
) -> CreditRecord:
    """异议中 → 生效 (objection not upheld or handled)."""
    return _transition(actor=actor, record=record, action="clear_objection", reason=reason)


@transaction.atomic
def credit_record_mark_repaired(
    *, actor: ActorLike, record: CreditRecord, reason: str
) -> CreditRecord:
    """生效 → 已修复, once the minimum disclosure period is over (``repair_allowed_from``)."""
    allowed_from = (
        CreditRecord.objects.filter(pk=record.pk)
        .values_list("repair_allowed_from", flat=True)
        .get()
    )
    if allowed_from is None:
        raise RecordError(_("此类信息无需也不能信用修复"))
    if clock.today() < allowed_from:
        raise RecordError(
            _("最短公示期满后（%(day)s 起）方可信用修复") % {"day": allowed_from.isoformat()}
        )
    return _transition(actor=actor, record=record, action="mark_repaired", reason=reason)


@transaction.atomic
def credit_record_restore_after_breach(
    *, actor: ActorLike, record: CreditRecord, reason: str
) -> CreditRecord:
    """已修复 → 生效: the subject breached its repair commitment, so the record is shown again
    for its longest window (the window of an effective record is the maximum period)."""
    return _transition(actor=actor, record=record, action="restore_after_breach", reason=reason)


@transaction.atomic
def credit_record_expire(
    *, actor: ActorLike = "system:daily", record: CreditRecord, reason: str = ""
) -> CreditRecord:
    """生效 → 已届满, by the daily job only."""
    return _transition(
        actor=actor, record=record, action="expire", reason=reason or "公示期届满 / window ended"
    )


ACTIONS = {
    "submit": credit_record_submit,
    "approve": credit_record_approve,
    "return": credit_record_return,
    "revoke": credit_record_revoke,
    "mark_objection": credit_record_mark_objection,
    "clear_objection": credit_record_clear_objection,
    "mark_repaired": credit_record_mark_repaired,
    "restore_after_breach": credit_record_restore_after_breach,
}
