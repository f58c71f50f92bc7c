"""Background work of the disclosure app: importing uploaded spreadsheets of decisions."""

from __future__ import annotations

from django_tasks import task

from educredit.disclosure.imports import decision_import_process


@task()
def decision_import_task(run_id: int) -> None:
    """Import a queued file (claimed, so a run is processed once even if enqueued twice)."""
    decision_import_process(run_id=run_id)
