"""Periodic jobs: when each slot falls, one enqueue per slot however many schedulers tick,
the catch-up of a missed daily slot, and ``educredit scheduler --once`` feeding the worker."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from educredit.core.clock import BEIJING
from educredit.core.models import ScheduledRun
from educredit.core.schedule import (
    JOBS,
    Daily,
    Every,
    current_slots,
    job_named,
    jobs_due,
    scheduled_run_claim,
    scheduled_runs_prune,
    scheduler_tick,
)

# The simulator fixture of the exchange tests, reused (a real HTTP server on loopback).
from educredit.exchange.tests.conftest import platform  # noqa: F401
from educredit.subjects.tests.factories import make_institution
from educredit.testing.database import child_database_url
from educredit.testing.workers import someone_waits_on_a_lock

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database other connections can reach"
)


def beijing(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=BEIJING)


def runs() -> list[tuple[str, dt.datetime]]:
    return sorted(
        (job, slot.astimezone(BEIJING))
        for job, slot in ScheduledRun.objects.values_list("job", "slot")
    )


# --- when a slot falls (no database) --------------------------------------------------------


def test_every_declared_job_names_a_task_and_names_are_unique() -> None:
    assert len({job.name for job in JOBS}) == len(JOBS)
    assert all(isinstance(job.task(), Task) for job in JOBS)
    assert job_named("inbound_pull").cadence == Daily(dt.time(2))
    assert job_named("windows_daily").cadence == Daily(dt.time(1))
    assert job_named("outbox_send").cadence == Every(15)


def test_daily_slot_before_and_after_the_hour() -> None:
    pull = Daily(dt.time(2))
    assert pull.latest_slot(beijing(2026, 11, 27, 1, 59, 59)) == beijing(2026, 11, 26, 2)
    assert pull.latest_slot(beijing(2026, 11, 27, 2, 0)) == beijing(2026, 11, 27, 2)
    assert pull.latest_slot(beijing(2026, 11, 27, 23, 59)) == beijing(2026, 11, 27, 2)
    assert pull.next_slot(beijing(2026, 11, 27, 1, 59)) == beijing(2026, 11, 27, 2)
    assert pull.next_slot(beijing(2026, 11, 27, 2, 0)) == beijing(2026, 11, 28, 2)


def test_daily_slot_is_beijing_wall_clock_whatever_zone_now_is_in() -> None:
    pull = Daily(dt.time(2))
    # 18:00 UTC is 02:00 the next day in Beijing: the slot is that morning's, not "today" UTC's.
    utc = dt.datetime(2026, 11, 26, 18, 0, tzinfo=dt.UTC)
    assert pull.latest_slot(utc) == beijing(2026, 11, 27, 2)
    assert pull.latest_slot(utc).isoformat() == "2026-11-27T02:00:00+08:00"
    assert pull.latest_slot(utc - dt.timedelta(seconds=1)) == beijing(2026, 11, 26, 2)
    # Across the year's end and a month's end.
    assert pull.latest_slot(beijing(2027, 1, 1, 0, 30)) == beijing(2026, 12, 31, 2)


def test_interval_slot_is_now_floored_to_the_interval() -> None:
    send = Every(15)
    assert send.latest_slot(beijing(2026, 11, 27, 2, 0, 14, 999_999)) == beijing(2026, 11, 27, 2)
    assert send.latest_slot(beijing(2026, 11, 27, 2, 0, 15)) == beijing(2026, 11, 27, 2, 0, 15)
    assert send.latest_slot(beijing(2026, 11, 27, 2, 0, 59)) == beijing(2026, 11, 27, 2, 0, 45)
    assert send.next_slot(beijing(2026, 11, 27, 2, 0, 59)) == beijing(2026, 11, 27, 2, 1)
    assert Every(60).latest_slot(dt.datetime(2026, 11, 26, 18, 0, 59, tzinfo=dt.UTC)) == beijing(
        2026, 11, 27, 2
    )
    with pytest.raises(ValueError):
        Every(0)


def test_current_slots_needs_an_aware_moment() -> None:
    slots = {job.name: slot for job, slot in current_slots(beijing(2026, 11, 27, 9, 30, 7))}
    assert slots["inbound_pull"] == beijing(2026, 11, 27, 2)
    assert slots["outbox_send"] == beijing(2026, 11, 27, 9, 30)
    with pytest.raises(ValueError):
        current_slots(dt.datetime(2026, 11, 27, 9, 30))  # noqa: DTZ001 (the point of the test)


# --- once per slot (database backend: the tasks are rows the worker will run) ----------------


@pytest.mark.django_db
def test_a_slot_is_enqueued_once_however_many_schedulers_tick() -> None:
    now = beijing(2026, 11, 27, 9, 30, 7)
    first = scheduler_tick(now=now)
    assert sorted(item.job for item in first) == sorted(job.name for job in JOBS)
    # A second scheduler (or this one restarted) ticking in the same slots enqueues nothing.
    assert scheduler_tick(now=now) == []
    assert scheduler_tick(now=now + dt.timedelta(seconds=7)) == []
    assert DBTaskResult.objects.count() == len(JOBS)
    stored = dict(ScheduledRun.objects.values_list("job", "task_result_id"))
    assert {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)} == set(
        stored.values()
    )
    pull = DBTaskResult.objects.get(id=stored["inbound_pull"])
    assert pull.task_path == "educredit.exchange.tasks.inbound_pull_task"
    assert pull.status == TaskResultStatus.READY
    # The next interval slot is only the outbox's, once a worker has taken the previous pass.
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    later = scheduler_tick(now=now + dt.timedelta(seconds=8))
    assert [(item.job, item.slot) for item in later] == [
        ("outbox_send", beijing(2026, 11, 27, 9, 30, 15))
    ]


@pytest.mark.django_db
def test_an_interval_job_waits_while_its_last_pass_is_still_queued() -> None:
    """Worker down: one outbox pass waits in the queue, not one per 15 s."""
    send = job_named("outbox_send")
    now = beijing(2026, 11, 27, 9, 30)
    assert len(scheduler_tick(now=now, jobs=[send])) == 1
    for minutes in range(1, 4):
        assert scheduler_tick(now=now + dt.timedelta(minutes=minutes), jobs=[send]) == []
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)  # a worker took it
    assert len(scheduler_tick(now=now + dt.timedelta(minutes=4), jobs=[send])) == 1


@pytest.mark.django_db
def test_a_claim_that_loses_the_race_enqueues_nothing() -> None:
    """The path a second scheduler takes when its pre-check ran before the first committed."""
    job, slot = job_named("inbound_pull"), beijing(2026, 11, 27, 2)
    assert scheduled_run_claim(job=job, slot=slot) is not None
    assert scheduled_run_claim(job=job, slot=slot) is None
    assert ScheduledRun.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_a_missed_daily_slot_is_caught_up_once() -> None:
    pull = job_named("inbound_pull")
    # Last ran a week ago; the scheduler was down since, and comes back at 09:30.
    scheduled_run_claim(job=pull, slot=beijing(2026, 11, 20, 2))
    back = beijing(2026, 11, 27, 9, 30)
    assert (pull, beijing(2026, 11, 27, 2)) in jobs_due(back, [pull])
    assert [item.slot for item in scheduler_tick(now=back, jobs=[pull])] == [
        beijing(2026, 11, 27, 2)
    ]  # this morning's slot, once; not one per missed day
    assert scheduler_tick(now=back + dt.timedelta(hours=1), jobs=[pull]) == []
    assert scheduler_tick(now=beijing(2026, 11, 28, 1, 59), jobs=[pull]) == []
    assert [item.slot for item in scheduler_tick(now=beijing(2026, 11, 28, 2), jobs=[pull])] == [
        beijing(2026, 11, 28, 2)
    ]
    assert runs() == [
        ("inbound_pull", beijing(2026, 11, 20, 2)),
        ("inbound_pull", beijing(2026, 11, 27, 2)),
        ("inbound_pull", beijing(2026, 11, 28, 2)),
    ]


@pytest.mark.django_db
def test_prune_drops_old_interval_runs_and_their_finished_results_only() -> None:
    send, pull = job_named("outbox_send"), job_named("inbound_pull")
    now = beijing(2026, 11, 27, 3)
    old = now - dt.timedelta(days=3)
    scheduler_tick(now=old, jobs=[send, pull])
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    scheduler_tick(now=old + dt.timedelta(seconds=15), jobs=[send])
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        status=TaskResultStatus.SUCCESSFUL
    )
    scheduler_tick(now=now - dt.timedelta(days=1), jobs=[send])  # within two days: kept
    scheduler_tick(now=now, jobs=[pull])

    assert scheduled_runs_prune(now=now) == 2
    assert runs() == [
        ("inbound_pull", beijing(2026, 11, 24, 2)),
        ("inbound_pull", beijing(2026, 11, 27, 2)),
        ("outbox_send", beijing(2026, 11, 26, 3)),
    ]
    # The old sends' results (failed and successful) go; the daily pull's and the recent stay.
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == sorted(
        [TaskResultStatus.FAILED, TaskResultStatus.READY, TaskResultStatus.READY]
    )


# --- the command, and the worker running what it enqueued -----------------------------------


# Transactional: the worker checks its connection between tasks, which would end a test's
# surrounding transaction on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_scheduler_once_enqueues_and_the_worker_pulls_from_the_platform(
    platform: Any,  # noqa: F811 (the fixture imported above)
    county: Any,
    settings: Any,
) -> None:
    settings.EDUCREDIT_EXCHANGE_INBOUND_URL = platform.url + "/api/v1"
    settings.EDUCREDIT_EXCHANGE_URL = platform.batch_url
    school = make_institution(supervisor=county, name="中原区实验学校", serial=71)
    platform.set_inbound(
        evaluations=[{"uscc": school.uscc, "grade": "B", "evaluated_on": "2026-10-31"}]
    )
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "enqueued inbound_pull" in out.getvalue()
    assert not school.inbound_evaluations.exists()  # enqueued, not run: the worker runs it

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert school.inbound_evaluations.get().grade == "B"
    pulled = ScheduledRun.objects.get(job="inbound_pull").task_result_id
    assert DBTaskResult.objects.get(id=pulled).status == TaskResultStatus.SUCCESSFUL
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
    # Run again in the same slots: nothing new to enqueue.
    again = io.StringIO()
    call_command("scheduler", "--once", stdout=again)
    assert "inbound_pull" not in again.getvalue()


def test_scheduler_list_names_every_job_with_its_next_slot(db: Any) -> None:
    out = io.StringIO()
    call_command("scheduler", "--list", stdout=out)
    text = out.getvalue()
    for job in JOBS:
        assert job.name in text and job.task_path in text
    assert "02:00:00+08:00" in text


# --- PostgreSQL: real concurrent schedulers --------------------------------------------------


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_a_second_scheduler_waits_for_the_first_then_leaves_the_slot() -> None:
    job, slot = job_named("inbound_pull"), beijing(2026, 11, 27, 2)
    outcome: dict[str, str | None] = {}

    def other_scheduler() -> None:
        try:
            outcome["claim"] = scheduled_run_claim(job=job, slot=slot)
        finally:
            connections.close_all()

    with transaction.atomic():
        mine = scheduled_run_claim(job=job, slot=slot)  # inserted, not yet committed
        thread = threading.Thread(target=other_scheduler)
        thread.start()
        deadline = time.monotonic() + 20
        while not someone_waits_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert someone_waits_on_a_lock(), "the second insert should wait on the unique index"
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert mine is not None and outcome == {"claim": None}
    assert ScheduledRun.objects.count() == 1
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [mine]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_two_scheduler_processes_enqueue_each_slot_once() -> None:
    url = child_database_url()
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "educredit.cli", "scheduler", "--once"]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err.decode()[-2000:]
    lines = [line for out, _ in outputs for line in out.decode().splitlines() if "enqueued" in line]
    # Both ticked the same slots (unless one straddled a 15 s boundary: then the outbox twice).
    counts = {job.name: ScheduledRun.objects.filter(job=job.name).count() for job in JOBS}
    assert counts["windows_daily"] == counts["inbound_pull"] == 1
    assert len(lines) == ScheduledRun.objects.count() == DBTaskResult.objects.count()
    assert ScheduledRun.objects.values("job", "slot").distinct().count() == len(lines)
