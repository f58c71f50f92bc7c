"""Background work of the subjects app: processing uploaded import files."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from educredit.core import jobs
from educredit.subjects.choices import ImportStatus
from educredit.subjects.models import ImportRun
from educredit.subjects.services import import_run_fail, import_run_process


@task()
def import_run_task(run_id: int) -> None:
    """Import a queued file (claimed, so a run is processed once even if enqueued twice; a
    worker that takes the task over from a dead one goes on from the last committed chunk)."""
    import_run_process(run_id=run_id)


@jobs.on_abandoned(import_run_task)
def import_run_abandoned(run_id: int, *, reason: str) -> jobs.Owner | None:
    """Given up after its workers kept dying: the run fails with the reason."""
    run = (
        ImportRun.objects.select_related("organisation")
        .filter(pk=run_id, status__in=(ImportStatus.PENDING, ImportStatus.RUNNING))
        .first()
    )
    if run is None:
        return None
    import_run_fail(run, reason)
    return jobs.Owner(
        organisation_path=run.organisation.path,
        link=reverse("subjects:import_detail", kwargs={"run_id": run.public_id}),
    )
