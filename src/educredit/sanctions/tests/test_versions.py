"""The screening data version (ADR 0042): every restriction change bumps it in its own
transaction and leaves its history under it; a check's snapshot that sees a version sees exactly
that version's restrictions, and never waits for a writer.

Records go through the records services, so the restriction writes are the receivers', as in
production.
"""

from __future__ import annotations

import datetime
import importlib
import threading
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, connections, transaction

from educredit.core import clock
from educredit.core.snapshot import consistent_read
from educredit.records import services as record_services
from educredit.sanctions import services
from educredit.sanctions.models import Restriction, RestrictionChange, ScreeningDataVersion
from educredit.sanctions.replay import verdict_at
from educredit.sanctions.selectors import verdict_for
from educredit.sanctions.tests.test_restrictions import exam_record, revocation
from educredit.sanctions.versions import (
    screening_data_lock,
    screening_data_version,
    screening_history_from,
)
from educredit.testing.workers import wait_until

SCENARIO = "teacher_qualification"


def history_of(row: Restriction) -> list[tuple[int, Any, bool]]:
    return list(
        RestrictionChange.objects.filter(restriction_id=row.pk)
        .order_by("version", "id")
        .values_list("version", "ends_on", "deleted")
    )


@pytest.mark.django_db
def test_each_restriction_change_bumps_the_version_and_is_kept_under_it(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    start = screening_data_version()
    record = revocation(county_clerk, reviewer, teacher)
    granted = screening_data_version()
    assert granted > start
    (row,) = Restriction.objects.filter(basis_record=record, scenario="teacher_qualification")
    assert history_of(row) == [(granted, row.ends_on, False)]

    record_services.credit_record_revoke(actor=reviewer, record=record, reason="复议撤销")
    revoked = screening_data_version()
    assert revoked > granted
    assert history_of(row) == [(granted, row.ends_on, False), (revoked, clock.today(), False)]

    # A recomputation that finds nothing to change is no new version.
    counts = services.restrictions_recompute_all(actor="system:test")
    assert (counts.created, counts.updated, counts.deleted) == (0, 0, 0)
    assert screening_data_version() == revoked


@pytest.mark.django_db
def test_a_deleted_row_is_kept_as_a_deletion(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    cheating = exam_record(county_clerk, teacher, "作弊", clock.today() + datetime.timedelta(400))
    rows = list(Restriction.objects.filter(basis_record=cheating))
    assert rows
    record_services.credit_record_correct(
        actor=reviewer,
        record=cheating,
        reason="复核认定为违纪",  # discipline triggers no measure: the row goes
        payload={**cheating.payload, "violation_kind": "违纪"},
    )
    assert not Restriction.objects.filter(basis_record=cheating).exists()
    for row in rows:
        (*_, (version, _ends, deleted)) = history_of(row)
        assert (version, deleted) == (screening_data_version(), True)


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_version_and_no_history(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    before = (screening_data_version(), RestrictionChange.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        revocation(county_clerk, reviewer, teacher)
        assert screening_data_version() > before[0]
        raise RuntimeError("rolled back")
    assert (screening_data_version(), RestrictionChange.objects.count()) == before


@pytest.mark.django_db
def test_the_seed_starts_the_history_above_every_earlier_data_version(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    revocation(county_clerk, reviewer, teacher)
    RestrictionChange.objects.all().delete()
    ScreeningDataVersion.objects.all().delete()
    migration = importlib.import_module(
        "educredit.sanctions.migrations.0009_seed_restriction_history"
    )
    migration.seed(apps, None)

    version = screening_data_version()
    assert version == screening_history_from() == 1  # no check was answered before
    seeded = RestrictionChange.objects.values_list("restriction_id", "version", "deleted")
    rows = Restriction.objects.order_by("pk").values_list("pk", flat=True)
    assert sorted(seeded) == [(pk, version, False) for pk in rows]
    assert verdict_at(teacher, SCENARIO, clock.today(), version)[0] == "restricted"


@pytest.mark.django_db(transaction=True)
def test_a_check_snapshot_sees_one_version_and_waits_for_no_writer(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("READ COMMITTED writers against a REPEATABLE READ snapshot: PostgreSQL")
    today = clock.today()
    record = revocation(county_clerk, reviewer, teacher)
    granted = screening_data_version()
    written, go = threading.Event(), threading.Event()
    second_saw: list[int] = []
    failures: list[BaseException] = []

    def revoke() -> None:
        try:
            with transaction.atomic():
                record_services.credit_record_revoke(actor=reviewer, record=record, reason="撤销")
                written.set()
                go.wait(30)
        except BaseException as exc:  # reported by the test thread
            failures.append(exc)
            written.set()
        finally:
            connections.close_all()

    def second_writer() -> None:
        try:
            with transaction.atomic():
                second_saw.append(screening_data_lock())
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=revoke)
    first.start()
    assert written.wait(30)
    second = threading.Thread(target=second_writer)
    second.start()
    try:
        # The revocation is written, not committed, and holds the version: a second writer
        # waits for it; a check reads on, from the state before it.
        wait_until(
            lambda: _lock_waits() > 0, timeout=20, what="the second writer waiting on the version"
        )
        with consistent_read():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            seen = (screening_data_version(), verdict_for(teacher, scenario=SCENARIO, as_of=today))
        assert seen[0] == granted
        assert seen[1].verdict == "restricted"
    finally:
        go.set()
        first.join(30)
        second.join(30)
    assert not failures
    revoked = screening_data_version()
    assert revoked > granted
    assert second_saw == [revoked]  # it waited for the commit, then read past it

    with consistent_read():
        now = (screening_data_version(), verdict_for(teacher, scenario=SCENARIO, as_of=today))
    assert now[0] == revoked
    assert now[1].verdict == "clear"
    assert verdict_at(teacher, SCENARIO, today, granted)[0] == "restricted"
    assert verdict_at(teacher, SCENARIO, today, revoked)[0] == "clear"


def _lock_waits() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])
