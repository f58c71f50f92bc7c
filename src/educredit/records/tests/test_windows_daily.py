"""The daily window job and the ``windows`` command, through the record services."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from educredit.catalog.choices import Severity
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.tasks import windows_daily, windows_daily_task
from educredit.records.tests.factories import make_catalog_item, make_record

pytestmark = pytest.mark.django_db
D = dt.date


def test_daily_job_expires_ended_windows_once(county_clerk: Any) -> None:
    general = make_catalog_item(severity=Severity.GENERAL)
    ended = make_record(
        actor=county_clerk,
        catalog_item=general,
        status=CreditRecordStatus.EFFECTIVE,
        decision_date=D(2026, 4, 1),
    )
    current = make_record(
        actor=county_clerk,
        catalog_item=general,
        status=CreditRecordStatus.EFFECTIVE,
        decision_date=D(2026, 6, 1),
    )
    # The 2026 rule: 一般失信 at most one year → ended on 2027-04-01, current until 2027-06-01.
    result = windows_daily(as_of=D(2027, 4, 1))
    assert result["expired"] == 1
    ended.refresh_from_db()
    current.refresh_from_db()
    assert ended.status == CreditRecordStatus.EXPIRED
    assert ended.public_until == D(2027, 4, 1)
    assert ended.transitions.filter(to_status=CreditRecordStatus.EXPIRED).count() == 1
    assert current.status == CreditRecordStatus.EFFECTIVE
    again = windows_daily(as_of=D(2027, 4, 1))
    assert again == {"examined": 2, "changed": 0, "expired": 0}


def test_task_runs(county_clerk: Any) -> None:
    make_record(actor=county_clerk, status=CreditRecordStatus.EFFECTIVE)
    result = windows_daily_task.call()
    assert result["examined"] == 1


def test_command_recompute(county_clerk: Any) -> None:
    record = make_record(
        actor=county_clerk, status=CreditRecordStatus.EFFECTIVE, decision_date=D(2023, 5, 1)
    )
    CreditRecord.objects.filter(pk=record.pk).update(public_from=None, public_until=None)
    out = StringIO()
    call_command("windows", "recompute", "--as-of", "2024-01-01", stdout=out)
    assert "changed 1" in out.getvalue()
    record.refresh_from_db()
    assert (record.public_from, record.public_until) == (D(2023, 5, 1), D(2026, 5, 1))
    assert "令2023年第58号" in record.window_rule_text
    call_command("windows", "daily", "--as-of", "2026-05-01", stdout=out)
    record.refresh_from_db()
    assert record.status == CreditRecordStatus.EXPIRED
