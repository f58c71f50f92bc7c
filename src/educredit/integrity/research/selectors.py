"""Reads of research activities, scoped by jurisdiction.

An institution's staff see its activities; a bureau those of the institutions it supervises,
directly or below (``Institution.objects.visible_to``). Outside that: 404, whatever exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from educredit.integrity.research.models import ResearchActivity
from educredit.subjects.models import Affiliation, Institution, Person
from educredit.subjects.selectors import institutions_visible_to


def research_activities_visible_to(user: Any) -> QuerySet[ResearchActivity]:
    """The activities of the institutions in the reader's jurisdiction."""
    return ResearchActivity.objects.filter(institution__in=institutions_visible_to(user))


def access_research_activity_for_user(user: Any, public_id: Any) -> ResearchActivity:
    """One activity by public id, or 404 whether missing or out of jurisdiction."""
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    found = (
        research_activities_visible_to(user)
        .select_related("institution", "responsible_person")
        .filter(public_id=key)
        .first()
    )
    if found is None:
        raise Http404
    return found


def research_activity_search(
    user: Any, *, institution: str = "", status: str = "", q: str = ""
) -> QuerySet[ResearchActivity]:
    """Visible activities filtered by institution (public id), status and a project name,
    number or responsible person's name; newest start first."""
    activities = research_activities_visible_to(user)
    if institution:
        activities = activities.filter(institution__public_id=institution)
    if status:
        activities = activities.filter(status=status)
    q = " ".join(q.split())
    if q:
        activities = activities.filter(
            Q(project_name__icontains=q)
            | Q(project_number__icontains=q)
            | Q(responsible_person__name__icontains=q)
        )
    return activities.select_related("institution", "responsible_person").order_by(
        "-starts_on", "-pk"
    )


def own_institution(user: Any) -> Institution | None:
    """The institution whose own account the user belongs to (its staff enter activities)."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return None
    return Institution.objects.filter(organisation_id=organisation_id).first()


def people_of(institution: Institution) -> QuerySet[Person]:
    """The people who work or worked at ``institution`` (possible responsible persons)."""
    return Person.objects.filter(
        pk__in=Affiliation.objects.filter(institution=institution).values("person_id")
    ).order_by("name", "pk")


def institutions_with_activities(user: Any) -> QuerySet[Institution]:
    """The visible institutions that have activities (the list's institution filter)."""
    return (
        institutions_visible_to(user)
        .filter(pk__in=ResearchActivity.objects.values("institution_id"))
        .order_by("name", "pk")
    )
