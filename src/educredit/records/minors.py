"""Records made while their person was a minor (未成年时作出的记录).

Minors are not credit subjects (《河南省社会信用条例》第三条: 具有完全民事行为能力的自然人), so a
record decided before the person's 18th birthday stays closed for good, whatever their age
later: never on the portal, never screened by outside systems (no restriction rows), never
reported to the provincial platform, never a basis for a list entry, and seen only by the
organisation that owns it (the school) and the authorities above it.

The flag is stored (``CreditRecord.made_while_minor``), set by ``credit_record_create`` and by
every change of the decision date, from the person's birth date and the decision date. A
person whose birth date is unknown (a document other than a resident ID) is not taken for a
minor, as the commitments' rule has it; the portal still publishes nothing about a person of
unknown age (``portal.selectors``). Rows entered before the column existed are flagged by
the audited ``credit_record_minor_flags_apply`` (``educredit minors``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from educredit.audit.services import audit_append
from educredit.records.models import CreditRecord
from educredit.records.signals import credit_record_transitioned

ADULT_AGE = 18
FLAG_ACTION = "flag_minor"


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (someone born on 29 February turns a year older on
    1 March in a common year)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def decided_while_minor(birth_date: dt.date | None, decision_date: dt.date) -> bool:
    """Whether a decision on ``decision_date`` concerned someone under 18 that day.

    Decided the day before the 18th birthday: a minor's record; on the birthday: an adult's.
    An unknown birth date is not taken for a minor's.
    """
    if birth_date is None:
        return False
    return age_on(birth_date, decision_date) < ADULT_AGE


def record_made_while_minor(record: CreditRecord) -> bool:
    """What ``record.made_while_minor`` should hold now (institutions: never)."""
    person = record.person if record.person_id is not None else None
    if person is None:
        return False
    return decided_while_minor(person.birth_date, record.decision_date)


@transaction.atomic
def credit_record_minor_flags_apply(*, actor: Any) -> int:
    """Flag every record decided while its person was a minor that is not flagged yet.

    For rows entered before the flag existed (schema migrations never rewrite audited rows):
    each changed row gets its audit entry, and ``credit_record_transitioned`` (action
    ``flag_minor``) lets the restriction writer drop what it grounded. Idempotent; returns
    how many records it flagged.
    """
    rows = (
        CreditRecord.objects.filter(
            person__isnull=False, person__birth_date__isnull=False, made_while_minor=False
        )
        .values_list("pk", "person__birth_date", "decision_date")
        .order_by("pk")
    )
    minors = [
        pk for pk, born, day in rows.iterator(chunk_size=5000) if decided_while_minor(born, day)
    ]
    flagged = 0
    for record in CreditRecord.objects.select_for_update().filter(pk__in=minors).order_by("pk"):
        before = record.audit_snapshot()
        record.made_while_minor = True
        record.save(update_fields=["made_while_minor", "updated_at"])
        audit_append(
            actor=actor,
            action=f"records.{FLAG_ACTION}",
            target=record,
            before=before,
            reason="未成年时作出的记录 / decided while the person was a minor",
        )
        credit_record_transitioned.send(
            sender=CreditRecord,
            record=record,
            action=FLAG_ACTION,
            from_status=record.status,
            actor=actor,
        )
        flagged += 1
    return flagged
