"""Tasks given up after their workers kept dying: on the administrators' page and to-do list."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from educredit.core.jobs import GIVEN_UP
from educredit.core.models import TaskLease

pytestmark = pytest.mark.django_db


def _stopped(organisation_path: str, *, days_ago: int = 0, link: str = "") -> TaskLease:
    when = timezone.now() - dt.timedelta(days=days_ago)
    return TaskLease.objects.create(
        task_id=uuid.uuid4(),
        task_path="educredit.disclosure.tasks.decision_import_task",
        attempt=3,
        expires_at=when,
        abandoned_at=when,
        reason=GIVEN_UP,
        organisation_path=organisation_path,
        link=link,
    )


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_the_county_administrator_sees_the_stopped_import_and_the_clerk_is_not_offered_it(
    county: Any, county_admin: Any, county_clerk: Any, outsider: Any
) -> None:
    _stopped(county.path, link="/disclosure/imports/x/")
    _stopped(county.path, days_ago=30)  # older than the to-do list's week

    home = _client(county_admin).get("/workspace/").content.decode()
    assert "1</span>" in home and "个后台任务因处理进程多次中止已停止" in home
    page = _client(county_admin).get("/workspace/jobs/stopped/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("双公示文件导入") == 2
    assert "处理进程多次意外中止" in body and 'href="/disclosure/imports/x/"' in body

    english = _client(county_admin, "en").get("/workspace/jobs/stopped/").content.decode()
    assert "Import of 双公示 decisions" in english

    clerk_home = _client(county_clerk).get("/workspace/").content.decode()
    assert "/workspace/jobs/stopped/" not in clerk_home
    assert _client(county_clerk).get("/workspace/jobs/stopped/").status_code == 403
    assert "双公示文件导入" not in _client(outsider).get("/workspace/").content.decode()


def test_province_wide_tasks_are_for_the_provincial_administrators(
    province_admin: Any, county_admin: Any
) -> None:
    _stopped("")
    assert (
        "双公示文件导入" in _client(province_admin).get("/workspace/jobs/stopped/").content.decode()
    )
    assert "没有已停止的后台任务" in (
        _client(county_admin).get("/workspace/jobs/stopped/").content.decode()
    )
