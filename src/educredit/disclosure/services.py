"""Writing 双公示 decisions: opened when a record becomes effective, re-reported on each change.

Each function runs inside the records service's transaction (it is called from the
``credit_record_transitioned`` receiver), so the decision, its audit entry and its outbox row
commit or roll back with the record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.core.workdays import add_working_days
from educredit.disclosure import mapping
from educredit.disclosure.models import Decision
from educredit.disclosure.validation import RowValidator
from educredit.records.models import CreditRecord
from educredit.records.services import RecordError

REPORTING_WORKING_DAYS = 7  # 发改办财金〔2018〕424号: within 7 working days of the decision
SYSTEM_ACTOR = "system:disclosure"


def reporting_deadline(decision_date: dt.date) -> tuple[dt.date, bool]:
    """The 7th working day after the decision date, and whether it is provisional."""
    result = add_working_days(decision_date, REPORTING_WORKING_DAYS)
    return result.date, result.provisional


def _document_number(record: CreditRecord) -> str:
    # The key needs a number; a record entered without one is keyed by its public id.
    return record.decision_number or f"EC-{record.public_id}"


def _check(decision: Decision, row: dict[str, Any], kind: str) -> None:
    result = RowValidator(kind).validate(mapping.unsealed_for_validation(row))
    decision.compliant = result.compliant
    decision.complete = result.complete
    decision.problems = [str(error) for error in result.errors]


def _enqueue(decision: Decision, row: dict[str, Any], operation: str) -> None:
    from educredit.exchange.services import outbox_enqueue  # the exchange app, by contract

    outbox_enqueue(
        kind=decision.kind,
        operation=operation,
        key=decision.key,
        row=row,
        organisation=decision.organisation,
        source=decision,
    )


@transaction.atomic
def decision_prepare(*, actor: Any, record: CreditRecord, extra: dict[str, Any]) -> Decision:
    """Keep a just-entered record's extra national fields (``RecordArguments.extra``).

    For imports and the API: the decision waits, unreported, until the record is approved.
    """
    kind = mapping.kind_of(record)
    if kind is None:
        raise ValueError("only licence and penalty records have 双公示 decisions")
    deadline, provisional = reporting_deadline(record.decision_date)
    decision = Decision.objects.create(
        record=record,
        kind=kind,
        document_number=_document_number(record),
        issuing_body_uscc=record.issuing_body_uscc,
        version=1,
        decision_date=record.decision_date,
        deadline=deadline,
        deadline_provisional=provisional,
        entered_at=record.created_at or clock.now(),
        organisation=record.organisation,
        extra=extra,
    )
    audit_append(actor=actor, action="disclosure.decision_prepare", target=decision, before=None)
    return decision


@transaction.atomic
def decision_refresh_draft(*, actor: Any, record: CreditRecord, extra: dict[str, Any]) -> Decision:
    """A re-entered or re-imported draft's decision follows the draft (audited).

    Its extra national fields are replaced and its number, body, date and deadline follow the
    record; a record without a decision yet gets one. Nothing already reported changes here:
    that is a correction (``records.services.credit_record_correct``).
    """
    decision = Decision.objects.select_for_update().filter(record=record).first()
    if decision is None:
        return decision_prepare(actor=actor, record=record, extra=extra)
    if decision.last_operation:
        raise RecordError("该决定已报送 / This decision has already been reported")
    before = decision.audit_snapshot()
    decision.extra = extra
    decision.document_number = _document_number(record)
    decision.issuing_body_uscc = record.issuing_body_uscc
    decision.decision_date = record.decision_date
    decision.deadline, decision.deadline_provisional = reporting_deadline(record.decision_date)
    decision.save()
    audit_append(actor=actor, action="disclosure.decision_refresh", target=decision, before=before)
    return decision


@transaction.atomic
def decision_open(
    *, actor: Any, record: CreditRecord, extra: dict[str, Any] | None = None
) -> Decision | None:
    """The record became effective: open its decision (version 1) and report it ("add").

    Returns None for a record that is not reported (not a licence or penalty, not reportable,
    or Henan regulation §13). Idempotent: an open decision is returned as it is.
    """
    kind = mapping.kind_of(record)
    if kind is None or not record.is_reportable:
        return None
    existing = Decision.objects.filter(record=record).first()
    if existing is not None and existing.last_operation:
        return existing
    deadline, provisional = reporting_deadline(record.decision_date)
    decision = existing or Decision(record=record, extra=extra or {})
    before = decision.audit_snapshot() if existing is not None else None
    decision.kind = kind
    decision.document_number = _document_number(record)
    decision.issuing_body_uscc = record.issuing_body_uscc
    decision.version = 1
    decision.last_operation = "add"
    decision.decision_date = record.decision_date
    decision.deadline = deadline
    decision.deadline_provisional = provisional
    decision.entered_at = record.created_at or clock.now()
    decision.organisation = record.organisation
    row = mapping.national_row(record, kind=kind, extra=decision.extra)
    _check(decision, row, kind)
    decision.save()
    audit_append(actor=actor, action="disclosure.decision_open", target=decision, before=before)
    _enqueue(decision, row, "add")
    return decision


@transaction.atomic
def decision_report_change(*, actor: Any, record: CreditRecord, operation: str) -> Decision | None:
    """A reported record was corrected ("change") or revoked ("revoke"): a new version."""
    decision = Decision.objects.select_for_update().filter(record=record).first()
    if decision is None or not decision.last_operation:
        return None
    before = decision.audit_snapshot()
    decision.version += 1
    decision.last_operation = operation
    decision.document_number = _document_number(record)
    decision.issuing_body_uscc = record.issuing_body_uscc
    if record.decision_date != decision.decision_date:
        decision.decision_date = record.decision_date
        decision.deadline, decision.deadline_provisional = reporting_deadline(record.decision_date)
    row = mapping.national_row(record, kind=decision.kind, extra=decision.extra)
    _check(decision, row, decision.kind)
    decision.save()
    audit_append(
        actor=actor, action=f"disclosure.decision_{operation}", target=decision, before=before
    )
    _enqueue(decision, row, operation)
    return decision


@transaction.atomic
def decision_mark_reported(*, decision: Decision, at: dt.datetime) -> Decision:
    """The platform confirmed a version: the first confirmation is the reporting time."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.first_reported_at is not None:
        return decision
    before = decision.audit_snapshot()
    decision.first_reported_at = at
    decision.save(update_fields=["first_reported_at", "updated_at"])
    audit_append(
        actor=SYSTEM_ACTOR, action="disclosure.decision_reported", target=decision, before=before
    )
    return decision
