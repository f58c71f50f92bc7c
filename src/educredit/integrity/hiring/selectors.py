"""Reads of hiring checks and of the yearly re-check (年度复查), scoped by jurisdiction.

A school sees its own checks; a bureau those of the schools it supervises (the subjects'
``institutions_visible_to``). The re-check list of a school is its current staff (an open
``Affiliation`` as teacher, staff or researcher) without a complete check for that school in
the current calendar year (Beijing: ``core.clock.today``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from educredit.accounts.permissions import INSTITUTION_KINDS
from educredit.core.clock import today
from educredit.integrity.hiring.models import HiringCheck
from educredit.sanctions.selectors import measure_list_in_force, measures
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.models import Affiliation, Institution, Person
from educredit.subjects.selectors import institutions_visible_to

SCENARIO = "staff_hiring"
# The roles the yearly re-check covers: everyone who works at the school, not its students
# (未成年人保护法: 密切接触未成年人的工作人员).
STAFF_ROLES = (AffiliationRole.TEACHER, AffiliationRole.STAFF, AffiliationRole.RESEARCHER)

# What each trigger item of a ``staff_hiring`` measure says about the person.
QUALIFICATION_REVOKED = "JY-ZG-01"
QUALIFICATION_LOST = "JY-ZG-02"
ETHICS = "JY-SD-02"


def hiring_checks_visible_to(user: Any) -> QuerySet[HiringCheck]:
    """The checks of the schools in the reader's jurisdiction."""
    return HiringCheck.objects.filter(school__in=institutions_visible_to(user))


def access_hiring_check_for_user(user: Any, public_id: Any) -> HiringCheck:
    """One check by public id, or 404 whether missing or out of jurisdiction."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    check = (
        hiring_checks_visible_to(user)
        .select_related("school", "person", "created_by", "statutory_recorded_by")
        .filter(public_id=key)
        .first()
    )
    if check is None:
        raise Http404
    return check


def schools_for(user: Any) -> QuerySet[Institution]:
    """The schools the user may check people for: its own institution, or those it supervises."""
    return institutions_visible_to(user).order_by("name", "pk")


def _complete_this_year(year: int) -> QuerySet[HiringCheck]:
    return HiringCheck.objects.filter(
        complete=True,
        person=OuterRef("person"),
        school=OuterRef("institution"),
        checked_on__gte=dt.date(year, 1, 1),
        checked_on__lt=dt.date(year + 1, 1, 1),
    )


def recheck_due(schools: QuerySet[Institution], *, year: int) -> QuerySet[Affiliation]:
    """The open staff affiliations at ``schools`` whose person has no complete check for that
    school in ``year``, with their person and school, by school then name."""
    return (
        Affiliation.objects.filter(institution__in=schools, ended_on=None, role__in=STAFF_ROLES)
        .filter(~Exists(_complete_this_year(year)))
        .select_related("person", "institution")
        .order_by("institution__name", "person__name", "pk")
    )


@dataclass(frozen=True)
class RecheckCounts:
    """The re-check of a set of schools in one year: staff, checked, still due."""

    staff: int
    checked: int

    @property
    def due(self) -> int:
        return self.staff - self.checked


def recheck_counts(schools: QuerySet[Institution], *, year: int) -> RecheckCounts:
    """Current staff affiliations and those with a complete check this year (one query)."""
    rows = Affiliation.objects.filter(
        institution__in=schools, ended_on=None, role__in=STAFF_ROLES
    ).aggregate(
        staff=Count("pk"),
        checked=Count("pk", filter=Q(Exists(_complete_this_year(year)))),
    )
    return RecheckCounts(staff=rows["staff"] or 0, checked=rows["checked"] or 0)


def recheck_due_day(year: int) -> dt.date:
    """The day by which a school's yearly re-check should be complete in ``year``
    (``EDUCREDIT_HIRING_RECHECK_DUE``, month-day)."""
    value = str(settings.EDUCREDIT_HIRING_RECHECK_DUE)
    try:
        month, day = (int(part) for part in value.split("-"))
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"EDUCREDIT_HIRING_RECHECK_DUE must be a month-day such as 09-30, not {value!r}"
        ) from exc


def recheck_overdue_count(user: Any) -> int:
    """For a school's user, after the due day: its current staff not yet re-checked this year
    (one aggregate query); 0 before the day or for a bureau."""
    organisation = getattr(user, "organisation", None)
    day = today()
    if (
        organisation is None
        or organisation.kind not in INSTITUTION_KINDS
        or day <= recheck_due_day(day.year)
    ):
        return 0
    return (
        Affiliation.objects.filter(
            institution__organisation=organisation, ended_on=None, role__in=STAFF_ROLES
        )
        .filter(~Exists(_complete_this_year(day.year)))
        .count()
    )


def person_for_recheck(user: Any, public_id: Any) -> Person:
    """A current staff member of a school the user sees, by public id; 404 otherwise."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    person = (
        Person.objects.filter(public_id=key)
        .filter(
            Exists(
                Affiliation.objects.filter(
                    person=OuterRef("pk"),
                    institution__in=institutions_visible_to(user),
                    ended_on=None,
                    role__in=STAFF_ROLES,
                )
            )
        )
        .first()
    )
    if person is None:
        raise Http404
    return person


@dataclass(frozen=True)
class Standing:
    """What the answer says of the person, read from the measures in force: the teacher
    qualification (``revoked`` until a day, ``lost``, or ``none`` on record), the ethics
    measures and the others (academic / research misconduct)."""

    qualification: str
    revoked_until: dt.date | None
    ethics: list[dict[str, Any]]
    other: list[dict[str, Any]]


def standing_of(check: HiringCheck) -> Standing:
    """The qualification status and the ethics measures in a check's stored answer, by the
    trigger items of the ``staff_hiring`` measures of the list in force on its day."""
    triggers = {
        m.code: set(m.trigger_items or [])
        for m in measures(measure_list_in_force(check.checked_on), scenario=SCENARIO)
    }
    qualification, revoked_until = "none", None
    ethics: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for row in check.measures:
        items = triggers.get(str(row.get("code")), set())
        if QUALIFICATION_LOST in items:
            qualification, revoked_until = "lost", None
        elif QUALIFICATION_REVOKED in items:
            if qualification != "lost":
                qualification = "revoked"
                ends = row.get("ends_on")
                revoked_until = dt.date.fromisoformat(ends) if ends else None
        elif ETHICS in items:
            ethics.append(row)
        else:
            other.append(row)
    return Standing(qualification, revoked_until, ethics, other)
