"""PostgreSQL lock and statement time-outs per kind of work (ADR 0039): short for a web
request, longer for a background task, the server's own for commands; a request that runs into
one answers 503 with Retry-After, never a wrong answer and never 500. SQLite has neither
setting and is left alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from educredit.core import db_timeouts, refusals
from educredit.portal import selectors as portal_selectors
from educredit.testing import workers

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's settings")


def _timeouts() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        )
        lock, statement = cursor.fetchone()
    return lock, statement


@task()
def report_timeouts_task() -> dict[str, str]:
    """What a task sees (run by a real worker below)."""
    lock, statement = _timeouts()
    return {"lock_timeout": lock, "statement_timeout": statement}


# --- which values each kind of work gets ---------------------------------------------------


@pg_only
@pytest.mark.django_db
def test_pg_requests_and_tasks_get_their_own_time_outs(settings: Any) -> None:
    settings.EDUCREDIT_DB_LOCK_TIMEOUT_MS = 1_500
    settings.EDUCREDIT_DB_STATEMENT_TIMEOUT_MS = 20_000
    settings.EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS = 90_000
    settings.EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    outside = _timeouts()
    with db_timeouts.work(db_timeouts.WEB):
        assert _timeouts() == ("1500ms", "20s")
        # A task run inside the request (the immediate backend) is a job while it runs.
        assert report_timeouts_task.enqueue().return_value == {
            "lock_timeout": "90s",
            "statement_timeout": "0",
        }
        assert _timeouts() == ("1500ms", "20s")
    assert _timeouts() == outside  # a command keeps the server's values


@pg_only
@pytest.mark.django_db
def test_pg_a_connection_opened_during_a_request_starts_with_its_time_outs(
    settings: Any,
) -> None:
    settings.EDUCREDIT_DB_LOCK_TIMEOUT_MS = 2_500
    other = connections.create_connection("default")
    try:
        with db_timeouts.work(db_timeouts.WEB):
            other.ensure_connection()
            with other.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                assert cursor.fetchone()[0] == "2500ms"
    finally:
        other.close()


@pytest.mark.django_db
def test_a_request_sends_no_extra_query(client: Client, django_assert_num_queries: Any) -> None:
    """The settings travel on the driver's connection, not as the page's queries."""
    with django_assert_num_queries(0):
        response = client.get("/query/")  # the empty search form reads nothing
    assert response.status_code == 200


# --- a request that waits too long answers 503 ---------------------------------------------


@pg_only
@pytest.mark.django_db
def test_pg_a_statement_over_the_time_out_answers_the_busy_page(
    settings: Any, monkeypatch: Any
) -> None:
    settings.EDUCREDIT_DB_STATEMENT_TIMEOUT_MS = 100
    original = portal_selectors.institution_search_public

    def slow(*args: Any, **kwargs: Any) -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return original(*args, **kwargs)

    monkeypatch.setattr(portal_selectors, "institution_search_public", slow)
    response = Client().get("/query/?q=郑州")
    assert response.status_code == 503
    assert response["Retry-After"] == str(refusals.RETRY_AFTER_SECONDS)
    assert "数据库繁忙" in response.content.decode()


# --- a real worker -------------------------------------------------------------------------


@pg_only
@pytest.mark.django_db(transaction=True)
def test_pg_a_task_in_the_worker_runs_with_the_job_time_outs(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = report_timeouts_task.enqueue()
    worker = workers.Worker(
        var_dir=tmp_path,
        env={
            "EDUCREDIT_JOB_DB_LOCK_TIMEOUT_MS": "45000",
            "EDUCREDIT_JOB_DB_STATEMENT_TIMEOUT_MS": "120000",
        },
    )
    try:
        finished = workers.wait_until(
            lambda: DBTaskResult.objects.filter(
                pk=result.id, status=TaskResultStatus.SUCCESSFUL
            ).first(),
            timeout=60,
            what="the task",
        )
    finally:
        worker.stop()
    assert finished.return_value == {"lock_timeout": "45s", "statement_timeout": "2min"}


def test_the_defaults_are_short_for_requests_and_longer_for_jobs() -> None:
    web = db_timeouts.timeouts_ms(db_timeouts.WEB)
    job = db_timeouts.timeouts_ms(db_timeouts.JOB)
    assert web == (5_000, 30_000)
    assert job == (60_000, 600_000)
