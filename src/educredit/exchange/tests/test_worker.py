"""The outbox worker against the real simulator on loopback: receipts, rejections, retries,
and the issue's two promises (a day-long outage; a worker killed mid-batch): every record
reaches the platform exactly once."""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from educredit.audit.verification import verify_audit_log
from educredit.exchange.choices import BatchOutcome, OutboxStatus
from educredit.exchange.models import Batch, OutboxItem, Receipt
from educredit.exchange.rows import PENALTY_COLUMNS
from educredit.exchange.signals import outbox_delivered, outbox_rejected
from educredit.exchange.simulator import PlatformSimulator
from educredit.exchange.tests.factories import T0, enqueue_penalties, penalty_row
from educredit.exchange.transports import (
    FileDropTransport,
    HttpTransport,
    SendResult,
    SendRow,
)
from educredit.exchange.worker import backoff, outbox_send_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _exchange_settings(settings: Any, platform: PlatformSimulator) -> None:
    settings.EDUCREDIT_EXCHANGE_URL = platform.batch_url
    settings.EDUCREDIT_EXCHANGE_TIMEOUT = 2.0
    settings.EDUCREDIT_EXCHANGE_BATCH_SIZE = 10
    settings.EDUCREDIT_EXCHANGE_BACKOFF_BASE_SECONDS = 60
    settings.EDUCREDIT_EXCHANGE_BACKOFF_MAX_SECONDS = 3600
    settings.EDUCREDIT_EXCHANGE_LEASE_SECONDS = 300


def _statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in OutboxItem.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the simulator never got there"
        time.sleep(0.05)


def _assert_stored_exactly_once(platform: PlatformSimulator, items: list[OutboxItem]) -> None:
    stored = platform.stored_keys()
    assert len(stored) == len(set(stored))
    assert sorted(stored) == sorted(item.key for item in items)


def test_due_items_are_delivered_in_batches_with_a_receipt_each(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 25)
    items += enqueue_penalties(county, 1, start=99, person=True)
    seen: list[Any] = []

    def on_delivered(sender: Any, item: OutboxItem, receipt: Receipt, **kw: Any) -> None:
        seen.append((item.key, receipt.accepted))

    outbox_delivered.connect(on_delivered)
    try:
        result = outbox_send_due(now=T0)
    finally:
        outbox_delivered.disconnect(on_delivered)
    assert result.batches == 3  # 26 items, 10 per batch
    assert _statuses() == {OutboxStatus.DELIVERED: 26}
    assert Receipt.objects.filter(accepted=True).count() == 26
    assert all(r.platform_reference for r in Receipt.objects.all())
    assert set(Batch.objects.values_list("outcome", flat=True)) == {BatchOutcome.ACCEPTED}
    assert sorted(key for key, _ in seen) == sorted(item.key for item in items)
    _assert_stored_exactly_once(platform, items)
    # Enqueued and delivered items are accounted for by the audit log (nothing unexplained).
    verification = verify_audit_log()
    assert verification.ok, (verification.problems[:3], verification.row_problems[:3])
    # The person's document number went out in clear, and only to the platform.
    person_key = items[-1].key
    assert platform.state.stored[person_key]["row"]["CF_XDR_ZJHM"] == "410105199001011234"
    assert outbox_send_due(now=T0 + dt.timedelta(hours=1)).batches == 0


def test_rejected_rows_wait_in_the_organisations_queue_and_can_be_resent(
    county: Any, county_clerk: Any, platform: PlatformSimulator
) -> None:
    from educredit.exchange.services import outbox_resend

    enqueue_penalties(county, 3)
    (bad,) = enqueue_penalties(county, 1, start=4, CF_CFLB="")
    rejected: list[Any] = []

    def on_rejected(sender: Any, item: OutboxItem, receipt: Receipt, **kw: Any) -> None:
        rejected.append(receipt.reasons)

    outbox_rejected.connect(on_rejected)
    try:
        outbox_send_due(now=T0)
    finally:
        outbox_rejected.disconnect(on_rejected)
    queue = OutboxItem.objects.filter(organisation=county, status=OutboxStatus.REJECTED)
    assert list(queue) == [bad]
    assert rejected and rejected[0][0]["field"] == "CF_CFLB"
    bad.refresh_from_db()
    assert "CF_CFLB" in bad.last_error
    assert Batch.objects.get().outcome == BatchOutcome.PARTIAL

    outbox_resend(actor=county_clerk, item=bad, row=penalty_row(4), now=T0 + dt.timedelta(hours=2))
    outbox_send_due(now=T0 + dt.timedelta(hours=2))
    bad.refresh_from_db()
    assert bad.status == OutboxStatus.DELIVERED
    assert [r.accepted for r in bad.receipts.order_by("pk")] == [False, True]  # both kept
    assert bad.key in platform.stored_keys()
    verification = verify_audit_log()
    assert verification.ok, (verification.problems[:3], verification.row_problems[:3])


def test_a_failing_platform_means_retries_with_growing_backoff(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 3)
    platform.control(fail=503)
    outbox_send_due(now=T0)
    item = OutboxItem.objects.get(pk=items[0].pk)
    assert (item.status, item.attempts) == (OutboxStatus.PENDING, 1)
    assert item.next_attempt_at == T0 + backoff(1)
    assert "503" in item.last_error
    # Not due before the backoff ends: nothing is tried.
    assert outbox_send_due(now=T0 + dt.timedelta(seconds=30)).batches == 0
    second = T0 + backoff(1)
    outbox_send_due(now=second)
    item.refresh_from_db()
    assert item.attempts == 2
    assert item.next_attempt_at == second + backoff(2)
    assert backoff(2) == 2 * backoff(1)
    platform.control(fail=None)
    outbox_send_due(now=item.next_attempt_at)
    assert _statuses() == {OutboxStatus.DELIVERED: 3}
    _assert_stored_exactly_once(platform, items)


def test_a_slow_platform_times_out_and_the_retry_is_stored_once(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 2)
    platform.control(delay=1.0)
    outbox_send_due(now=T0, transport=HttpTransport(platform.batch_url, timeout=0.2))
    assert _statuses() == {OutboxStatus.PENDING: 2}
    assert "unreachable" in OutboxItem.objects.first().last_error  # type: ignore[union-attr]
    platform.control(delay=0)
    outbox_send_due(now=T0 + dt.timedelta(hours=1))
    assert _statuses() == {OutboxStatus.DELIVERED: 2}
    # The slow answer to the first sending still lands on the platform: once it has, each row
    # was received twice and stored once.
    _wait_until(lambda: len(platform.received_keys()) == 4)
    _assert_stored_exactly_once(platform, items)


def test_issue_a_platform_down_for_a_simulated_day_then_every_record_arrives_once(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 30)
    platform.go_down()
    now, end = T0, T0 + dt.timedelta(days=1)
    tries = 0
    while now < end:  # the worker wakes every 5 minutes for a day
        tries += outbox_send_due(now=now).batches
        now += dt.timedelta(minutes=5)
    assert tries > 10  # it kept trying, backing off (capped at an hour)
    assert _statuses() == {OutboxStatus.PENDING: 30}
    assert platform.received_keys() == []
    more = enqueue_penalties(county, 5, start=31, now=now)  # work went on meanwhile
    platform.come_back()
    for _ in range(13):  # the next hour and a bit
        outbox_send_due(now=now)
        now += dt.timedelta(minutes=5)
    assert _statuses() == {OutboxStatus.DELIVERED: 35}
    _assert_stored_exactly_once(platform, items + more)
    assert len(platform.received_keys()) == 35


class _KilledAfterSending(BaseException):
    """What a SIGKILL looks like to the code after the call: nothing after it runs."""


class _DiesAfterSend:
    """The real HTTP transport, then the process 'dies' before receipts are recorded."""

    def __init__(self, inner: HttpTransport) -> None:
        self.inner, self.name = inner, inner.name

    def send(self, rows: list[SendRow]) -> SendResult:
        self.inner.send(rows)
        raise _KilledAfterSending


def test_issue_b_worker_killed_mid_batch_then_every_record_arrives_once(
    county: Any, platform: PlatformSimulator
) -> None:
    items = enqueue_penalties(county, 25)
    transport = _DiesAfterSend(HttpTransport(platform.batch_url, timeout=2))
    outbox_send_due(now=T0, max_batches=1)  # a first batch goes through normally
    with pytest.raises(_KilledAfterSending):
        outbox_send_due(now=T0, transport=transport)
    # The platform has the second batch; our side never heard: those items are still leased.
    assert _statuses() == {OutboxStatus.DELIVERED: 10, OutboxStatus.SENDING: 10,
                           OutboxStatus.PENDING: 5}  # fmt: skip
    assert len(platform.stored_keys()) == 20
    # A rerun before the lease ends leaves the leased items alone ...
    outbox_send_due(now=T0 + dt.timedelta(seconds=60))
    assert _statuses()[OutboxStatus.SENDING] == 10
    # ... and after it re-sends them: "already received", delivered, stored once.
    outbox_send_due(now=T0 + dt.timedelta(minutes=10))
    assert _statuses() == {OutboxStatus.DELIVERED: 25}
    _assert_stored_exactly_once(platform, items)
    assert Receipt.objects.filter(duplicate=True).count() == 10


def test_file_drop_writes_a_csv_per_batch_in_national_order_with_a_manifest(
    county: Any, tmp_path: Path
) -> None:
    items = enqueue_penalties(county, 3)
    outbox_send_due(now=T0, transport=FileDropTransport(tmp_path))
    assert _statuses() == {OutboxStatus.DELIVERED: 3}
    (manifest,) = tmp_path.glob("*.manifest.json")
    files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    assert [f["rows"] for f in files] == [3]
    raw = (tmp_path / files[0]["name"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["_key", "_operation", *PENALTY_COLUMNS]
    assert rows[1][2:4] == [penalty_row(1)["CF_XDR_MC"], "法人及非法人组织"]
    assert [r[0] for r in rows[1:]] == [item.key for item in items]
