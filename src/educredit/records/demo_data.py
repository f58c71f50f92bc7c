"""Demo credit records and list entries, so that every page has something to show.

``demo_credit_records`` writes, through ``records.services`` and ``records.lists`` (so every
row is audited), a record of EVERY item of the catalog in force on demo subjects in the
clerks' jurisdictions (a county's institution and teachers, a university and its teachers), in
several states, plus one entry on each list. Each item is recorded by a side whose
organisation the catalog lets record it (``CatalogItem.recorder_kinds``): penalties, licences
and the lists by the county bureau, a university's own findings (学术不端) by the university,
never a penalty by a school on itself. Run it again and it adds nothing: records are found
again by their decision number, list entries by their reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from educredit.accounts.choices import Power
from educredit.accounts.models import User
from educredit.accounts.permissions import has_power
from educredit.catalog.choices import Severity, SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.core.identifiers import uscc_check_character
from educredit.records import lists, services
from educredit.records.choices import CreditListKind, CreditRecordStatus, ResponsibleRole
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.windows import DISHONESTY
from educredit.subjects.models import Institution, Person

DEMO_REASON_PREFIX = "【演示】"
# A valid USCC of the demo's issuing bodies (a 机关, 11…, in 郑州).
_ISSUER_FIRST17 = "11410100MB0000001"
ISSUER_USCC = _ISSUER_FIRST17 + uscc_check_character(_ISSUER_FIRST17)

# The extra state each item's second record is walked to, in turn.
EXTRA_STATES = (
    CreditRecordStatus.REVOKED,
    CreditRecordStatus.UNDER_OBJECTION,
    CreditRecordStatus.EXPIRED,
    CreditRecordStatus.REPAIRED,
)


@dataclass
class DemoCreditReport:
    """What the demo wrote (or found already written)."""

    records: dict[str, int] = field(default_factory=dict)  # by status
    items: int = 0
    entries: list[CreditListEntry] = field(default_factory=list)

    def count(self, status: str) -> None:
        self.records[status] = self.records.get(status, 0) + 1


@dataclass(frozen=True)
class _Side:
    """One clerk with a reviewer covering them, and the subjects in their jurisdiction."""

    clerk: User
    reviewer: User
    institution: Institution
    people: list[Person]


# Fields whose text must come from a code table (行政处罚法 §9) or agree with another field.
REALISTIC = {
    "penalty_category": "警告;罚款",
    "penalty_content": "警告，并处罚款1.5万元（演示）",
}


def demo_payload(
    item: CatalogItem, decision: datetime.date, institution: Institution
) -> dict[str, Any]:
    """A value for every field of the item's schema, valid for its type."""
    payload: dict[str, Any] = {}
    for spec in item.field_schema or []:
        if spec["name"] in REALISTIC:
            payload[spec["name"]] = REALISTIC[spec["name"]]
            continue
        kind = spec.get("type", "text")
        label = spec.get("label", spec["name"])
        if kind == "date":
            value: Any = decision.isoformat()
        elif kind == "decimal":
            value = "1.5"
        elif kind == "integer":
            value = 1
        elif kind == "boolean":
            value = True
        elif kind == "choice":
            choices = spec.get("choices") or [""]
            first = choices[0]
            value = first[0] if isinstance(first, list | tuple) else first
        elif kind == "uscc":
            value = institution.uscc or ISSUER_USCC
        else:
            value = f"{label}（演示）"[: int(spec.get("max_length", 2000))]
        payload[spec["name"]] = value
    return payload


def _record(
    *,
    side: _Side,
    item: CatalogItem,
    subject: Institution | Person,
    number: str,
    decision: datetime.date,
    status: str,
    report: DemoCreditReport,
) -> CreditRecord:
    """One record of ``item`` walked to ``status`` (found again if already written)."""
    existing = CreditRecord.objects.filter(
        catalog_item=item, issuing_body_uscc=ISSUER_USCC, decision_number=number
    ).first()
    if existing is not None:
        report.count(existing.status)
        return existing
    record = services.credit_record_create(
        actor=side.clerk,
        catalog_item=item,
        institution=subject if isinstance(subject, Institution) else None,
        person=subject if isinstance(subject, Person) else None,
        title=f"{item.name}（演示）",
        decision_number=number,
        issuing_body=side.clerk.organisation.name if side.clerk.organisation else "",
        issuing_body_uscc=ISSUER_USCC,
        decision_date=decision,
        payload=demo_payload(item, decision, side.institution),
    )
    if status == CreditRecordStatus.REVOKED:
        record = services.credit_record_submit(actor=side.clerk, record=record)
        record = services.credit_record_approve(actor=side.reviewer, record=record)
        record = services.credit_record_revoke(
            actor=side.reviewer, record=record, reason="原决定被依法撤销（演示）"
        )
    else:
        record = services.credit_record_submit(actor=side.clerk, record=record)
        record = services.credit_record_approve(actor=side.reviewer, record=record)
        if status == CreditRecordStatus.UNDER_OBJECTION:
            record = services.credit_record_mark_objection(
                actor=side.reviewer, record=record, reason="当事人提出异议（演示）"
            )
        elif status == CreditRecordStatus.EXPIRED:
            record = services.credit_record_expire(record=record)
        elif status == CreditRecordStatus.REPAIRED:
            record = services.credit_record_mark_repaired(
                actor=side.reviewer, record=record, reason="已履行义务并完成信用修复（演示）"
            )
    report.count(record.status)
    return record


def _fits(side: _Side, item: CatalogItem) -> bool:
    """Whether the side's clerk may record ``item`` and the side has a subject of its type."""
    if not item.recordable_by(side.clerk.organisation):
        return False
    return item.subject_type != SubjectType.PERSON or bool(side.people)


def _subjects(side: _Side, item: CatalogItem, index: int) -> Institution | Person:
    if item.subject_type == SubjectType.PERSON and side.people:
        return side.people[index % len(side.people)]
    return side.institution


def demo_credit_records(
    *,
    county_clerk: User,
    county_reviewer: User,
    county_institution: Institution,
    county_people: Iterable[Person],
    university_clerk: User,
    university_reviewer: User,
    university: Institution,
    university_people: Iterable[Person],
    items: Iterable[CatalogItem] | None = None,
    as_of: datetime.date | None = None,
) -> DemoCreditReport:
    """Records of every catalog item on both sides, in several states, and one entry per list.

    ``items`` defaults to the catalog in force on ``as_of``. Items about people need at least
    one person on a side; an item whose subject a side lacks, or that the side's organisation
    may not record, is written on the other side (and skipped if neither may).
    """
    on = as_of or today()
    if items is None:
        from educredit.catalog.selectors import catalog_items, current_catalog_version

        version = current_catalog_version(on)
        items = catalog_items(version) if version is not None else []
    sides = [
        _Side(county_clerk, county_reviewer, county_institution, list(county_people)),
        _Side(university_clerk, university_reviewer, university, list(university_people)),
    ]
    report = DemoCreditReport()
    effective: dict[tuple[str, int], CreditRecord] = {}  # (severity, side) → an institution's
    research: dict[str, CreditRecord] = {}  # a person's research-misconduct finding
    for index, item in enumerate(items):
        side_index = index % 2
        side = sides[side_index]
        if not _fits(side, item):
            side_index, side = 1 - side_index, sides[1 - side_index]
        if not _fits(side, item):
            continue
        report.items += 1
        subject = _subjects(side, item, index)
        decision = on - datetime.timedelta(days=20 + index)
        first = _record(
            side=side,
            item=item,
            subject=subject,
            number=f"演示〔{on.year}〕{item.code}-1号",
            decision=decision,
            status=CreditRecordStatus.EFFECTIVE,
            report=report,
        )
        if first.institution_id is not None and first.status == CreditRecordStatus.EFFECTIVE:
            effective.setdefault((first.severity, side_index), first)
        if item.code in RESEARCH_BASIS and first.status == CreditRecordStatus.EFFECTIVE:
            research.setdefault("basis", first)
        extra = EXTRA_STATES[index % len(EXTRA_STATES)]
        if extra == CreditRecordStatus.REPAIRED and item.severity not in DISHONESTY:
            extra = CreditRecordStatus.REVOKED  # only dishonesty information is repaired
        _record(
            side=side,
            item=item,
            subject=subject,
            number=f"演示〔{on.year}〕{item.code}-2号",
            # Old enough that the minimum disclosure period is over (repair is allowed).
            decision=decision - datetime.timedelta(days=400),
            status=extra,
            report=report,
        )
    report.entries = _demo_entries(sides, effective, on)
    if "basis" in research:
        entry = _demo_research_entry(sides, research["basis"], on)
        if entry is not None:
            report.entries.append(entry)
    return report


LIST_BASIS = {
    CreditListKind.RED: (Severity.TRUSTWORTHY,),
    CreditListKind.SERIOUS: (Severity.SERIOUS,),
    CreditListKind.FOCUS: (Severity.GENERAL, Severity.SERIOUS),
}


def _demo_entries(
    sides: list[_Side], effective: dict[tuple[str, int], CreditRecord], on: datetime.date
) -> list[CreditListEntry]:
    """One entry per list where a basis exists: red and serious listed, focus still in notice.

    Only a side whose organisation may decide listings (a bureau: ``Power.CREDIT_LISTS``)
    lists anyone, so no institution appears as the body that listed itself.
    """
    listing = [i for i, side in enumerate(sides) if has_power(side.clerk, Power.CREDIT_LISTS)]
    entries: list[CreditListEntry] = []
    for kind, severities in LIST_BASIS.items():
        reason = f"{DEMO_REASON_PREFIX}{CreditListKind(kind).label}"
        found = CreditListEntry.objects.filter(kind=kind, reason=reason).first()
        if found is not None:
            entries.append(found)
            continue
        basis = next(
            (
                (effective[(severity, i)], i)
                for severity in severities
                for i in listing
                if (severity, i) in effective
            ),
            None,
        )
        if basis is None:
            continue
        record, side_index = basis
        side = sides[side_index]
        if record.institution is None:  # pragma: no cover - only institutions' records kept
            continue
        notice = on - datetime.timedelta(days=30) if kind != CreditListKind.FOCUS else on
        entry = lists.list_entry_propose(
            actor=side.clerk,
            kind=kind,
            subject=record.institution,
            basis_records=[record],
            reason=reason,
            legal_basis="《河南省社会信用条例》第二十六条至第二十九条",
            measures="" if kind == CreditListKind.RED else "日常监管中列为重点监管对象（演示）",
            exit_conditions="有效期届满且未发生新的失信行为（演示）",
            notice_date=notice,
        )
        if kind != CreditListKind.FOCUS:
            entry = lists.list_entry_confirm(
                actor=side.reviewer, entry=entry, listed_on=on - datetime.timedelta(days=10)
            )
        if side.people:
            lists.list_entry_link_responsible(
                actor=side.clerk,
                entry=entry,
                person=side.people[0],
                role=ResponsibleRole.PRINCIPAL,
            )
        entries.append(entry)
    entries.extend(_demo_exit(sides, entries))
    return entries


RESEARCH_BASIS = lists.BASIS_ITEMS[CreditListKind.RESEARCH]


def _demo_research_entry(
    sides: list[_Side], record: CreditRecord, on: datetime.date
) -> CreditListEntry | None:
    """The researcher of the demo's research-misconduct finding in the 科研诚信严重失信行为数据库,
    proposed by a body with the listing power over the record and confirmed by another person."""
    reason = f"{DEMO_REASON_PREFIX}{CreditListKind.RESEARCH.label}"
    found = CreditListEntry.objects.filter(kind=CreditListKind.RESEARCH, reason=reason).first()
    if found is not None or record.person is None:
        return found
    staff = [user for side in sides for user in (side.clerk, side.reviewer)]
    pairs = [
        (proposer, confirmer)
        for proposer in staff
        for confirmer in staff
        if proposer.pk != confirmer.pk
        and has_power(proposer, Power.CREDIT_LISTS)
        and has_power(confirmer, Power.CREDIT_LISTS)
        and proposer.organisation is not None
        and confirmer.organisation is not None
        and proposer.organisation.covers(record.organisation)
        and confirmer.organisation.covers(record.organisation)
    ]
    if not pairs:
        return None
    proposer, confirmer = pairs[0]
    entry = lists.list_entry_propose(
        actor=proposer,
        kind=CreditListKind.RESEARCH,
        subject=record.person,
        basis_records=[record],
        reason=reason,
        legal_basis="《科研失信行为调查处理规则》（国科发监〔2022〕221号）",
        measures="一定期限禁止承担或参与财政性资金支持的科技活动（演示）",
        exit_conditions="惩戒期限届满（演示）",
        notice_date=on - datetime.timedelta(days=30),
    )
    return lists.list_entry_confirm(
        actor=confirmer, entry=entry, listed_on=on - datetime.timedelta(days=10)
    )


def _demo_exit(sides: list[_Side], entries: list[CreditListEntry]) -> list[CreditListEntry]:
    """A second serious-list entry that has left the list, so the exit notices show one."""
    reason = f"{DEMO_REASON_PREFIX}{CreditListKind.SERIOUS.label}（已移出）"
    found = CreditListEntry.objects.filter(kind=CreditListKind.SERIOUS, reason=reason).first()
    if found is not None:
        return [found]
    serious = next((e for e in entries if e.kind == CreditListKind.SERIOUS), None)
    if serious is None or serious.listed_on is None or serious.institution is None:
        return []
    side = next(s for s in sides if s.institution.pk == serious.institution_id)
    entry = lists.list_entry_propose(
        actor=side.clerk,
        kind=CreditListKind.SERIOUS,
        subject=serious.institution,
        basis_records=list(serious.basis_records.all()),
        reason=reason,
        legal_basis="《河南省社会信用条例》第三十三条",
        measures="限制参加政府表彰奖励（演示）",
        exit_conditions="整改到位（演示）",
        notice_date=serious.notice_date,
    )
    entry = lists.list_entry_confirm(actor=side.reviewer, entry=entry, listed_on=serious.listed_on)
    entry = lists.list_entry_exit(
        actor=side.clerk,
        entry=entry,
        exited_on=serious.listed_on + datetime.timedelta(days=5),
        exit_notice="经核查，该机构已整改到位，自即日起移出严重失信主体名单，停止实施惩戒措施（演示）。",
    )
    return [entry]
