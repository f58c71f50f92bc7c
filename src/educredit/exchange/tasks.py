"""Background work of the exchange app: one pass of the outbox worker."""

from __future__ import annotations

from django_tasks import task

from educredit.exchange.worker import outbox_send_due


@task()
def outbox_send_task() -> dict[str, int]:
    """Send whatever is due (enqueue every minute or so; safe to run concurrently)."""
    return outbox_send_due().as_dict()


@task()
def inbound_pull_task() -> dict[str, int]:
    """Pull the platform's grades and other departments' lists (enqueue daily)."""
    from educredit.exchange.inbound import inbound_pull

    return inbound_pull().as_dict()
