"""Reads of institutions, people and imports, always scoped by the reader's jurisdiction."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from educredit.core.crypto import blind_index, normalise_document_number
from educredit.subjects.choices import AffiliationRole, QueryKind
from educredit.subjects.models import (
    Affiliation,
    FormerName,
    ImportRun,
    Institution,
    InstitutionAlias,
    NameDiscrepancy,
    Person,
)
from educredit.subjects.query_log import query_log_write


def _as_uuid(public_id: Any) -> uuid.UUID:
    try:
        return public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc


def institutions_visible_to(user: Any) -> QuerySet[Institution]:
    """Institutions in the reader's jurisdiction."""
    return Institution.objects.visible_to(user)


def institution_search(
    user: Any, *, q: str = "", kind: str = "", region: str = ""
) -> QuerySet[Institution]:
    """Visible institutions matching a name, former name, short name (exactly), USCC or MOE
    code, kind and region.

    A region ending in ``00`` (a city) also matches the counties under it. The result carries
    its supervisor and former names, so listing it costs a fixed number of queries.
    """
    institutions = institutions_visible_to(user)
    q = " ".join(q.split())
    if q:
        code = normalise_document_number(q)
        former = FormerName.objects.filter(institution=OuterRef("pk"), name__icontains=q)
        alias = InstitutionAlias.objects.filter(institution=OuterRef("pk"), name=q)
        institutions = institutions.filter(
            Q(name__icontains=q) | Exists(former) | Exists(alias) | Q(uscc=code) | Q(moe_code=code)
        )
    if kind:
        institutions = institutions.filter(kind=kind)
    if region:
        if region.endswith("0000"):
            institutions = institutions.filter(region_code__startswith=region[:2])
        elif region.endswith("00"):
            institutions = institutions.filter(region_code__startswith=region[:4])
        else:
            institutions = institutions.filter(region_code=region)
    return (
        institutions.select_related("supervisor")
        .prefetch_related(
            Prefetch("former_names", queryset=FormerName.objects.order_by("-used_until"))
        )
        .order_by("name", "pk")
    )


def access_institution_for_user(user: Any, public_id: Any) -> Institution:
    """One institution by public id, or 404 whether it is missing or out of jurisdiction."""
    try:
        return (
            institutions_visible_to(user)
            .select_related("supervisor", "organisation")
            .get(public_id=_as_uuid(public_id))
        )
    except Institution.DoesNotExist as exc:
        raise Http404 from exc


def institution_people_counts(institution: Institution) -> dict[str, int]:
    """People currently affiliated with the institution, by role (one query)."""
    rows = (
        Affiliation.objects.filter(institution=institution, ended_on=None)
        .values("role")
        .annotate(n=Count("person", distinct=True))
    )
    counts = dict.fromkeys(AffiliationRole.values, 0)
    for row in rows:
        counts[row["role"]] = row["n"]
    return counts


def institution_affiliations(institution: Institution, *, role: str = "") -> QuerySet[Affiliation]:
    """The institution's affiliations with their people, current ones first."""
    affiliations = Affiliation.objects.filter(institution=institution).select_related("person")
    if role:
        affiliations = affiliations.filter(role=role)
    return affiliations.order_by(F("ended_on").desc(nulls_first=True), "person__name", "pk")


def people_visible_to(user: Any) -> QuerySet[Person]:
    """People with an affiliation at an institution in the reader's jurisdiction."""
    return Person.objects.visible_to(user)


def person_search(user: Any, *, q: str = "") -> QuerySet[Person]:
    """Visible people whose name contains ``q`` (numbers are looked up by ``person_find``)."""
    people = people_visible_to(user)
    q = " ".join(q.split())
    if q:
        people = people.filter(name__icontains=q)
    return people.order_by("name", "pk")


def access_person_for_user(user: Any, public_id: Any) -> Person:
    """One person by public id, or 404 whether missing or out of jurisdiction."""
    try:
        return people_visible_to(user).get(public_id=_as_uuid(public_id))
    except Person.DoesNotExist as exc:
        raise Http404 from exc


def person_affiliations_visible_to(user: Any, person: Person) -> QuerySet[Affiliation]:
    """A person's affiliations at institutions the reader sees (not the others)."""
    return (
        Affiliation.objects.filter(person=person, institution__in=institutions_visible_to(user))
        .select_related("institution")
        .order_by(F("ended_on").desc(nulls_first=True), F("started_on").desc(nulls_last=True), "pk")
    )


@transaction.atomic
def person_find(*, user: Any, document_type: str, id_number: str, purpose: str) -> Person | None:
    """Find a person in the reader's jurisdiction by document number, logging the look-up.

    The log names who asked, when, why and whom they found, never the number asked for.
    """
    index = blind_index(normalise_document_number(id_number))
    person = (
        people_visible_to(user).filter(document_type=document_type, id_number_index=index).first()
    )
    query_log_write(
        reader=user,
        purpose=purpose,
        kind=QueryKind.LOOKUP,
        route="subjects:person_lookup",
        persons=[person] if person is not None else [],
        document_type=document_type,
        log_empty=True,
    )
    return person


def name_discrepancies_visible_to(user: Any) -> QuerySet[NameDiscrepancy]:
    """Name discrepancies about subjects the reader sees, newest first."""
    return NameDiscrepancy.objects.visible_to(user).select_related(
        "institution", "person", "reported_by"
    )


def access_name_discrepancy_for_user(user: Any, public_id: Any) -> NameDiscrepancy:
    """One name discrepancy, or 404 whether missing or out of jurisdiction."""
    try:
        return name_discrepancies_visible_to(user).get(public_id=_as_uuid(public_id))
    except NameDiscrepancy.DoesNotExist as exc:
        raise Http404 from exc


def import_runs_visible_to(user: Any) -> QuerySet[ImportRun]:
    """Import runs started in the reader's organisation or below, newest first."""
    return ImportRun.objects.visible_to(user).select_related("created_by", "organisation")


def access_import_run_for_user(user: Any, public_id: Any) -> ImportRun:
    """One import run, or 404 whether missing or out of jurisdiction."""
    try:
        return import_runs_visible_to(user).get(public_id=_as_uuid(public_id))
    except ImportRun.DoesNotExist as exc:
        raise Http404 from exc
