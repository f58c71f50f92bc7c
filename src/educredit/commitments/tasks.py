"""Background work of the commitments app: the daily 网络核验 of commitments whose check is due."""

from __future__ import annotations

from django_tasks import task

from educredit.commitments.checks.fulfilment import commitment_online_checks_run


@task()
def online_checks_daily_task() -> dict[str, int]:
    """Decide the 网络核验 commitments whose check fell due (enqueued by the scheduler)."""
    return commitment_online_checks_run()
