"""Reads of credit records, always scoped by the reader's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from educredit.records.choices import CreditRecordStatus
from educredit.records.models import HENAN13_EXEMPT, CreditRecord, CreditRecordTransition
from educredit.subjects.models import Institution, Person


def _as_uuid(public_id: Any) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc


def credit_records_visible_to(user: Any) -> QuerySet[CreditRecord]:
    """Records owned by an organisation in the reader's subtree, or about a subject they see.

    A record made while its person was a minor (``records.minors``) only by the first rule:
    the owner (the school) and the authorities above it, never another body the person is
    affiliated with.
    """
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return CreditRecord.objects.none()
    path = organisation.path
    return CreditRecord.objects.filter(
        Q(organisation__path__startswith=path)
        | Q(institution__in=Institution.objects.visible_to(user))
        | (Q(made_while_minor=False) & Q(person__in=Person.objects.visible_to(user)))
    )


def credit_record_search(
    user: Any,
    *,
    status: str = "",
    item: Any = None,
    q: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[CreditRecord]:
    """Visible records filtered by status, catalog item, subject name and decision date."""
    records = credit_records_visible_to(user)
    if status:
        records = records.filter(status=status)
    if item is not None:
        records = records.filter(catalog_item=item)
    q = " ".join((q or "").split())
    if q:
        records = records.filter(
            Q(institution__name__icontains=q)
            | Q(institution__uscc=q.upper())
            | Q(person__name__icontains=q)
            | Q(title__icontains=q)
            | Q(decision_number=q)
        )
    if date_from:
        records = records.filter(decision_date__gte=date_from)
    if date_to:
        records = records.filter(decision_date__lte=date_to)
    return records.select_related("catalog_item", "institution", "person", "organisation").order_by(
        "-decision_date", "-pk"
    )


def review_queue_for(user: Any) -> QuerySet[CreditRecord]:
    """Submitted records in the reader's jurisdiction awaiting review, oldest first."""
    return (
        credit_records_visible_to(user)
        .filter(status=CreditRecordStatus.SUBMITTED)
        .select_related("catalog_item", "institution", "person", "organisation", "created_by")
        .order_by("updated_at", "pk")
    )


def access_credit_record_for_user(user: Any, public_id: Any) -> CreditRecord:
    """One record by public id, or 404 whether it is missing or out of jurisdiction."""
    try:
        return (
            credit_records_visible_to(user)
            .select_related(
                "catalog_item", "institution", "person", "organisation", "created_by", "reviewed_by"
            )
            .get(public_id=_as_uuid(public_id))
        )
    except CreditRecord.DoesNotExist as exc:
        raise Http404 from exc


def credit_record_history(record: CreditRecord) -> QuerySet[CreditRecordTransition]:
    """The record's transitions, oldest first."""
    return record.transitions.select_related("actor").order_by("at", "pk")


def credit_records_punishment_basis(records: QuerySet[CreditRecord]) -> QuerySet[CreditRecord]:
    """Those of ``records`` that may ground a punishment (effective, not §13-exempt, not made
    while a minor)."""
    return records.filter(status=CreditRecordStatus.EFFECTIVE, made_while_minor=False).exclude(
        HENAN13_EXEMPT
    )


# Statuses a subject sees of its own records: everything decided, never drafts in progress.
SUBJECT_VISIBLE_STATUSES = (
    CreditRecordStatus.EFFECTIVE,
    CreditRecordStatus.UNDER_OBJECTION,
    CreditRecordStatus.REPAIRED,
    CreditRecordStatus.REVOKED,
    CreditRecordStatus.EXPIRED,
)


def credit_records_of_subject(
    *, person: Person | None = None, institution: Institution | None = None
) -> QuerySet[CreditRecord]:
    """A subject's own decided records (Henan §40: free self-query), newest decision first."""
    if (person is None) == (institution is None):
        return CreditRecord.objects.none()
    mine = Q(person=person) if person is not None else Q(institution=institution)
    return (
        CreditRecord.objects.filter(mine, status__in=SUBJECT_VISIBLE_STATUSES)
        .select_related("catalog_item", "organisation")
        .order_by("-decision_date", "-pk")
    )


def access_own_credit_record(
    *, public_id: Any, person: Person | None = None, institution: Institution | None = None
) -> CreditRecord:
    """One of the subject's own decided records, or 404 (someone else's is never revealed)."""
    try:
        return credit_records_of_subject(person=person, institution=institution).get(
            public_id=_as_uuid(public_id)
        )
    except CreditRecord.DoesNotExist as exc:
        raise Http404 from exc
