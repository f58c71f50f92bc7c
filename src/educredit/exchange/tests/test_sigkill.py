"""The issue's second promise with a real process: a worker SIGKILLed after the platform took
its batch and before it recorded the receipts; a rerun delivers everything, stored once.

Needs a database another process can reach, so it runs on PostgreSQL (SQLite tests use an
in-memory database); ``test_worker`` covers the same path in-process on both engines.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection

from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.simulator import PlatformSimulator
from educredit.exchange.tests.factories import T0, enqueue_penalties
from educredit.exchange.transports import HttpTransport
from educredit.exchange.worker import outbox_send_due
from educredit.testing.database import child_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a shared database"),
]

CHILD = """
import datetime as dt, os, signal, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "educredit.settings")
django.setup()
from educredit.exchange.transports import HttpTransport
from educredit.exchange.worker import outbox_send_due

class DiesAfterSending:
    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
    def send(self, rows):
        self.inner.send(rows)
        os.kill(os.getpid(), signal.SIGKILL)

outbox_send_due(
    now=dt.datetime.fromisoformat(sys.argv[2]),
    transport=DiesAfterSending(HttpTransport(sys.argv[1], timeout=5)),
    size=10,
)
"""


def test_issue_b_a_sigkilled_worker_then_a_rerun_stores_every_record_once(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 15)
    url = child_database_url()
    child = subprocess.run(  # noqa: S603
        [sys.executable, "-c", CHILD, platform.batch_url, T0.isoformat()],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    statuses = list(OutboxItem.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [OutboxStatus.SENDING] * 10 + [OutboxStatus.PENDING] * 5
    assert len(platform.stored_keys()) == 10  # the platform took the batch

    transport = HttpTransport(platform.batch_url, timeout=5)
    outbox_send_due(now=T0 + dt.timedelta(hours=1), transport=transport)
    assert set(OutboxItem.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    stored = platform.stored_keys()
    assert sorted(stored) == sorted(item.key for item in items)
    assert len(platform.received_keys()) == 25  # ten of them twice, stored once
