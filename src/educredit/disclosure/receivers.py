"""What the disclosure app hears: record life-cycle steps and the platform's receipts."""

from __future__ import annotations

from typing import Any

from educredit.audit.services import target_type_of
from educredit.disclosure import services
from educredit.disclosure.models import Decision
from educredit.records.choices import CreditRecordStatus


def on_record_transitioned(
    sender: Any, *, record: Any, action: str, from_status: str, actor: Any, **kwargs: Any
) -> None:
    """Open a decision when a licence or penalty becomes effective; re-report its changes."""
    who = getattr(actor, "audit_actor", actor)
    if action == "approve" and record.status == CreditRecordStatus.EFFECTIVE:
        services.decision_open(actor=who, record=record)
    elif getattr(record, "made_while_minor", False) and action in (
        "correct",
        "flag_minor",
        "mark_repaired",
        "restore_after_breach",
    ):
        # Found to concern a minor after it was reported (a corrected decision date, or a row
        # flagged by ``educredit minors``): the platform withdraws it, once (Henan §3, §42).
        reported = Decision.objects.filter(record=record).exclude(last_operation__in=("", "revoke"))
        if reported.exists():
            services.decision_report_change(actor=who, record=record, operation="revoke")
    elif action in ("correct", "mark_repaired", "restore_after_breach"):
        # A repair ends the publication (公示截止期 moves to the repair date); a breached repair
        # commitment restores the longest one: both reach the platform as a change.
        services.decision_report_change(actor=who, record=record, operation="change")
    elif action == "revoke":
        services.decision_report_change(actor=who, record=record, operation="revoke")


def on_outbox_delivered(sender: Any, *, item: Any, receipt: Any = None, **kwargs: Any) -> None:
    """The platform accepted a row we sent: the decision's first report time, if first."""
    if item.source_type != target_type_of(Decision):
        return
    decision = Decision.objects.filter(pk=item.source_id).first()
    if decision is None:
        return
    at = getattr(item, "delivered_at", None) or getattr(receipt, "received_at", None)
    if at is None:
        from educredit.core import clock

        at = clock.now()
    services.decision_mark_reported(decision=decision, at=at)
