"""Restrictions (惩戒和激励措施的适用): which measures apply to which subject, when and why.

A restriction row is derived data (ADR 0021): a pure function of its basis — a credit record
with its life-cycle transitions, or a list entry — and the measure list. This module holds
that function (``record_rows``, ``entry_rows``) and the writer that brings the stored rows of
some bases in line with it (``_sync``): rows are compared by (basis, measure, scenario);
new ones are inserted, changed ones updated, vanished ones deleted, and nothing is written
when nothing changed. Inserts and updates are covered by ONE bulk audit entry per call (per
batch in a recompute), deletions — rare: a correction or a new list version — by one entry
each, as the audit log records a deleted row.

Every writer takes the screening data version's lock first (``sanctions.versions``, ADR 0042),
so restriction writers run one after another while checks read on; a call that changes rows
bumps the version and appends each changed row's new state (or its deletion) to the history
(``RestrictionChange``) under that version, in bulk, in the same transaction: what
``sanctions.replay`` answers an earlier check from.

Semantics (the ADR gives the sources):

- a record counts once it became effective (a transition to 生效, or a status only an
  effective record reaches); drafts, submitted and records revoked before approval never
  restrict; Henan §13 records (simplified procedure on a person, corrected minor violation)
  never ground a punishment; a record made while its person was a minor grounds nothing at
  all (Henan §3, ``records.minors``);
- the measure-list version is the one in force on the basis's start (decision date, listed
  on); before the first version, the earliest published one;
- a measure applies when the record's item is among its ``trigger_items`` and every
  ``trigger_where`` condition holds on the payload, or the entry's list among its
  ``trigger_lists``, and its ``subject_type`` fits the subject;
- start: the decision date (listed on); end (exclusive) by ``duration_kind``: see
  ``_record_term`` and ``_entry_term``;
- revocation ends every row of the record on its date; repair ends the rows of credit
  measures (``until_repair``, ``fixed_term``), not a term the decision or a statute set
  (``record_date``, ``permanent``); an exit ends the rows of ``until_list_exit`` measures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Q
from django.utils import timezone

from educredit.audit.canonical import row_digest
from educredit.audit.services import audit_append, audit_append_bulk
from educredit.catalog.choices import Severity, SubjectType
from educredit.core import clock
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.choices import DecisionProcedure, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord, CreditRecordTransition
from educredit.records.windows import add_months, policy_for
from educredit.sanctions.choices import DurationKind, MeasureDirection, MeasureListVersionStatus
from educredit.sanctions.initiations import change_kind, initiation_events_append
from educredit.sanctions.models import (
    InitiationEventKind,
    Measure,
    MeasureListVersion,
    Restriction,
    RestrictionChange,
    RestrictionEnd,
)
from educredit.sanctions.versions import screening_data_bump, screening_data_lock

HENAN_CAP_MONTHS = 60  # Henan §19: dishonesty information at most 5 years
DISHONESTY = frozenset({Severity.MINOR, Severity.GENERAL, Severity.SERIOUS})
# Statuses only a record that became effective reaches (revoked may also follow a draft).
EFFECTIVE_STATUSES = frozenset({S.EFFECTIVE, S.UNDER_OBJECTION, S.EXPIRED, S.REPAIRED})
# Credit repair lifts the credit measures, not a term set by the decision or by statute.
REPAIR_LIFTS = frozenset({DurationKind.UNTIL_REPAIR, DurationKind.FIXED_TERM})
LISTED_STATUSES = (ListEntryStatus.LISTED, ListEntryStatus.EXITED)

# The columns a recomputation may change, by attribute name and by field name.
_COMPARED = (
    "institution_id",
    "person_id",
    "measure_version",
    "verdict",
    "starts_on",
    "ends_on",
    "ended_by",
    "legal_basis",
)
_UPDATED = tuple(name.removesuffix("_id") for name in _COMPARED)
_RECORD_VALUES = (
    "id",
    "institution_id",
    "person_id",
    "catalog_item__code",
    "catalog_item__category",
    "severity",
    "status",
    "decision_date",
    "payload",
    "public_from",
    "public_until",
    "procedure",
    "corrected_minor_violation",
    "made_while_minor",
    "updated_at",
)
_ENTRY_VALUES = (
    "id",
    "kind",
    "institution_id",
    "person_id",
    "status",
    "listed_on",
    "valid_until",
    "exited_on",
)
BATCH_SIZE = 10_000


# ---------------------------------------------------------------------------------------------
# The measure list, loaded once


@dataclass(frozen=True)
class _Version:
    number: int
    effective_from: dt.date
    retired_from: dt.date | None
    by_item: Mapping[str, tuple[Measure, ...]]
    by_list: Mapping[str, tuple[Measure, ...]]


class MeasureBook:
    """Every published (or retired) measure-list version with its measures, by trigger."""

    def __init__(self) -> None:
        versions = list(
            MeasureListVersion.objects.filter(
                status__in=[MeasureListVersionStatus.PUBLISHED, MeasureListVersionStatus.RETIRED]
            ).order_by("effective_from", "number")
        )
        measures: dict[int, list[Measure]] = defaultdict(list)
        for measure in Measure.objects.filter(version__in=versions).order_by("sort_order", "code"):
            measures[measure.version_id].append(measure)
        self.versions: list[_Version] = []
        self.item_codes: set[str] = set()
        for version in versions:
            by_item: dict[str, list[Measure]] = defaultdict(list)
            by_list: dict[str, list[Measure]] = defaultdict(list)
            for measure in measures[version.pk]:
                for code in measure.trigger_items or []:
                    by_item[str(code)].append(measure)
                    self.item_codes.add(str(code))
                for kind in measure.trigger_lists or []:
                    by_list[str(kind)].append(measure)
            self.versions.append(
                _Version(
                    number=version.number,
                    effective_from=version.effective_from,
                    retired_from=version.retired_from,
                    by_item={code: tuple(rows) for code, rows in by_item.items()},
                    by_list={kind: tuple(rows) for kind, rows in by_list.items()},
                )
            )

    def version_on(self, day: dt.date) -> _Version | None:
        """The version in force on ``day``; before the first one, the earliest published.

        The measures restate consequences the law attached before the list existed (教师资格
        条例 1995, 教育法 §77/§79), so the earliest list is the best statement of them.
        """
        in_force = [
            v
            for v in self.versions
            if v.effective_from <= day and (v.retired_from is None or v.retired_from > day)
        ]
        if in_force:
            return max(in_force, key=lambda v: (v.effective_from, v.number))
        return self.versions[0] if self.versions else None


# ---------------------------------------------------------------------------------------------
# The pure function: facts → rows


@dataclass(frozen=True)
class RecordFacts:
    """What the computation reads of a record and its transitions."""

    pk: int
    institution_id: int | None
    person_id: int | None
    item_code: str
    category: str
    severity: str
    status: str
    decision_date: dt.date
    payload: Mapping[str, Any]
    public_from: dt.date | None
    public_until: dt.date | None
    exempt: bool
    effective: bool
    revoked_on: dt.date | None
    repaired_on: dt.date | None
    made_while_minor: bool = False


@dataclass(frozen=True)
class EntryFacts:
    """What the computation reads of a list entry."""

    pk: int
    kind: str
    institution_id: int | None
    person_id: int | None
    status: str
    listed_on: dt.date | None
    valid_until: dt.date | None
    exited_on: dt.date | None


def _subject_fits(measure: Measure, institution_id: int | None) -> bool:
    if measure.subject_type == SubjectType.INSTITUTION:
        return institution_id is not None
    if measure.subject_type == SubjectType.PERSON:
        return institution_id is None
    return True


def _where_holds(conditions: Mapping[str, Any] | None, payload: Mapping[str, Any]) -> bool:
    """Every ``{field: [allowed values]}`` condition holds on the payload."""
    for name, allowed in (conditions or {}).items():
        value = payload.get(name)
        values = value if isinstance(value, list) else [value]
        if not any(v is not None and str(v) in {str(a) for a in allowed} for v in values):
            return False
    return True


def _payload_date(payload: Mapping[str, Any], name: str) -> dt.date | None:
    value = payload.get(name) if name else None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _disclosure_end(facts: RecordFacts) -> dt.date | None:
    """The end of the record's disclosure period: the stored window when the record is
    published, else what the rule in force on the decision date gives (capped by Henan §19),
    as if it were — non-public items (师德, 资助) end their measures when a public one would."""
    if facts.public_from is not None:
        return facts.public_until
    if facts.severity not in DISHONESTY:
        return None
    period = policy_for(facts.decision_date).period(facts.severity, facts.category)
    if period.max_months is None:
        return None
    return add_months(facts.decision_date, min(period.max_months, HENAN_CAP_MONTHS))


def _record_term(measure: Measure, facts: RecordFacts) -> tuple[dt.date | None, str] | None:
    """(natural end, why) of a measure on a record; None when it imposes nothing."""
    start, kind, months = facts.decision_date, measure.duration_kind, measure.duration_months
    if kind == DurationKind.FIXED_TERM:
        return (add_months(start, months or 0), RestrictionEnd.TERM)
    if kind == DurationKind.RECORD_DATE:
        day = _payload_date(facts.payload, measure.duration_field)
        if day is None:
            # ADR 0020: no date in the decision — it imposed no such measure.
            return None
        if months:
            day = max(day, add_months(start, months))
        return (day, RestrictionEnd.TERM)
    if kind == DurationKind.UNTIL_REPAIR:
        end = _disclosure_end(facts)
        return (end, RestrictionEnd.WINDOW_END if end is not None else RestrictionEnd.TERM)
    if kind == DurationKind.PERMANENT:
        return (None, RestrictionEnd.TERM)
    return None  # until_list_exit: lists only (the measure list refuses it on items)


def _lifted(
    end: dt.date | None, why: str, event: dt.date | None, reason: str
) -> tuple[dt.date | None, str]:
    """The end once an event (revocation, repair, exit) on ``event`` cuts it short."""
    if event is not None and (end is None or event <= end):
        return event, reason
    return end, why


def _rows(
    measure: Measure,
    version: _Version,
    *,
    institution_id: int | None,
    person_id: int | None,
    start: dt.date,
    end: dt.date | None,
    ended_by: str,
    basis: dict[str, int],
) -> list[Restriction]:
    if end is not None and end <= start:
        return []  # never in force
    return [
        Restriction(
            institution_id=institution_id,
            person_id=person_id,
            measure=measure,
            measure_version=version.number,
            scenario=str(scenario),
            verdict=measure.verdict,
            starts_on=start,
            ends_on=end,
            ended_by=ended_by,
            legal_basis=measure.legal_basis,
            **basis,
        )
        for scenario in dict.fromkeys(measure.scenarios or [])
    ]


def record_rows(facts: RecordFacts, book: MeasureBook) -> list[Restriction]:
    """The restrictions a record grounds (unsaved rows).

    None for a record made while its person was a minor, punishment or reward: minors are not
    credit subjects (Henan §3), so no business system may screen on it — by having no row,
    ``verdict_for`` stays one indexed query on the restriction table alone.
    """
    if not facts.effective or facts.made_while_minor:
        return []
    version = book.version_on(facts.decision_date)
    if version is None:
        return []
    rows: list[Restriction] = []
    for measure in version.by_item.get(facts.item_code, ()):
        if measure.direction == MeasureDirection.PUNISHMENT and facts.exempt:
            continue  # Henan §13
        if not _subject_fits(measure, facts.institution_id):
            continue
        if not _where_holds(measure.trigger_where, facts.payload):
            continue
        term = _record_term(measure, facts)
        if term is None:
            continue
        end, why = term
        if facts.status == S.REVOKED:
            end, why = _lifted(end, why, facts.revoked_on, RestrictionEnd.REVOKED)
        elif facts.status == S.REPAIRED and measure.duration_kind in REPAIR_LIFTS:
            end, why = _lifted(end, why, facts.repaired_on, RestrictionEnd.REPAIRED)
        rows += _rows(
            measure,
            version,
            institution_id=facts.institution_id,
            person_id=facts.person_id,
            start=facts.decision_date,
            end=end,
            ended_by=why,
            basis={"basis_record_id": facts.pk},
        )
    return rows


def _entry_term(measure: Measure, facts: EntryFacts, start: dt.date) -> tuple[dt.date | None, str]:
    if measure.duration_kind == DurationKind.UNTIL_LIST_EXIT:
        # valid_until is the last listed day (the portal's reading); exited_on the first not.
        end = None if facts.valid_until is None else facts.valid_until + dt.timedelta(days=1)
        if facts.status == ListEntryStatus.EXITED:
            return _lifted(end, RestrictionEnd.TERM, facts.exited_on, RestrictionEnd.LIST_EXIT)
        return end, RestrictionEnd.TERM
    if measure.duration_kind == DurationKind.FIXED_TERM:
        return add_months(start, measure.duration_months or 0), RestrictionEnd.TERM
    return None, RestrictionEnd.TERM  # permanent


def entry_rows(facts: EntryFacts, book: MeasureBook) -> list[Restriction]:
    """The restrictions (or rewards) a list entry grounds (unsaved rows)."""
    if facts.status not in LISTED_STATUSES or facts.listed_on is None:
        return []
    version = book.version_on(facts.listed_on)
    if version is None:
        return []
    rows: list[Restriction] = []
    for measure in version.by_list.get(facts.kind, ()):
        if not _subject_fits(measure, facts.institution_id):
            continue
        end, why = _entry_term(measure, facts, facts.listed_on)
        rows += _rows(
            measure,
            version,
            institution_id=facts.institution_id,
            person_id=facts.person_id,
            start=facts.listed_on,
            end=end,
            ended_by=why,
            basis={"basis_list_entry_id": facts.pk},
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Reading the facts (a few queries per batch, whatever its size)


def _record_facts(records: Iterable[Mapping[str, Any]]) -> list[RecordFacts]:
    rows = list(records)
    moves: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    if rows:
        transitions = (
            CreditRecordTransition.objects.filter(
                record_id__in=[row["id"] for row in rows],
                to_status__in=[S.EFFECTIVE, S.REVOKED, S.REPAIRED],
            )
            .order_by("at", "pk")
            .values_list("record_id", "to_status", "at")
        )
        for record_id, to_status, at in transitions:
            moves[record_id][to_status] = at  # the latest move to each status wins

    def moved(row: Mapping[str, Any], status: str) -> dt.date | None:
        if row["status"] != status:
            return None
        at = moves[row["id"]].get(status) or row["updated_at"] or timezone.now()
        return clock.local_date(at)

    return [
        RecordFacts(
            pk=row["id"],
            institution_id=row["institution_id"],
            person_id=row["person_id"],
            item_code=row["catalog_item__code"],
            category=row["catalog_item__category"],
            severity=row["severity"],
            status=row["status"],
            decision_date=row["decision_date"],
            payload=row["payload"] or {},
            public_from=row["public_from"],
            public_until=row["public_until"],
            exempt=row["person_id"] is not None
            and (
                row["procedure"] == DecisionProcedure.SIMPLIFIED
                or bool(row["corrected_minor_violation"])
            ),
            effective=row["status"] in EFFECTIVE_STATUSES or S.EFFECTIVE in moves[row["id"]],
            revoked_on=moved(row, S.REVOKED),
            repaired_on=moved(row, S.REPAIRED),
            made_while_minor=bool(row["made_while_minor"]),
        )
        for row in rows
    ]


def _entry_facts(entries: Iterable[Mapping[str, Any]]) -> list[EntryFacts]:
    return [
        EntryFacts(**{("pk" if k == "id" else k): v for k, v in row.items()}) for row in entries
    ]


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class RestrictionCounts:
    """What a refresh or recomputation did."""

    bases: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    audit_entries: int = 0

    def add(self, other: RestrictionCounts) -> None:
        for name in ("bases", "rows", "created", "updated", "deleted", "audit_entries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {
            "bases": self.bases,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
        }


def _key(row: Restriction) -> tuple[Any, ...]:
    return (row.basis_record_id, row.basis_list_entry_id, row.measure_id, row.scenario)


def _history(
    version: int, rows: Iterable[Restriction], *, deleted: bool = False
) -> list[RestrictionChange]:
    """The rows as ``version`` leaves them (saved rows: they carry their ids)."""
    return [
        RestrictionChange(
            version=version,
            restriction_id=row.pk,
            deleted=deleted,
            institution_id=row.institution_id,
            person_id=row.person_id,
            measure_id=row.measure_id,
            measure_version=row.measure_version,
            scenario=row.scenario,
            verdict=row.verdict,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            ended_by=row.ended_by,
            legal_basis=row.legal_basis,
            basis_record_id=row.basis_record_id,
            basis_list_entry_id=row.basis_list_entry_id,
        )
        for row in rows
    ]


def _sync(
    *,
    actor: Any,
    action: str,
    reason: str,
    desired: Sequence[Restriction],
    existing: Iterable[Restriction],
) -> RestrictionCounts:
    """Make the stored rows of some bases equal ``desired``; audit what changed, bump the
    screening data version and append the changes to the history under it."""
    counts = RestrictionCounts(rows=len(desired))
    have = {_key(row): row for row in existing}
    created: list[Restriction] = []
    updated: list[Restriction] = []
    # The initiations (ADR 0023): what a subscribed business system is told of each change.
    events: list[tuple[Restriction, str]] = []
    for row in desired:
        old = have.pop(_key(row), None)
        if old is None:
            created.append(row)
        elif any(getattr(old, name) != getattr(row, name) for name in _COMPARED):
            kind = change_kind(old.ends_on, row.ends_on)
            for name in _COMPARED:
                setattr(old, name, getattr(row, name))
            updated.append(old)
            events.append((old, kind))
    gone = sorted(have.values(), key=lambda row: row.pk)
    if not (created or updated or gone):
        return counts
    version = screening_data_bump()
    history = _history(version, gone, deleted=True) + _history(version, updated)
    if gone:
        # Before the delete, while the rows still carry their ids.
        initiation_events_append((row, InitiationEventKind.WITHDRAWN) for row in gone)
        snapshots = [(row, row.audit_snapshot()) for row in gone]
        Restriction.objects.filter(pk__in=[row.pk for row in gone]).delete()
        for row, before in snapshots:
            row.pk = None
            audit_append(actor=actor, action=action, target=row, before=before, reason=reason)
        counts.audit_entries += len(gone)
    if created:
        Restriction.objects.bulk_create(created, batch_size=2000)
    if updated:
        Restriction.objects.bulk_update(updated, list(_UPDATED), batch_size=1000)
    events += [(row, InitiationEventKind.CREATED) for row in created]  # ids set by bulk_create
    initiation_events_append(events)
    RestrictionChange.objects.bulk_create(history + _history(version, created), batch_size=2000)
    if created or updated:
        members = sorted((row.pk, row_digest(row)) for row in [*created, *updated])
        audit_append_bulk(
            actor=actor, action=action, model=Restriction, members=members, reason=reason
        )
        counts.audit_entries += 1
    counts.created, counts.updated, counts.deleted = len(created), len(updated), len(gone)
    return counts


def _refresh(
    *, actor: Any, desired: list[Restriction], bases: int, existing: Any, reason: str
) -> RestrictionCounts:
    """Replace one basis's stored rows by ``desired`` (the caller holds the transaction)."""
    counts = _sync(
        actor=actor,
        action="sanctions.restrictions_refresh",
        reason=reason,
        desired=desired,
        existing=existing,
    )
    counts.bases = bases
    return counts


def refresh_record(
    *, actor: Any, record_id: int, book: MeasureBook | None = None
) -> RestrictionCounts:
    """Replace one record's rows by what it grounds now (the caller holds the transaction)."""
    screening_data_lock()
    book = book or MeasureBook()
    facts = _record_facts(CreditRecord.objects.filter(pk=record_id).values(*_RECORD_VALUES))
    return _refresh(
        actor=actor,
        desired=[row for fact in facts for row in record_rows(fact, book)],
        bases=len(facts),
        existing=Restriction.objects.filter(basis_record_id=record_id),
        reason=f"记录 / record {record_id}",
    )


def refresh_entry(
    *, actor: Any, entry_id: int, book: MeasureBook | None = None
) -> RestrictionCounts:
    """Replace one list entry's rows by what it grounds now (the caller holds the transaction)."""
    screening_data_lock()
    book = book or MeasureBook()
    facts = _entry_facts(CreditListEntry.objects.filter(pk=entry_id).values(*_ENTRY_VALUES))
    return _refresh(
        actor=actor,
        desired=[row for fact in facts for row in entry_rows(fact, book)],
        bases=len(facts),
        existing=Restriction.objects.filter(basis_list_entry_id=entry_id),
        reason=f"名单条目 / list entry {entry_id}",
    )


def recompute_all(*, actor: Any, batch_size: int = BATCH_SIZE) -> RestrictionCounts:
    """Every basis, in id batches: per batch three reads, then only the changed rows written.

    Records whose catalog item no measure names are not read; their stale rows (a new list
    version dropped a trigger) are still found, since each batch reads the stored rows of
    its whole id range. The caller holds the transaction.
    """
    screening_data_lock()
    book = MeasureBook()
    counts = RestrictionCounts()
    action, reason = "sanctions.restrictions_recompute", "措施重算 / restrictions recomputed"
    relevant = CreditRecord.objects.filter(catalog_item__code__in=sorted(book.item_codes)).exclude(
        status__in=[S.DRAFT, S.SUBMITTED]
    )
    spans = [
        relevant.aggregate(lo=Min("pk"), hi=Max("pk")),
        Restriction.objects.filter(basis_record__isnull=False).aggregate(
            lo=Min("basis_record_id"), hi=Max("basis_record_id")
        ),
    ]
    los = [span["lo"] for span in spans if span["lo"] is not None]
    his = [span["hi"] for span in spans if span["hi"] is not None]
    if los:
        for lo in range(min(los), max(his) + 1, batch_size):
            hi = lo + batch_size
            facts = _record_facts(
                relevant.filter(pk__gte=lo, pk__lt=hi).order_by("pk").values(*_RECORD_VALUES)
            )
            desired = [row for fact in facts for row in record_rows(fact, book)]
            existing = Restriction.objects.filter(basis_record_id__gte=lo, basis_record_id__lt=hi)
            batch = _sync(
                actor=actor, action=action, reason=reason, desired=desired, existing=existing
            )
            batch.bases = len(facts)
            counts.add(batch)
    entries = CreditListEntry.objects.filter(
        Q(status__in=LISTED_STATUSES) | Q(restrictions__isnull=False)
    ).distinct()
    facts_e = _entry_facts(entries.order_by("pk").values(*_ENTRY_VALUES))
    batch = _sync(
        actor=actor,
        action=action,
        reason=reason,
        desired=[row for fact in facts_e for row in entry_rows(fact, book)],
        existing=Restriction.objects.filter(basis_list_entry__isnull=False),
    )
    batch.bases = len(facts_e)
    counts.add(batch)
    return counts


__all__ = [
    "EntryFacts",
    "MeasureBook",
    "RecordFacts",
    "RestrictionCounts",
    "entry_rows",
    "recompute_all",
    "record_rows",
    "refresh_entry",
    "refresh_record",
]
