"""Background work of the subjects app: processing uploaded import files."""

from __future__ import annotations

from django_tasks import task

from educredit.subjects.services import import_run_process


@task()
def import_run_task(run_id: int) -> None:
    """Import a queued file (claimed, so a run is processed once even if enqueued twice)."""
    import_run_process(run_id=run_id)
