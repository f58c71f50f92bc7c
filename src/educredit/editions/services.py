"""Writes common to every edition model: the next number, the draft check, publication.

An app's own services keep its permission check and its rows' checks and call these inside
their transaction; the messages are the app's (``Bilingual``, naming its list), the audit
actions carry its prefix (``catalog.version_publish``, ``sanctions.version_retire``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet

from educredit.audit.services import audit_append
from educredit.core.i18n import Bilingual
from educredit.editions.models import Edition, EditionStatus

E = TypeVar("E", bound=Edition)
Actor = Any


def edition_require_draft(edition: Edition, message: Bilingual) -> None:
    """Refuse (``ValidationError`` code ``not_draft``, ``message``) unless ``edition`` is a
    draft: published and retired editions are never changed."""
    if edition.status != EditionStatus.DRAFT:
        raise ValidationError(message, code="not_draft")


def edition_next_number(model: type[Edition]) -> int:
    """The number a new edition of ``model`` takes: one above the highest, 1 for the first."""
    top = model._default_manager.aggregate(top=Max("number"))["top"]
    return int(top or 0) + 1


def edition_latest_published(model: type[E]) -> E | None:
    """The published edition of ``model`` with the latest effective date, or None."""
    return (
        model._default_manager.filter(status=EditionStatus.PUBLISHED)
        .order_by("-effective_from", "-number")
        .first()
    )


def edition_title_required(title: str) -> str:
    """The stripped title, or a ``ValidationError`` on ``title`` when it is blank."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": [Bilingual("名称为必填项", "title is required")]})
    return title


def edition_create(
    *,
    actor: Actor,
    model: type[E],
    title: str,
    effective_from: datetime.date,
    notes: str = "",
    action_prefix: str,
) -> E:
    """A new draft edition of ``model`` with the next number, audited as
    ``<prefix>.version_create`` (a blank title is refused on ``title``). The caller holds the
    transaction and checks the actor's permission."""
    edition = model._default_manager.create(
        number=edition_next_number(model),
        title=edition_title_required(title),
        effective_from=effective_from,
        notes=notes,
        status=EditionStatus.DRAFT,
    )
    audit_append(actor=actor, action=f"{action_prefix}.version_create", target=edition, before=None)
    return edition


def edition_copy_rows(
    *,
    actor: Actor,
    source: Edition,
    edition: Edition,
    rows: QuerySet[Any],
    fields: Iterable[str],
    action: str,
    edition_field: str = "version",
) -> list[Any]:
    """Copy ``rows`` (of ``source``) into the draft ``edition``, attribute by attribute
    (``fields``), each copy saved and audited (``action``, "copied from version N") in the
    caller's transaction."""
    names = tuple(fields)
    copies = []
    for original in rows:
        copy = type(original)(**{edition_field: edition})
        for name in names:
            setattr(copy, name, getattr(original, name))
        copy.save()
        audit_append(
            actor=actor,
            action=action,
            target=copy,
            before=None,
            reason=f"复制自第 {source.number} 版 / copied from version {source.number}",
        )
        copies.append(copy)
    return copies


def _refuse_earlier(previous: list[E], effective_from: datetime.date) -> None:
    for old in previous:
        if old.effective_from >= effective_from:
            raise ValidationError(
                {
                    "effective_from": [
                        Bilingual(
                            f"施行日期应晚于现行第 {old.number} 版的施行日期 {old.effective_from}",
                            f"the effective date must be after {old.effective_from}, "
                            f"when version {old.number} took effect",
                        )
                    ]
                }
            )


DRAFT_ONLY = Bilingual("只能修改草稿版本", "only a draft version can be changed")


@transaction.atomic
def edition_publish(
    *,
    actor: Actor,
    edition: E,
    rows: QuerySet[Any],
    action_prefix: str,
    empty_message: Bilingual,
    reason: str = "",
    draft_message: Bilingual = DRAFT_ONLY,
    effective_from: datetime.date | None = None,
    check: Callable[[E], None] | None = None,
) -> E:
    """Publish a draft edition: in force from its effective date (``effective_from`` when
    given, which is then saved on it), the edition published before it retired from that date
    (one edition in force on any day), each with its audit entry (``<prefix>.version_retire``,
    ``<prefix>.version_publish``).

    Locks the edition, then refuses, in this order: a non-draft (``draft_message``, code
    ``not_draft``), an effective date not after the published edition's (on
    ``effective_from``), an edition whose ``rows`` are empty (``empty_message``, code
    ``empty``). ``check(edition)`` runs last, before anything is retired, for the app's own
    checks of its rows. The caller checks the actor's permission and adds its side effects.
    """
    model = type(edition)
    manager = model._default_manager
    edition = manager.select_for_update().get(pk=edition.pk)
    edition_require_draft(edition, draft_message)
    before = edition.audit_snapshot()
    previous = list(
        manager.select_for_update().filter(status=EditionStatus.PUBLISHED).exclude(pk=edition.pk)
    )
    day = effective_from or edition.effective_from
    _refuse_earlier(previous, day)
    if effective_from is not None:
        edition.effective_from = effective_from
        edition.save(update_fields=["effective_from"])
    if not rows.exists():
        raise ValidationError(empty_message, code="empty")
    if check is not None:
        check(edition)
    for old in previous:
        old_before = old.audit_snapshot()
        old.status = EditionStatus.RETIRED
        old.retired_from = day
        old.save(update_fields=["status", "retired_from"])
        audit_append(
            actor=actor,
            action=f"{action_prefix}.version_retire",
            target=old,
            before=old_before,
            reason=f"由第 {edition.number} 版取代 / superseded by version {edition.number}",
        )
    edition.status = EditionStatus.PUBLISHED
    edition.save(update_fields=["status"])
    audit_append(
        actor=actor,
        action=f"{action_prefix}.version_publish",
        target=edition,
        before=before,
        reason=reason,
    )
    return edition
