"""Reads common to every edition model."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db.models import Q

from educredit.core.clock import today
from educredit.editions.models import Edition, EditionStatus

E = TypeVar("E", bound=Edition)


def edition_in_force(model: type[E], as_of: datetime.date | None = None) -> E | None:
    """The edition of ``model`` in force on ``as_of`` (today by default), or None before the
    first: published (or since retired), effective on or before the day, not yet retired on it."""
    day = as_of or today()
    return (
        model._default_manager.filter(
            status__in=[EditionStatus.PUBLISHED, EditionStatus.RETIRED], effective_from__lte=day
        )
        .filter(Q(retired_from__isnull=True) | Q(retired_from__gt=day))
        .order_by("-effective_from", "-number")
        .first()
    )


def edition_by_number(model: type[E], number: int) -> E | None:
    """The edition of ``model`` with this number, or None."""
    return model._default_manager.filter(number=number).first()
