"""Reads of the 师德考核: scoped by jurisdiction (the school's organisation, or its supervising
bureau's subtree), 404 rather than revealing what lies outside."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from educredit.accounts.models import Organisation
from educredit.accounts.permissions import BUREAU_KINDS
from educredit.integrity.appraisal.choices import EthicsAppraisalStatus
from educredit.integrity.appraisal.models import EthicsAppraisal, EthicsAppraisalImportRun
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.models import Affiliation, Institution, Person


def _path(user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    organisation = getattr(user, "organisation", None)
    return None if organisation is None else str(organisation.path)


def appraisals_visible_to(user: Any) -> QuerySet[EthicsAppraisal]:
    """The appraisals of the schools the user's organisation is, or supervises (directly or
    through the bureaus below it)."""
    path = _path(user)
    if path is None:
        return EthicsAppraisal.objects.none()
    return EthicsAppraisal.objects.filter(
        Q(school__supervisor__path__startswith=path)
        | Q(school__organisation__path__startswith=path)
    )


def access_appraisal_for_user(user: Any, public_id: Any) -> EthicsAppraisal:
    """The appraisal ``public_id`` if the user sees it, else 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    appraisal = (
        appraisals_visible_to(user)
        .select_related("teacher", "school__supervisor", "school__organisation", "entered_by")
        .select_related("reviewed_by", "credit_record")
        .filter(public_id=key)
        .first()
    )
    if appraisal is None:
        raise Http404
    return appraisal


def school_of(user: Any) -> Institution | None:
    """The school whose own account the user signs in to (its clerks enter appraisals)."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return None
    return (
        Institution.objects.select_related("organisation", "supervisor")
        .filter(organisation_id=organisation_id)
        .first()
    )


def is_level_above(organisation: Organisation | None, school: Institution) -> bool:
    """Whether ``organisation`` is the school's supervising bureau or a bureau above it —
    never the school itself, nor a school or institution of any kind."""
    if organisation is None or organisation.kind not in BUREAU_KINDS:
        return False
    if school.organisation_id is not None and organisation.pk == school.organisation_id:
        return False
    return school.supervisor.path.startswith(organisation.path)


def review_queue_for(user: Any) -> QuerySet[EthicsAppraisal]:
    """Submitted appraisals of the schools the user's bureau supervises (none for a school)."""
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.kind not in BUREAU_KINDS:
        return EthicsAppraisal.objects.none()
    return EthicsAppraisal.objects.filter(
        status=EthicsAppraisalStatus.SUBMITTED,
        school__supervisor__path__startswith=organisation.path,
    ).exclude(school__organisation=organisation)


def _in_year(year: int) -> Q:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (Q(started_on__isnull=True) | Q(started_on__lte=end)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


def teaches_at(person: Person, school: Institution, year: int) -> bool:
    """Whether ``person`` was a teacher of ``school`` at some time in ``year``."""
    return Affiliation.objects.filter(
        _in_year(year), person=person, institution=school, role=AffiliationRole.TEACHER
    ).exists()


def teachers_of(school: Institution, year: int) -> QuerySet[Person]:
    """The school's teachers in ``year``, by name."""
    affiliations = Affiliation.objects.filter(
        _in_year(year), institution=school, role=AffiliationRole.TEACHER
    )
    return Person.objects.filter(pk__in=affiliations.values("person_id")).order_by("name", "pk")


def import_runs_visible_to(user: Any) -> QuerySet[EthicsAppraisalImportRun]:
    """Import runs started in the user's organisation or below it."""
    return EthicsAppraisalImportRun.objects.visible_to(user)
