"""Figures of commitments per matter and accepting body: signed, declined, checked, fulfilled,
breached and checks overdue, over the commitments the reader's jurisdiction covers.

One grouped query counts what the rows say; a check is overdue when its task
(``checks.verification``) is still open after its due day, counted by one more grouped query.
Two queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from educredit.commitments.choices import (
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
    VerificationTaskStatus,
)
from educredit.commitments.models import Commitment, VerificationTask

UNFULFILLED = (CommitmentFulfilment.PARTIAL, CommitmentFulfilment.UNFULFILLED)


@dataclass
class CommitmentFigures:
    """One row: a matter at one accepting body (or a total)."""

    matter_code: str
    matter_name: str
    body: str
    signed: int = 0
    declined: int = 0
    checked: int = 0
    fulfilled: int = 0
    breached: int = 0
    overdue: int = 0

    @property
    def fulfilment_rate(self) -> float | None:
        """Fulfilled ÷ checked, in per cent to one decimal; None before any check."""
        if not self.checked:
            return None
        return round(self.fulfilled * 100 / self.checked, 1)


def commitment_figures(
    commitments: QuerySet[Commitment], *, today: dt.date
) -> list[CommitmentFigures]:
    """The figures of ``commitments`` (already scoped to the reader) by matter and body."""
    signed = Q(decision=CommitmentDecision.SIGNED)
    grouped = (
        # By the matter's code, whatever edition of the list it was signed under.
        commitments.values("matter__code", "accepting_organisation__name")
        .annotate(
            matter_name=Max("matter__name"),
            signed=Count("pk", filter=signed),
            declined=Count("pk", filter=Q(decision=CommitmentDecision.DECLINED)),
            checked=Count(
                "pk", filter=signed & Q(supervision_state=CommitmentSupervisionState.COMPLETED)
            ),
            fulfilled=Count("pk", filter=Q(fulfilment=CommitmentFulfilment.FULFILLED)),
            breached=Count("pk", filter=Q(fulfilment__in=UNFULFILLED)),
        )
        .order_by("matter__code", "accepting_organisation__name")
    )
    rows: dict[tuple[str, str], CommitmentFigures] = {}
    for line in grouped:
        key = (line["matter__code"], line["accepting_organisation__name"])
        rows[key] = CommitmentFigures(
            matter_code=line["matter__code"],
            matter_name=line["matter_name"],
            body=line["accepting_organisation__name"],
            signed=line["signed"],
            declined=line["declined"],
            checked=line["checked"],
            fulfilled=line["fulfilled"],
            breached=line["breached"],
        )
    late = (
        VerificationTask.objects.filter(commitment__in=commitments.filter(signed))
        .filter(status=VerificationTaskStatus.OPEN, due_on__lt=today)
        .values("commitment__matter__code", "commitment__accepting_organisation__name")
        .annotate(count=Count("pk"))
    )
    overdue = {
        (line["commitment__matter__code"], line["commitment__accepting_organisation__name"]): line[
            "count"
        ]
        for line in late
    }
    for key, count in overdue.items():
        if key in rows:
            rows[key].overdue = count
    return list(rows.values())


def total_of(rows: list[CommitmentFigures], label: Any) -> CommitmentFigures:
    """The sum of ``rows`` as one row named ``label``."""
    total = CommitmentFigures(matter_code="", matter_name=str(label), body="")
    for row in rows:
        total.signed += row.signed
        total.declined += row.declined
        total.checked += row.checked
        total.fulfilled += row.fulfilled
        total.breached += row.breached
        total.overdue += row.overdue
    return total
