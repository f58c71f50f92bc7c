"""Reads of students' integrity, scoped by jurisdiction (the owning organisation's path):
contracts, the yearly confirmation task list, and activity figures per school and year."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from educredit.integrity.students.choices import TrainingContractStatus
from educredit.integrity.students.models import (
    IntegrityEducationActivity,
    ServiceConfirmation,
    TrainingContract,
)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def contracts_visible_to(user: Any) -> QuerySet[TrainingContract]:
    """Contracts kept by the reader's organisation or one below it."""
    return TrainingContract.objects.visible_to(user).select_related("person", "school")


def access_contract_for_user(user: Any, public_id: Any) -> TrainingContract:
    """One contract by public id, or 404 whether missing or outside the jurisdiction."""
    contract = (
        contracts_visible_to(user)
        .select_related("organisation", "breach__record")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if contract is None:
        raise Http404
    return contract


def confirmations_due(user: Any, *, year: int) -> QuerySet[TrainingContract]:
    """Contracts in service (履约中) that have no confirmation for ``year`` yet and whose
    service began in or before it: the school's yearly task list."""
    confirmed = ServiceConfirmation.objects.filter(contract=OuterRef("pk"), year=year)
    return (
        contracts_visible_to(user)
        .filter(status=TrainingContractStatus.SERVING, service_started_on__year__lte=year)
        .exclude(Exists(confirmed))
        .order_by("school__name", "person__name", "pk")
    )


def activities_visible_to(user: Any) -> QuerySet[IntegrityEducationActivity]:
    """Integrity-education activities of the schools in the reader's jurisdiction."""
    return IntegrityEducationActivity.objects.visible_to(user).select_related("school")


def activity_figures(activities: QuerySet[IntegrityEducationActivity]) -> list[dict[str, Any]]:
    """Per school and year: the number of activities and of participants (one query)."""
    rows = (
        activities.annotate(year=ExtractYear("held_on"))
        .values("school__name", "year")
        .annotate(activities=Count("pk"), participants=Sum("participants"))
        .order_by("school__name", "-year")
    )
    return list(rows)
