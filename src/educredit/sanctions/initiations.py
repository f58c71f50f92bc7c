"""Initiations (发起): the outward notice of restriction changes, and the pull feed over them.

``initiation_events_append`` is called by ``restrictions._sync`` in the transaction that writes
the rows, with one ``bulk_create``, so a recomputation stays a few statements per batch and an
event exists exactly when its change committed. ``feed_for`` reads a subscriber's events after
a cursor (ADR 0023).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from educredit.sanctions.models import (
    InitiationEvent,
    InitiationEventKind,
    Restriction,
    Subscription,
)

FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500
BATCH = 2000


def change_kind(old_ends_on: dt.date | None, new_ends_on: dt.date | None) -> str:
    """``ended`` when the restriction now ends earlier than announced, else ``changed``."""
    if new_ends_on is not None and (old_ends_on is None or new_ends_on < old_ends_on):
        return InitiationEventKind.ENDED
    return InitiationEventKind.CHANGED


def _event(
    row: Restriction, kind: str, at: dt.datetime, day: dt.date | None = None
) -> InitiationEvent:
    return InitiationEvent(
        kind=kind,
        restriction_id=row.pk,
        institution_id=row.institution_id,
        person_id=row.person_id,
        scenario=row.scenario,
        measure_id=row.measure_id,
        measure_version=row.measure_version,
        verdict=row.verdict,
        legal_basis=row.legal_basis,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        ended_by=row.ended_by,
        created_at=at,
        day=day,
    )


def initiation_events_append(changes: Iterable[tuple[Restriction, str]]) -> int:
    """Append one event per (row, kind); rows must be saved (``withdrawn``: as they were)."""
    at = timezone.now()
    events = [_event(row, kind, at) for row, kind in changes]
    if events:
        InitiationEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(events)


@dataclass(frozen=True)
class FeedPage:
    """Events after a cursor, and the cursor to ask with next."""

    events: list[dict[str, Any]]
    next_cursor: int
    has_more: bool


def _subject(event: InitiationEvent) -> dict[str, Any]:
    """How the business system recognises the subject: never a full identity number."""
    if event.institution is not None:
        return {
            "kind": "institution",
            "uscc": event.institution.uscc,
            "name": event.institution.name,
        }
    person = event.person
    assert person is not None  # noqa: S101 - a restriction has exactly one subject
    return {
        "kind": "person",
        "public_id": str(person.public_id),
        "document_type": person.document_type,
        "document_number_masked": person.id_number_masked,
    }


def event_payload(event: InitiationEvent) -> dict[str, Any]:
    """One event as the feed and the webhook send it."""
    return {
        "event_id": event.id,
        "kind": event.kind,
        "scenario": event.scenario,
        "measure_code": event.measure.code,
        "measure_version": event.measure_version,
        "verdict": event.verdict,
        "legal_basis": event.legal_basis,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else None,
        "ended_by": event.ended_by,
        "subject": _subject(event),
        "created_at": event.created_at.isoformat(),
    }


def events_after(scenarios: list[str], after: int, limit: int) -> list[InitiationEvent]:
    """Up to ``limit`` events of ``scenarios`` with id > ``after``, oldest first (2 queries)."""
    return list(
        InitiationEvent.objects.filter(scenario__in=scenarios, id__gt=after)
        .select_related("institution", "person", "measure")
        .only(
            *[f.name for f in InitiationEvent._meta.concrete_fields if f.name != "measure"],
            "measure__code",
            "institution__uscc",
            "institution__name",
            "person__public_id",
            "person__document_type",
            "person__id_number_masked",
        )
        .order_by("id")[:limit]
    )


def feed_for(subscription: Subscription | None, *, after: int, limit: int) -> FeedPage:
    """The subscriber's events after ``after`` (none without an active subscription)."""
    limit = max(1, min(limit, FEED_LIMIT_MAX))
    if subscription is None or not subscription.active or not subscription.scenarios:
        return FeedPage([], after, False)
    found = events_after(list(subscription.scenarios), after, limit + 1)
    page = found[:limit]
    return FeedPage(
        [event_payload(event) for event in page],
        page[-1].id if page else after,
        len(found) > limit,
    )
