"""Background work of the commitments app: the daily planning of checks (tasks and sampling
draws) and the daily 网络核验 of the commitments whose check is due."""

from __future__ import annotations

from django_tasks import task

from educredit.commitments.checks.fulfilment import commitment_online_checks_run
from educredit.commitments.checks.verification import verification_plan_run


@task()
def check_plan_daily_task() -> dict[str, int]:
    """Give the accepted commitments their check tasks, drawing the sampled matters."""
    return verification_plan_run()


@task()
def online_checks_daily_task() -> dict[str, int]:
    """Decide the 网络核验 commitments whose check fell due (enqueued by the scheduler)."""
    return commitment_online_checks_run()
