"""Reads of cases: by jurisdiction, overdue, the person's own, and the person's sanction clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from educredit.core import clock as core_clock
from educredit.integrity.cases import clock
from educredit.integrity.cases.choices import CaseStatus
from educredit.integrity.cases.models import Case, CaseNotice, CaseSanction
from educredit.integrity.cases.procedure import FINAL
from educredit.records.choices import CreditRecordStatus
from educredit.sanctions.models import Restriction
from educredit.subjects.models import Person

# The teacher-qualification restriction list (教师资格限制库): revocation and loss.
QUALIFICATION_ITEMS = ("JY-ZG-01", "JY-ZG-02")
# A case's sanction runs once its decision's record took effect (and until a review revokes it).
EFFECTIVE = (
    CreditRecordStatus.EFFECTIVE,
    CreditRecordStatus.UNDER_OBJECTION,
    CreditRecordStatus.EXPIRED,
    CreditRecordStatus.REPAIRED,
)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Cases handled by the user's organisation or below it (none for anyone else)."""
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return Case.objects.none()
    return Case.objects.filter(organisation__path__startswith=organisation.path).select_related(
        "person", "organisation", "institution"
    )


def access_case_for_user(user: Any, public_id: Any) -> Case:
    """The case with this public id if the user's jurisdiction covers it, else 404."""
    case = cases_visible_to(user).filter(public_id=public_id).first()
    if case is None:
        raise Http404
    return case


def overdue_q(today: dt.date) -> Q:
    """Cases whose body has let its own deadline pass. While the person's window runs the
    body has no deadline of its own (``due_on`` is the decision's, after the window)."""
    return Q(due_on__lt=today) & ~Q(status__in=[*FINAL])


def overdue_cases(cases: QuerySet[Case], *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases among ``cases`` past the body's deadline and not yet decided or closed."""
    return cases.filter(overdue_q(today or core_clock.today()))


def is_overdue(case: Case, *, today: dt.date | None = None) -> bool:
    day = today or core_clock.today()
    return case.status not in FINAL and case.due_on is not None and case.due_on < day


def cases_of_person(person: Person) -> QuerySet[Case]:
    """The person's cases that have reached them: accepted or later (never a bare report)."""
    return (
        Case.objects.filter(person=person)
        .exclude(status__in=[CaseStatus.REPORTED, CaseStatus.NOT_ACCEPTED])
        .select_related("organisation")
    )


def notice_of_person(person: Person, public_id: Any) -> CaseNotice:
    """One of the person's own notices, else 404."""
    notice = (
        CaseNotice.objects.filter(case__person=person, public_id=public_id)
        .select_related("case", "case__organisation")
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def case_of_person(person: Person, public_id: Any) -> Case:
    case = cases_of_person(person).filter(public_id=public_id).first()
    if case is None:
        raise Http404
    return case


@dataclass(frozen=True)
class ClockEntry:
    """One line of a person's sanction clock: what, from, until, on what basis, where from."""

    label: str
    basis: str
    starts_on: dt.date
    ends_on: dt.date | None  # exclusive: the day it lifts
    permanent: bool
    in_force: bool
    source: str  # the case number or the record's decision number
    reverses: bool = True
    absorbed: bool = False
    capped: bool = False
    revoked_on: dt.date | None = None


def _sanction_entry(row: CaseSanction, day: dt.date) -> ClockEntry:
    ends = row.ends_on
    if row.revoked_on is not None and (ends is None or row.revoked_on < ends):
        ends = row.revoked_on
    term = clock.Term(
        kind=row.kind,
        label=row.label,
        basis=row.basis,
        starts_on=row.starts_on,
        ends_on=ends,
        months=row.months,
        permanent=row.permanent and row.revoked_on is None,
        absorbed=row.absorbed,
    )
    return ClockEntry(
        label=row.label,
        basis=row.basis,
        starts_on=row.starts_on,
        ends_on=ends,
        permanent=term.permanent,
        in_force=term.in_force(day) and _record_effective(row),
        source=row.case.number,
        reverses=row.reverses,
        absorbed=row.absorbed,
        capped=row.capped,
        revoked_on=row.revoked_on,
    )


def _record_effective(row: CaseSanction) -> bool:
    """Whether the record the sanction runs on took effect: a qualification measure's own
    JY-ZG record, else the decision's."""
    qualification = row.kind in clock.QUALIFICATION_ITEMS
    record = row.case.qualification_record if qualification else row.case.record
    return record is not None and record.status in EFFECTIVE


def person_clock(person: Person, *, as_of: dt.date | None = None) -> list[ClockEntry]:
    """Every sanction and restriction of the person, from every regime, in one timeline.

    Case sanctions come with their terms as decided; measures on records entered outside a
    case (a teacher-qualification revocation, an exam authority's record) come from the
    restrictions they ground, one line per measure. A sanction is in force once its decision's
    record took effect.
    """
    day = as_of or core_clock.today()
    entries = [
        _sanction_entry(row, day)
        for row in CaseSanction.objects.filter(person=person).select_related(
            "case__record", "case__qualification_record"
        )
    ]
    # Records a case wrote are already on the clock as its sanctions.
    case_records = {
        pk
        for pair in Case.objects.filter(person=person).values_list(
            "record_id", "qualification_record_id"
        )
        for pk in pair
        if pk is not None
    }
    seen: set[tuple[int, int]] = set()
    rows = (
        Restriction.objects.filter(person=person)
        .exclude(basis_record_id__in=case_records)
        .select_related("measure", "basis_record")
        .order_by("starts_on", "pk")
    )
    for row in rows:
        key = (row.measure_id, row.basis_record_id or -(row.basis_list_entry_id or 0))
        if key in seen:
            continue  # one line per measure, whatever the number of scenarios
        seen.add(key)
        in_force = row.starts_on <= day and (row.ends_on is None or row.ends_on > day)
        source = row.basis_record.decision_number if row.basis_record else ""
        entries.append(
            ClockEntry(
                label=row.measure.means,
                basis=row.legal_basis,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                permanent=row.ends_on is None,
                in_force=in_force,
                source=source or row.measure.code,
            )
        )
    return sorted(entries, key=lambda entry: (entry.starts_on, entry.label))


def qualification_restrictions_visible_to(
    user: Any, *, as_of: dt.date | None = None
) -> QuerySet[Restriction]:
    """The teacher-qualification restriction list (教师资格限制库) in the user's jurisdiction:
    people whose qualification was revoked (5 years) or lost (permanently), in force on the day."""
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return Restriction.objects.none()
    day = as_of or core_clock.today()
    return (
        Restriction.objects.filter(
            scenario="teacher_qualification",
            person__isnull=False,
            basis_record__catalog_item__code__in=QUALIFICATION_ITEMS,
            basis_record__organisation__path__startswith=organisation.path,
            starts_on__lte=day,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .select_related("person", "measure", "basis_record", "basis_record__catalog_item")
        .order_by("-starts_on", "pk")
    )
