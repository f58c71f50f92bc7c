"""Background work of the 师德考核: importing uploaded spreadsheets of appraisals."""

from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from educredit.core import jobs
from educredit.integrity.appraisal.imports import appraisal_import_fail, appraisal_import_process
from educredit.integrity.appraisal.models import EthicsAppraisalImportRun
from educredit.subjects.choices import ImportStatus


@task()
def appraisal_import_task(run_id: int) -> None:
    """Import a queued file (claimed, so processed once even if enqueued twice; a worker that
    takes the task over from a dead one goes on from the last committed chunk)."""
    appraisal_import_process(run_id=run_id)


@jobs.on_abandoned(appraisal_import_task)
def appraisal_import_abandoned(run_id: int, *, reason: str) -> jobs.Owner | None:
    """Given up after its workers kept dying: the run fails with the reason, its file goes."""
    run = (
        EthicsAppraisalImportRun.objects.select_related("organisation")
        .filter(pk=run_id, status__in=(ImportStatus.PENDING, ImportStatus.RUNNING))
        .first()
    )
    if run is None:
        return None
    appraisal_import_fail(run, reason)
    return jobs.Owner(
        organisation_path=run.organisation.path,
        link=reverse(
            "integrity_appraisal:import_detail", kwargs={"appraisal_import_id": run.public_id}
        ),
    )
