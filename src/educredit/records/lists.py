"""The three credit lists (红名单、严重失信主体名单、失信重点关注名单): services and selectors.

An entry cites effective basis records of the same subject, starts with a written prior notice
(事前告知, Henan regulation §28) whose objection period is counted in WORKING days on the
official calendar, is confirmed by a reviewer only once that period has run out (or an
objection was handled), and leaves the list by a published exit notice (退出公告, §37).

Objection period (``OBJECTION_WORKING_DAYS``): Henan's regulation requires the notice and the
right to object but sets no number of days, so the platform uses 5 working days from the
notice date for every list — the period common to provincial list-management rules for
陈述申辩 against a proposed serious-dishonesty listing and for the publicity (公示) of a
proposed red-list entry. A proposer may set a longer period per entry; the rule that produced
the deadline is recomputed from the stored dates and shown with the entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.models import Organisation, User
from educredit.accounts.permissions import has_power, powers_of
from educredit.audit.services import audit_append
from educredit.catalog.choices import Severity
from educredit.core.clock import today
from educredit.core.workdays import add_working_days, working_days_between
from educredit.records.choices import (
    CreditListKind,
    CreditRecordStatus,
    DecisionProcedure,
    ListEntryStatus,
    ResponsibleRole,
)
from educredit.records.models import CreditListEntry, CreditRecord, ListEntryResponsiblePerson
from educredit.records.signals import credit_list_entry_changed
from educredit.subjects.models import Affiliation, Institution, Person

Actor = User | str

OBJECTION_WORKING_DAYS = 5
OBJECTION_DAYS_MAX = 60

# Which record severities may ground an entry of each list.
BASIS_SEVERITIES: dict[str, frozenset[str]] = {
    CreditListKind.RED: frozenset({Severity.TRUSTWORTHY}),
    CreditListKind.SERIOUS: frozenset({Severity.SERIOUS}),
    # 重点关注: dishonesty short of (or pending) a serious listing; 轻微 never grounds punishment.
    CreditListKind.FOCUS: frozenset({Severity.GENERAL, Severity.SERIOUS}),
    CreditListKind.RESEARCH: frozenset({Severity.SERIOUS}),
}
# Lists that rest only on records of some catalog items (none listed: any item of the severity).
BASIS_ITEMS: dict[str, frozenset[str]] = {
    # 记入科研诚信严重失信行为数据库 follows a research-misconduct finding (科研失信行为认定).
    CreditListKind.RESEARCH: frozenset({"JY-KY-01"}),
}

# What the objection period means for each list, shown with the deadline.
OBJECTION_RULE_BASIS: dict[str, Any] = {
    CreditListKind.RED: gettext_lazy(
        "拟列入守信激励名单的公示期（《河南省社会信用条例》第二十八条：经公示无异议的方可认定）"
    ),
    CreditListKind.SERIOUS: gettext_lazy(
        "事前告知后的异议期（《河南省社会信用条例》第二十八条：书面告知依据、理由、惩戒措施和异议权利）"
    ),
    CreditListKind.FOCUS: gettext_lazy(
        "事前告知后的异议期（《河南省社会信用条例》第二十八条：书面告知依据、理由、惩戒措施和异议权利）"
    ),
    CreditListKind.RESEARCH: gettext_lazy(
        "事前告知后的异议期（《河南省社会信用条例》第二十八条：书面告知依据、理由、惩戒措施和异议权利）"
    ),
}

WRITER_ROLES = (UserRole.CLERK, UserRole.ADMIN)
REVIEWER_ROLES = (UserRole.REVIEWER, UserRole.ADMIN)

# The one table of allowed moves: (action, from) -> (to, roles).
TRANSITIONS: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("confirm", ListEntryStatus.NOTICE): (ListEntryStatus.LISTED, REVIEWER_ROLES),
    ("withdraw", ListEntryStatus.NOTICE): (ListEntryStatus.WITHDRAWN, WRITER_ROLES),
    # An entry found wrongly made is removed at once (§66); reviewers decide that.
    ("withdraw", ListEntryStatus.LISTED): (ListEntryStatus.WITHDRAWN, REVIEWER_ROLES),
    ("exit", ListEntryStatus.LISTED): (ListEntryStatus.EXITED, WRITER_ROLES + REVIEWER_ROLES),
}


class ListEntryError(ValueError):
    """A list write was refused; the message is bilingual, ``field`` names the input."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- checks -------------------------------------------------------------------------------


def _is_system(actor: Actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def _require_role(actor: Actor, organisation: Organisation, roles: Iterable[str]) -> None:
    """Refuse unless ``actor`` is a system label or holds one of ``roles`` covering the org."""
    if _is_system(actor):
        return
    if not isinstance(actor, User) or not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not actor.has_role(*roles):
        raise PermissionDenied(_("您的角色不能执行此操作"))
    if not has_power(actor, Power.CREDIT_LISTS):  # 认定机关: a bureau, never a school
        raise PermissionDenied(_("本单位无权认定信用名单"))
    if not actor.organisation.covers(organisation):
        raise PermissionDenied(_("该名单条目不在您的管辖范围内"))


def _subject_fields(subject: Institution | Person) -> dict[str, Any]:
    if isinstance(subject, Institution):
        return {"institution": subject, "person": None}
    if isinstance(subject, Person):
        return {"institution": None, "person": subject}
    raise ListEntryError(_("名单主体必须是机构或自然人"))


def _subject_covered(organisation: Organisation, subject: Institution | Person) -> bool:
    """Whether the subject lies in the organisation's jurisdiction."""
    path = organisation.path
    if isinstance(subject, Institution):
        return Institution.objects.filter(
            Q(supervisor__path__startswith=path) | Q(organisation__path__startswith=path),
            pk=subject.pk,
        ).exists()
    return Affiliation.objects.filter(
        Q(institution__supervisor__path__startswith=path)
        | Q(institution__organisation__path__startswith=path),
        person=subject,
    ).exists()


def _check_basis(
    kind: str, subject: Institution | Person, records: list[CreditRecord], path: str
) -> None:
    if not records:
        raise ListEntryError(_("请至少选择一条依据记录"), field="basis_records")
    allowed = BASIS_SEVERITIES[kind]
    subject_field = "institution_id" if isinstance(subject, Institution) else "person_id"
    for record in records:
        if getattr(record, subject_field) != subject.pk:
            raise ListEntryError(
                _("依据记录必须属于同一主体"),
                field="basis_records",
            )
        if not record.organisation.path.startswith(path):
            raise ListEntryError(
                _("依据记录不在管辖范围内"),
                field="basis_records",
            )
        if record.status != CreditRecordStatus.EFFECTIVE:
            raise ListEntryError(
                _("依据记录必须处于生效状态：%(title)s") % {"title": record.title},
                field="basis_records",
            )
        if record.severity not in allowed:
            raise ListEntryError(
                _("依据记录的信用性质不符合该名单：%(title)s") % {"title": record.title},
                field="basis_records",
            )
        items = BASIS_ITEMS.get(kind)
        if items and record.catalog_item.code not in items:
            raise ListEntryError(
                _("该名单只能以%(items)s记录为依据：%(title)s")
                % {"items": "、".join(sorted(items)), "title": record.title},
                field="basis_records",
            )
        if record.made_while_minor:
            # Henan regulation §3: minors are not credit subjects, on no list, ever.
            raise ListEntryError(
                _("未成年时作出的记录不得作为名单依据：%(title)s") % {"title": record.title},
                field="basis_records",
            )
        if kind != CreditListKind.RED and (
            record.corrected_minor_violation
            or (record.person_id and record.procedure == DecisionProcedure.SIMPLIFIED)
        ):
            # Henan regulation §13: never a basis for punishment.
            raise ListEntryError(
                _("简易程序处罚或已主动改正的轻微违法不得作为惩戒依据：%(title)s")
                % {"title": record.title},
                field="basis_records",
            )


def _transition(
    *, actor: Actor, entry: CreditListEntry, action: str, reason: str, changes: dict[str, Any]
) -> CreditListEntry:
    move = TRANSITIONS.get((action, entry.status))
    if move is None:
        raise ListEntryError(
            _("当前状态（%(status)s）不能执行此操作") % {"status": entry.get_status_display()}
        )
    to_status, roles = move
    _require_role(actor, entry.organisation, roles)
    before = entry.audit_snapshot()
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.status = to_status
    entry.save()
    audit_append(
        actor=actor, action=f"list_entry.{action}", target=entry, before=before, reason=reason
    )
    credit_list_entry_changed.send(sender=CreditListEntry, entry=entry, action=action, actor=actor)
    return entry


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def list_entry_propose(
    *,
    actor: Actor,
    kind: str,
    subject: Institution | Person,
    basis_records: Iterable[CreditRecord],
    reason: str,
    legal_basis: str,
    measures: str,
    exit_conditions: str,
    notice_date: dt.date | None = None,
    objection_days: int = OBJECTION_WORKING_DAYS,
    organisation: Organisation | None = None,
) -> CreditListEntry:
    """Propose a list entry and serve the prior notice (事前告知): the objection period starts.

    ``organisation`` (the entry's owner) defaults to the actor's; system actors must give it.
    """
    if kind not in CreditListKind.values:
        raise ListEntryError(_("未知名单"), field="kind")
    owner = organisation or (actor.organisation if isinstance(actor, User) else None)
    if owner is None:
        raise ListEntryError(_("请指定认定单位"))
    _require_role(actor, owner, WRITER_ROLES)
    if Power.CREDIT_LISTS not in powers_of(owner):
        raise PermissionDenied(_("本单位无权认定信用名单"))
    fields = _subject_fields(subject)
    if not _subject_covered(owner, subject):
        raise PermissionDenied(_("该主体不在您的管辖范围内"))
    if not reason.strip():
        raise ListEntryError(_("请填写列入理由"), field="reason")
    if kind != CreditListKind.RED and not measures.strip():
        raise ListEntryError(_("请填写惩戒措施"), field="measures")
    if not exit_conditions.strip():
        raise ListEntryError(_("请填写移出条件"), field="exit_conditions")
    if not 1 <= objection_days <= OBJECTION_DAYS_MAX:
        raise ListEntryError(
            _("异议期应为 1 至 %(max)s 个工作日") % {"max": OBJECTION_DAYS_MAX},
            field="objection_days",
        )
    records = list(
        CreditRecord.objects.filter(pk__in=[r.pk for r in basis_records]).select_related(
            "organisation", "catalog_item"
        )
    )
    _check_basis(kind, subject, records, owner.path)
    notice_on = notice_date or today()
    deadline = add_working_days(notice_on, objection_days)
    entry = CreditListEntry(
        kind=kind,
        organisation=owner,
        status=ListEntryStatus.NOTICE,
        reason=reason.strip(),
        legal_basis=legal_basis.strip(),
        measures=measures.strip(),
        exit_conditions=exit_conditions.strip(),
        notice_date=notice_on,
        objection_deadline=deadline.date,
        **fields,
    )
    entry.save()
    entry.basis_records.set(records)
    cited = ", ".join(str(r.public_id) for r in records)
    audit_append(
        actor=actor,
        action="list_entry.propose",
        target=entry,
        before=None,
        reason=f"{deadline.rule}; basis: {cited}",
    )
    credit_list_entry_changed.send(
        sender=CreditListEntry, entry=entry, action="propose", actor=actor
    )
    return entry


@transaction.atomic
def list_entry_confirm(
    *,
    actor: Actor,
    entry: CreditListEntry,
    listed_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    objection_handled: str = "",
) -> CreditListEntry:
    """List the subject (认定): after the objection deadline, or once an objection was handled.

    ``objection_handled`` records how an objection was verified and dealt with (核查处理结果);
    without it the entry cannot be confirmed before its deadline has passed.
    """
    on = listed_on or today()
    handled = objection_handled.strip()
    if entry.objection_deadline and on <= entry.objection_deadline and not handled:
        raise ListEntryError(
            _("异议期至 %(deadline)s 届满，届满前只有在异议处理完毕后才能认定")
            % {"deadline": entry.objection_deadline.isoformat()},
            field="objection_handled",
        )
    if entry.notice_date and on < entry.notice_date:
        raise ListEntryError(_("列入日期不能早于告知日期"), field="listed_on")
    if valid_until and valid_until < on:
        raise ListEntryError(_("有效期不能早于列入日期"), field="valid_until")
    if isinstance(actor, User) and _proposed_by(entry) == actor.pk:
        raise PermissionDenied(_("认定人不能是提出人"))
    return _transition(
        actor=actor,
        entry=entry,
        action="confirm",
        reason=handled,
        changes={"listed_on": on, "valid_until": valid_until},
    )


@transaction.atomic
def list_entry_withdraw(*, actor: Actor, entry: CreditListEntry, reason: str) -> CreditListEntry:
    """Withdraw a proposal (or an entry found wrongly made); the reason is required."""
    if not reason.strip():
        raise ListEntryError(_("请填写撤回理由"), field="reason")
    return _transition(
        actor=actor, entry=entry, action="withdraw", reason=reason.strip(), changes={}
    )


@transaction.atomic
def list_entry_exit(
    *, actor: Actor, entry: CreditListEntry, exited_on: dt.date, exit_notice: str
) -> CreditListEntry:
    """Take a subject off a list and publish the exit notice (退出公告, §37)."""
    if not exit_notice.strip():
        raise ListEntryError(_("请填写移出公告"), field="exit_notice")
    if entry.listed_on and exited_on < entry.listed_on:
        raise ListEntryError(_("移出日期不能早于列入日期"), field="exited_on")
    return _transition(
        actor=actor,
        entry=entry,
        action="exit",
        reason=exit_notice.strip(),
        changes={"exited_on": exited_on, "exit_notice": exit_notice.strip()},
    )


@transaction.atomic
def list_entry_link_responsible(
    *, actor: Actor, entry: CreditListEntry, person: Person, role: str
) -> ListEntryResponsiblePerson:
    """Link an institution's 法定代表人 / 主要负责人 / 直接责任人 to its entry (§35).

    The person must have worked at the institution (an affiliation, current or past).
    """
    if role not in ResponsibleRole.values:
        raise ListEntryError(_("未知责任身份"), field="role")
    if entry.institution_id is None:
        raise ListEntryError(_("只有机构的名单条目才能关联责任人"))
    if entry.status in (ListEntryStatus.WITHDRAWN, ListEntryStatus.EXITED):
        raise ListEntryError(_("该条目已结束"))
    _require_role(actor, entry.organisation, WRITER_ROLES)
    if not Affiliation.objects.filter(person=person, institution_id=entry.institution_id).exists():
        raise ListEntryError(
            _("此人未在该机构任职"),
            field="person",
        )
    link, created = ListEntryResponsiblePerson.objects.get_or_create(
        entry=entry, person=person, role=role
    )
    if created:
        audit_append(actor=actor, action="list_entry.link_responsible", target=link, before=None)
    return link


def _proposed_by(entry: CreditListEntry) -> int | None:
    """The user who proposed the entry, read from its audit entry."""
    from educredit.audit.selectors import audit_entries_for

    actor_id: int | None = (
        audit_entries_for(entry)
        .filter(action="list_entry.propose")
        .values_list("actor_id", flat=True)
        .first()
    )
    return actor_id


# --- selectors ----------------------------------------------------------------------------


def list_entries_visible_to(user: Any) -> QuerySet[CreditListEntry]:
    """Entries owned by the reader's organisation or one below it (like records)."""
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return CreditListEntry.objects.none()
    return CreditListEntry.objects.filter(organisation__path__startswith=organisation.path)


def list_entry_search(
    user: Any, *, kind: str = "", status: str = "", q: str = ""
) -> QuerySet[CreditListEntry]:
    """Visible entries filtered by list, status and subject name, newest notice first."""
    entries = list_entries_visible_to(user)
    if kind:
        entries = entries.filter(kind=kind)
    if status:
        entries = entries.filter(status=status)
    q = " ".join(q.split())
    if q:
        entries = entries.filter(Q(institution__name__icontains=q) | Q(person__name__icontains=q))
    return entries.select_related("institution", "person", "organisation").order_by(
        "-notice_date", "-pk"
    )


def access_list_entry_for_user(user: Any, public_id: Any) -> CreditListEntry:
    """One entry by public id, or 404 whether missing or outside the jurisdiction."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
        return (
            list_entries_visible_to(user)
            .select_related("institution", "person", "organisation")
            .get(public_id=key)
        )
    except (ValueError, CreditListEntry.DoesNotExist) as exc:
        raise Http404 from exc


def objection_rule(entry: CreditListEntry) -> str:
    """How the objection deadline was counted: the list's rule and the calendar used."""
    if entry.notice_date is None or entry.objection_deadline is None:
        return ""
    count = working_days_between(entry.notice_date, entry.objection_deadline)
    return _("%(basis)s：告知之日起%(rule)s") % {
        "basis": OBJECTION_RULE_BASIS[entry.kind],
        "rule": count.rule,
    }


def basis_record_candidates(
    user: Any, kind: str, subject: Institution | Person
) -> QuerySet[CreditRecord]:
    """Effective records of the subject the user sees that could ground an entry of ``kind``."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return CreditRecord.objects.none()
    subject_filter: dict[str, Any] = (
        {"institution": subject} if isinstance(subject, Institution) else {"person": subject}
    )
    candidates = CreditRecord.objects.filter(
        organisation__path__startswith=organisation.path,
        status=CreditRecordStatus.EFFECTIVE,
        severity__in=BASIS_SEVERITIES.get(kind, frozenset()),
        made_while_minor=False,
        **subject_filter,
    )
    if kind in BASIS_ITEMS:
        candidates = candidates.filter(catalog_item__code__in=BASIS_ITEMS[kind])
    return candidates.select_related("catalog_item").order_by("-decision_date", "-pk")


def _public_subjects(
    entries: QuerySet[CreditListEntry], as_of: dt.date
) -> QuerySet[CreditListEntry]:
    """Drop entries about people under 18 on ``as_of`` (never public) or of unknown age, and
    any entry citing a record made while its person was a minor (closed for good)."""
    adult_born_by = _years_before(as_of, 18)
    return entries.filter(
        Q(person__isnull=True)
        | Q(person__birth_date__isnull=False, person__birth_date__lte=adult_born_by)
    ).exclude(basis_records__made_while_minor=True)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def public_list_entries(kind: str, as_of: dt.date | None = None) -> QuerySet[CreditListEntry]:
    """Entries of ``kind`` listed and not exited on ``as_of`` (for the portal)."""
    on = as_of or today()
    entries = CreditListEntry.objects.filter(
        kind=kind,
        status__in=(ListEntryStatus.LISTED, ListEntryStatus.EXITED),
        listed_on__lte=on,
    ).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=on))
    entries = entries.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    return (
        _public_subjects(entries, on)
        .select_related("institution", "person", "organisation")
        .order_by("-listed_on", "-pk")
    )


def public_exit_notices(kind: str, as_of: dt.date | None = None) -> QuerySet[CreditListEntry]:
    """Entries of ``kind`` that left the list on or before ``as_of``: their exit notices."""
    on = as_of or today()
    entries = CreditListEntry.objects.filter(
        kind=kind, status=ListEntryStatus.EXITED, exited_on__lte=on
    )
    return (
        _public_subjects(entries, on)
        .select_related("institution", "person", "organisation")
        .order_by("-exited_on", "-pk")
    )
