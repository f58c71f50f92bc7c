"""The credit archive (信用档案): one subject's records and list entries as a timeline.

For an institution, the reader must see the institution; records shown are those owned by an
organisation in the reader's jurisdiction or about an institution in it. For a person, the
reader must see one of the institutions the person worked or studied at (else 404); records
shown are those owned within the reader's jurisdiction. Every view of a person's archive is a
query of non-public credit information and is logged in ``SubjectQueryLog``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from educredit.records.choices import ListEntryStatus
from educredit.records.lists import list_entries_visible_to
from educredit.records.models import CreditListEntry, CreditRecord, CreditRecordTransition
from educredit.subjects.models import Institution, Person
from educredit.subjects.query_log import query_log_write

# A timeline longer than this is cut (the filters narrow it); the page says so.
TIMELINE_LIMIT = 200
ARCHIVE_QUERY_PURPOSE = "查看信用档案"


@dataclass(frozen=True)
class ArchiveFilters:
    """What staff narrow an archive by; empty strings and None mean "any"."""

    category: str = ""
    severity: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass
class TimelineEvent:
    """One row of the timeline: a record or a list entry, dated, with its steps."""

    date: dt.date
    kind: str  # "record" or "list"
    record: CreditRecord | None = None
    entry: CreditListEntry | None = None
    steps: list[tuple[Any, Any, str]] = field(default_factory=list)  # (when, status label, note)


@dataclass
class Archive:
    """A subject's timeline as the reader may see it."""

    events: list[TimelineEvent]
    truncated: bool


def _path(user: Any) -> str | None:
    organisation = getattr(user, "organisation", None)
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    return str(organisation.path)


def archive_records_visible_to(user: Any, subject: Institution | Person) -> QuerySet[CreditRecord]:
    """The subject's records the reader may see in its archive (never drafts of others)."""
    path = _path(user)
    if path is None:
        return CreditRecord.objects.none()
    if isinstance(subject, Institution):
        records = CreditRecord.objects.filter(institution=subject).filter(
            Q(organisation__path__startswith=path)
            | Q(institution__supervisor__path__startswith=path)
            | Q(institution__organisation__path__startswith=path)
        )
    else:
        records = CreditRecord.objects.filter(person=subject, organisation__path__startswith=path)
    return records


def _filtered_records(
    records: QuerySet[CreditRecord], filters: ArchiveFilters
) -> QuerySet[CreditRecord]:
    if filters.category:
        records = records.filter(catalog_item__category=filters.category)
    if filters.severity:
        records = records.filter(severity=filters.severity)
    if filters.status:
        records = records.filter(status=filters.status)
    if filters.date_from:
        records = records.filter(decision_date__gte=filters.date_from)
    if filters.date_to:
        records = records.filter(decision_date__lte=filters.date_to)
    return records


def _entries(
    user: Any, subject: Institution | Person, filters: ArchiveFilters
) -> QuerySet[CreditListEntry]:
    entries = list_entries_visible_to(user)
    if isinstance(subject, Institution):
        entries = entries.filter(institution=subject)
    else:
        entries = entries.filter(Q(person=subject) | Q(responsible_people__person=subject))
    if filters.status:
        entries = entries.filter(status=filters.status)
    if filters.date_from:
        entries = entries.filter(notice_date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(notice_date__lte=filters.date_to)
    if filters.category and filters.category != "list":
        entries = entries.none()
    if filters.severity:
        entries = entries.none()
    return entries.distinct()


def subject_archive(
    user: Any, subject: Institution | Person, filters: ArchiveFilters | None = None
) -> Archive:
    """The timeline of a subject the caller has already fetched through an ``access_*`` selector.

    A fixed number of queries whatever the number of records.
    """
    filters = filters or ArchiveFilters()
    records = (
        _filtered_records(archive_records_visible_to(user, subject), filters)
        .select_related("catalog_item", "organisation")
        .prefetch_related(
            Prefetch(
                "transitions",
                queryset=CreditRecordTransition.objects.select_related("actor").order_by(
                    "at", "pk"
                ),
            )
        )
        .order_by("-decision_date", "-pk")[: TIMELINE_LIMIT + 1]
    )
    entries = (
        _entries(user, subject, filters)
        .select_related("organisation", "institution", "person")
        .prefetch_related("basis_records", "responsible_people__person")
        .order_by("-notice_date", "-pk")[: TIMELINE_LIMIT + 1]
    )
    events: list[TimelineEvent] = []
    for record in records:
        record_steps: list[tuple[Any, Any, str]] = [
            (
                t.at,
                t.get_to_status_display(),
                f"{t.actor or t.actor_label}{'：' + t.reason if t.reason else ''}",
            )
            for t in record.transitions.all()
        ]
        events.append(
            TimelineEvent(
                date=record.decision_date, kind="record", record=record, steps=record_steps
            )
        )
    for entry in entries:
        steps: list[tuple[Any, Any, str]] = []
        if entry.notice_date:
            steps.append((entry.notice_date, ListEntryStatus.NOTICE.label, ""))
        if entry.listed_on:
            steps.append((entry.listed_on, ListEntryStatus.LISTED.label, ""))
        if entry.exited_on:
            steps.append((entry.exited_on, ListEntryStatus.EXITED.label, entry.exit_notice))
        events.append(
            TimelineEvent(
                date=entry.notice_date or entry.created_at.date(),
                kind="list",
                entry=entry,
                steps=steps,
            )
        )
    events.sort(key=lambda event: event.date, reverse=True)
    truncated = len(events) > TIMELINE_LIMIT
    return Archive(events=events[:TIMELINE_LIMIT], truncated=truncated)


@transaction.atomic
def person_archive_query_record(*, user: Any, person: Person, purpose: str = "") -> None:
    """Log that ``user`` opened ``person``'s credit archive (a query of non-public data)."""
    query_log_write(
        reader=user,
        purpose=purpose or ARCHIVE_QUERY_PURPOSE,
        route="records:person_archive",
        persons=[person],
        document_type=person.document_type,
    )
