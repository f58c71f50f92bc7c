"""Background work of the sanctions app: recomputing restrictions, pushing webhooks, bulk
checks."""

from __future__ import annotations

from django_tasks import task

from educredit.sanctions.services import restrictions_recompute_all

PUBLISH_ACTOR = "system:sanctions-publish"
DAILY_ACTOR = "system:daily"


@task()
def restrictions_recompute_task() -> dict[str, int]:
    """Recompute after a measure-list version is published (enqueued on commit)."""
    return restrictions_recompute_all(actor=PUBLISH_ACTOR).as_dict()


@task()
def restrictions_daily_task() -> dict[str, int]:
    """The nightly safety net: recompute every restriction (writes only what drifted)."""
    return restrictions_recompute_all(actor=DAILY_ACTOR).as_dict()


@task()
def webhook_deliver_task() -> dict[str, int]:
    """Push due initiations to subscribed webhooks (every 30 s; SKIP LOCKED claims)."""
    from educredit.sanctions.subscriptions import webhook_deliver_due

    run = webhook_deliver_due()
    return {"posts": run.posts, "events": run.events, "failures": run.failures}


@task()
def bulk_check_task(run_id: int) -> dict[str, int]:
    """Answer a queued bulk check (claimed, so a run is processed once even if enqueued
    twice); progress is saved on the run after every batch (ADR 0024)."""
    from educredit.sanctions.bulk_check import bulk_check_process

    run = bulk_check_process(run_id=run_id)
    return {"processed": run.processed_rows if run else 0}
