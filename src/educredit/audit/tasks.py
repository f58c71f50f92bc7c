"""Background work of the audit app: one pass of the sequencer."""

from __future__ import annotations

from django_tasks import task

from educredit.audit.sequencer import sequence_pending


@task()
def audit_sequence_task() -> int:
    """Integrate whatever is queued (a backstop for the sequencer service; safe to overlap:
    concurrent sequencers wait for each other's batch)."""
    return sequence_pending(actor="system:sequencer-job")
