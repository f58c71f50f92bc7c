"""网络核验: a commitment clause checked against the credit records the platform itself holds.

A matter whose check method is 网络核验 names a clause and its parameters; when the check is
due, the clause is decided from the records of the committing party, with the records it rests
on as evidence, and nobody has to visit. The clauses:

- ``licence_must_exist``: the promised licence (a JY-XK-01 record, or the items given, whose
  title or licence content holds ``contains`` when given) was decided between the day the
  commitment was made and the due day, and is in force (effective or under objection);
- ``no_record_of_items``: no record of the given items (a penalty, say) decided in that period is
  in force;
- ``deadline_met``: a record of the given items (the fulfilment of a condition that some body
  records, such as a completed 年检) was decided by the due day.

Only records that are in force count: a revoked or repaired record proves nothing, so the
decision is the same whenever it is run again for the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from educredit.core.i18n import Bilingual
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord

LICENCE_MUST_EXIST = "licence_must_exist"
NO_RECORD_OF_ITEMS = "no_record_of_items"
DEADLINE_MET = "deadline_met"
CLAUSES = (LICENCE_MUST_EXIST, NO_RECORD_OF_ITEMS, DEADLINE_MET)
LICENCE_ITEM = "JY-XK-01"
IN_FORCE = (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION)


class OnlineCheckError(ValueError):
    """A clause that cannot be decided as written (an unknown clause, items missing)."""


@dataclass(frozen=True)
class OnlineCheckResult:
    """What the check decided: kept or not, the records it rests on, the finding in words."""

    kept: bool
    evidence: tuple[str, ...]  # public ids of the records relied on
    finding: Bilingual


def clause_problems(clause: str, params: dict[str, Any]) -> list[Bilingual]:
    """Why a clause cannot be checked as written; empty when it can (for the matter editors)."""
    if clause not in CLAUSES:
        return [Bilingual(f"未知的网络核验条款 {clause}", f"unknown online check clause {clause}")]
    items = params.get("items")
    if clause != LICENCE_MUST_EXIST and not items:
        return [Bilingual("应列出核验所依据的目录条目", "name the catalog items to check")]
    if items is not None and (
        not isinstance(items, list) or not all(isinstance(i, str) and i for i in items)
    ):
        return [Bilingual("目录条目应为条目代码列表", "items must be a list of item codes")]
    contains = params.get("contains")
    if contains is not None and not isinstance(contains, str):
        return [Bilingual("contains 应为文字", "contains must be text")]
    return []


def _records(
    *, institution: Any, person: Any, items: list[str], start: dt.date, end: dt.date
) -> QuerySet[CreditRecord]:
    if (institution is None) == (person is None):
        raise OnlineCheckError("a commitment is made by one institution or one person")
    subject = Q(institution=institution) if institution is not None else Q(person=person)
    return (
        CreditRecord.objects.filter(
            subject,
            catalog_item__code__in=items,
            status__in=IN_FORCE,
            decision_date__gte=start,
            decision_date__lte=end,
        )
        .order_by("decision_date", "pk")
        .only("public_id", "title", "payload", "decision_date", "decision_number")
    )


def _holds(record: CreditRecord, contains: str | None) -> bool:
    if not contains:
        return True
    return contains in record.title or contains in str(record.payload.get("licence_content", ""))


def online_check(
    *,
    clause: str,
    params: dict[str, Any],
    institution: Any = None,
    person: Any = None,
    made_on: dt.date,
    due_on: dt.date,
) -> OnlineCheckResult:
    """Decide ``clause`` for the party over [``made_on``, ``due_on``] from the records in force."""
    problems = clause_problems(clause, params)
    if problems:
        raise OnlineCheckError(str(problems[0]))
    items = list(params.get("items") or [LICENCE_ITEM])
    contains = params.get("contains")
    found = [
        record
        for record in _records(
            institution=institution, person=person, items=items, start=made_on, end=due_on
        )
        if _holds(record, contains)
    ]
    evidence = tuple(str(record.public_id) for record in found)
    period = f"{made_on:%Y-%m-%d}—{due_on:%Y-%m-%d}"
    names = "、".join(items)
    if clause == NO_RECORD_OF_ITEMS:
        if found:
            numbers = "、".join(r.decision_number or r.title for r in found)
            return OnlineCheckResult(
                False,
                evidence,
                Bilingual(
                    f"承诺期间（{period}）存在 {names} 记录：{numbers}",
                    f"records of {names} in force were decided in the period {period}: {numbers}",
                ),
            )
        return OnlineCheckResult(
            True,
            (),
            Bilingual(
                f"承诺期间（{period}）无 {names} 记录",
                f"no record of {names} in force was decided in the period {period}",
            ),
        )
    if found:
        first = found[0]
        name = first.decision_number or first.title
        return OnlineCheckResult(
            True,
            evidence,
            Bilingual(
                f"已于 {first.decision_date:%Y-%m-%d} 取得：{name}",
                f"obtained on {first.decision_date:%Y-%m-%d}: {name}",
            ),
        )
    what = f"“{contains}”（{names}）" if contains else names
    return OnlineCheckResult(
        False,
        (),
        Bilingual(
            f"截至 {due_on:%Y-%m-%d} 未查到承诺取得的 {what}（承诺期间 {period}）",
            f"by {due_on:%Y-%m-%d} no {what} promised was found (period {period})",
        ),
    )
