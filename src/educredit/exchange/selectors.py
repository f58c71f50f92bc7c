"""Reads of the exchange app for other apps' pages (they never query its tables directly).

``inbound_facts_for`` gives what the provincial platform (信用河南) told us about one
institution: its latest 公共信用综合评价 grade and other departments' dishonesty listings. They
are shown read-only beside education's own records, never mixed into them (ADR 0018).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from educredit.exchange.models import InboundEvaluation, InboundListing
from educredit.subjects.models import Institution


@dataclass(frozen=True)
class InboundFacts:
    """One institution's facts from the provincial platform."""

    evaluation: InboundEvaluation | None  # the latest grade, if the platform gave one
    listings: list[InboundListing]  # active first (newest listing first), then removed ones

    @property
    def active_listings(self) -> list[InboundListing]:
        return [listing for listing in self.listings if listing.removed_on is None]

    @property
    def removed_listings(self) -> list[InboundListing]:
        return [listing for listing in self.listings if listing.removed_on is not None]

    def __bool__(self) -> bool:
        return self.evaluation is not None or bool(self.listings)


def inbound_facts_for(institution: Institution) -> InboundFacts:
    """The platform's latest grade and the other departments' listings of ``institution``.

    Two queries whatever the number of listings. The caller has already checked that the
    reader may see the institution (``subjects.selectors.access_institution_for_user``).
    """
    evaluation = (
        InboundEvaluation.objects.filter(institution=institution)
        .order_by("-evaluated_on", "-pk")
        .first()
    )
    listings = list(
        InboundListing.objects.filter(institution=institution).order_by(
            # Active entries (no removal date) first, then the most recently removed.
            F("removed_on").desc(nulls_first=True),
            "-listed_on",
            "-pk",
        )
    )
    return InboundFacts(evaluation=evaluation, listings=listings)
