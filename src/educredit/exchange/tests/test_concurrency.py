"""Two workers at once on PostgreSQL: SKIP LOCKED hands them different items, never the same."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.tests.factories import T0, enqueue_penalties
from educredit.exchange.worker import outbox_claim

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SKIP LOCKED is PostgreSQL's (SQLite: one writer)"
    ),
]


def test_a_second_worker_skips_items_another_worker_is_claiming(county: Any) -> None:
    items = enqueue_penalties(county, 8)
    claimed_by_other: list[int] = []

    def other_worker() -> None:
        try:
            claim = outbox_claim(now=T0, transport_name="http", size=10)
            if claim is not None:
                claimed_by_other.extend(item.pk for item in claim[1])
        finally:
            connections.close_all()

    with transaction.atomic():
        # This worker is in the middle of claiming the first three (row locks held).
        held = list(OutboxItem.objects.select_for_update().filter(pk__in=[i.pk for i in items[:3]]))
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(timeout=20)
        assert not thread.is_alive(), "the second worker waited for the locked rows"
    assert sorted(claimed_by_other) == sorted(i.pk for i in items[3:])
    assert {i.pk for i in held}.isdisjoint(claimed_by_other)
    statuses = dict(OutboxItem.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in items] == [OutboxStatus.PENDING] * 3 + [
        OutboxStatus.SENDING
    ] * 5
