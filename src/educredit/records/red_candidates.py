"""Candidates for the red list (守信激励对象名单) from honours (表彰奖励与先进事迹信息, JY-BZ-01).

A subject is a candidate on a day when it holds an effective JY-BZ-01 record at provincial or
national level decided within the last ``EDUCREDIT_RED_LIST_HONOUR_YEARS`` years, has no
effective (or disputed) dishonesty record, and is not on the red list nor proposed for it.
The page shows each candidate's honours with their exemplary deeds (典型事迹, the ``deeds``
field; the 2022 provincial plan asks to 发掘和宣传学校、师生在诚信方面的典型事迹) and links to
the red-list proposal, its honours cited as the basis.

Which honours qualify is not fixed by a published text: Henan regulation §27 leaves the
criteria of 守信联合激励对象 to the province. The levels and the number of years are kept here
and in the setting for the provincial office to confirm. A record made while its person was a
minor is never a basis (``records.minors``). One query whatever the number of candidates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from educredit.catalog.choices import Severity
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.lists import _years_before
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.selectors import credit_records_visible_to
from educredit.subjects.models import Institution, Person

HONOUR_ITEM = "JY-BZ-01"
# [U] The honour levels that make a candidate (省级及以上), for the provincial office to confirm.
QUALIFYING_LEVELS = ("国家级", "省级")
DISHONESTY = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)
IN_FORCE = (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION)
# A red-list entry proposed (in its publicity period) or listed: the subject is not a candidate.
ON_RED_LIST = (ListEntryStatus.NOTICE, ListEntryStatus.LISTED)
RED_LIST_BASIS = "《河南省社会信用条例》第十二条第（四）项、第二十八条"


def honour_years() -> int:
    """How many years back an honour counts (``EDUCREDIT_RED_LIST_HONOUR_YEARS``, [U])."""
    return int(getattr(settings, "EDUCREDIT_RED_LIST_HONOUR_YEARS", 3))


@dataclass
class RedListCandidate:
    """One subject with the honours that make it a candidate, newest first."""

    institution: Institution | None
    person: Person | None
    honours: list[CreditRecord] = field(default_factory=list)

    @property
    def subject(self) -> Institution | Person:
        if self.institution is not None:
            return self.institution
        if self.person is None:  # pragma: no cover - a candidate is built from its record
            raise ValueError("a candidate without a subject")
        return self.person

    @property
    def latest(self) -> CreditRecord:
        return self.honours[0]

    def proposal_query(self) -> dict[str, Any]:
        """The red-list proposal's prefilled fields: the subject, its honours as the basis,
        the reason naming them and the legal basis."""
        names = "；".join(
            f"{record.payload.get('honour_name', record.title)}"
            f"（{record.payload.get('level', '')}，{record.decision_date:%Y-%m-%d}）"
            for record in self.honours
        )
        subject: dict[str, Any] = (
            {"institution": self.institution.public_id}
            if self.institution is not None
            else {"person": self.subject.public_id}
        )
        return {
            "kind": CreditListKind.RED,
            **subject,
            "basis": [str(record.public_id) for record in self.honours],
            "reason": f"获得省级以上表彰奖励：{names}"[:2000],
            "legal_basis": RED_LIST_BASIS,
        }


def qualifying_honours(user: Any, *, as_of: dt.date, years: int | None = None) -> QuerySet[Any]:
    """The honours (effective JY-BZ-01 at a qualifying level, within the years) of subjects
    the user sees that have no dishonesty record in force and are not on the red list."""
    since = _years_before(as_of, years if years is not None else honour_years())
    dishonest = CreditRecord.objects.filter(
        status__in=IN_FORCE, severity__in=DISHONESTY, made_while_minor=False
    )
    red = CreditListEntry.objects.filter(kind=CreditListKind.RED, status__in=ON_RED_LIST)
    return (
        credit_records_visible_to(user)
        .filter(
            catalog_item__code=HONOUR_ITEM,
            status=CreditRecordStatus.EFFECTIVE,
            made_while_minor=False,
            decision_date__gt=since,
            decision_date__lte=as_of,
            payload__level__in=QUALIFYING_LEVELS,
        )
        .filter(
            (
                Q(institution__isnull=False)
                & ~Exists(dishonest.filter(institution=OuterRef("institution")))
                & ~Exists(red.filter(institution=OuterRef("institution")))
            )
            | (
                Q(person__isnull=False)
                & ~Exists(dishonest.filter(person=OuterRef("person")))
                & ~Exists(red.filter(person=OuterRef("person")))
            )
        )
        .select_related("institution", "person", "organisation")
        .order_by("-decision_date", "-pk")
    )


def red_list_candidates(
    user: Any, *, as_of: dt.date, years: int | None = None
) -> list[RedListCandidate]:
    """The candidates, the most recently honoured first (one query)."""
    grouped: dict[tuple[str, int], RedListCandidate] = {}
    for record in qualifying_honours(user, as_of=as_of, years=years):
        key = (
            ("institution", record.institution_id)
            if record.institution_id is not None
            else ("person", int(record.person_id or 0))
        )
        candidate = grouped.get(key)
        if candidate is None:
            candidate = grouped[key] = RedListCandidate(record.institution, record.person)
        candidate.honours.append(record)
    return list(grouped.values())


def candidate_subjects(
    candidates: Sequence[RedListCandidate],
) -> tuple[list[Person], list[Institution]]:
    """The people and institutions of ``candidates`` (for the query log)."""
    people = [c.person for c in candidates if c.person is not None]
    institutions = [c.institution for c in candidates if c.institution is not None]
    return people, institutions
