"""Background work of the disclosure app: importing uploaded spreadsheets of decisions."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from educredit.core import jobs
from educredit.disclosure.imports import decision_import_fail, decision_import_process
from educredit.disclosure.models import DecisionImportRun
from educredit.subjects.choices import ImportStatus


@task()
def decision_import_task(run_id: int) -> None:
    """Import a queued file (claimed, so a run is processed once even if enqueued twice; a
    worker that takes the task over from a dead one goes on from the last committed chunk)."""
    decision_import_process(run_id=run_id)


@jobs.on_abandoned(decision_import_task)
def decision_import_abandoned(run_id: int, *, reason: str) -> jobs.Owner | None:
    """Given up after its workers kept dying: the run fails with the reason, its file goes."""
    run = (
        DecisionImportRun.objects.select_related("organisation")
        .filter(pk=run_id, status__in=(ImportStatus.PENDING, ImportStatus.RUNNING))
        .first()
    )
    if run is None:
        return None
    decision_import_fail(run, reason)
    return jobs.Owner(
        organisation_path=run.organisation.path,
        link=reverse("disclosure:import_detail", kwargs={"decision_import_id": run.public_id}),
    )
