"""Background work of the sanctions app: recomputing restrictions, pushing webhooks, bulk
checks."""

from __future__ import annotations

from django_tasks import task

from educredit.core import jobs
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
    twice); progress is saved on the run after every batch (ADR 0024), and a worker that
    takes the task over from a dead one goes on after the last committed batch."""
    from educredit.sanctions.bulk_check import bulk_check_process

    run = bulk_check_process(run_id=run_id)
    return {"processed": run.processed_rows if run else 0}


@jobs.on_abandoned(bulk_check_task)
def bulk_check_abandoned(run_id: int, *, reason: str) -> jobs.Owner | None:
    """Given up after its workers kept dying: the run fails with the reason (in both
    languages, as the API's messages are), its input and partial result lines go."""
    from django.urls import reverse
    from django.utils import translation

    from educredit.sanctions.bulk_check import bulk_check_fail
    from educredit.sanctions.models import BulkCheckRun
    from educredit.subjects.choices import ImportStatus

    run = (
        BulkCheckRun.objects.select_related("organisation")
        .filter(pk=run_id, status__in=(ImportStatus.PENDING, ImportStatus.RUNNING))
        .first()
    )
    if run is None:
        return None
    with translation.override("en"):
        english = translation.gettext(reason)
    bulk_check_fail(run, reason if english == reason else f"{reason} / {english}")
    return jobs.Owner(
        organisation_path=run.organisation.path,
        link=reverse("api:sanctions_bulk_check_status", kwargs={"bulk_check_id": run.public_id}),
    )


@task()
def day_events_daily_task() -> dict[str, int]:
    """开始执行 / 期满解除: the day's events, after any days a stopped scheduler missed (daily,
    after the recomputation; safe to run twice)."""
    from educredit.core import clock
    from educredit.sanctions.day_events import day_events_run, days_due

    counts = {"days": 0, "in_force": 0, "lapsed": 0, "appended": 0}
    for day in days_due(clock.today()):
        result = day_events_run(day=day)
        counts["days"] += 1
        counts["in_force"] += result.in_force
        counts["lapsed"] += result.lapsed
        counts["appended"] += result.appended
    return counts
