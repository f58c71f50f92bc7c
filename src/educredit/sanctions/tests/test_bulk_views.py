"""The staff pages of the bulk check (ADR 0024): upload, progress, result download.

A county clerk uploads a file and downloads the masked result; a reviewer of the city (above)
reads the run; a clerk of another county gets 404; the public is sent to sign in; the link is
in the menu of every staff role (none of them ends in 403).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.records.tests.factories import make_reviewer
from educredit.sanctions.models import BulkCheckAnswer, BulkCheckRun
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

START = "/sanctions/bulk-checks/"


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _file() -> SimpleUploadedFile:
    text = f"证件类型,证件号码,姓名\n居民身份证,{TEACHER_NUMBER},李老师\n学生证,123,\n"
    return SimpleUploadedFile("名单.csv", text.encode("gbk"), content_type="text/csv")


def _upload(client: Client, django_capture_on_commit_callbacks: Any, **fields: Any) -> Any:
    body = {
        "scenario": "teacher_qualification",
        "reference": "JS-2026-批次1",
        "as_of": "2026-06-01",
        "file": _file(),
        **fields,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(START, body)


def test_a_clerk_uploads_follows_the_progress_and_downloads_the_result(
    shipped: Any,
    county: Any,
    county_clerk: Any,
    teacher: Any,
    city_reviewer: Any,
    outsider: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    revocation(county_clerk, make_reviewer(organisation=county), teacher)
    clerk = _signed_in(county_clerk)
    page = clerk.get(START)
    assert page.status_code == 200
    assert "批量核查" in page.content.decode() and "教师资格认定" in page.content.decode()

    response = _upload(clerk, django_capture_on_commit_callbacks)
    run = BulkCheckRun.objects.get()
    detail = reverse("sanctions:bulk_check_detail", kwargs={"bulk_check_id": run.public_id})
    assert response.status_code == 302 and response["Location"] == detail
    assert (run.user, run.organisation) == (county_clerk, county)

    progress = clerk.get(detail, {"format": "json"}).json()
    assert progress["done"] and progress["status"] == "finished", progress
    assert (progress["total"], progress["processed"], progress["ok"], progress["failed"]) == (
        2,
        2,
        1,
        1,
    )
    assert progress["restricted"] == 1
    result_url = progress["report_url"]
    assert result_url.endswith("result.csv")
    shown = clerk.get(detail).content.decode()
    assert "下载核查结果（CSV）" in shown and 'data-progress-url="' in shown

    download: Any = clerk.get(result_url)
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["verdict"] for r in rows] == ["restricted", "error"]
    assert TEACHER_NUMBER not in text
    assert BulkCheckAnswer.objects.filter(run=run).count() == 2  # both rows logged

    # The city above reads the run; another county does not know it exists.
    assert _signed_in(city_reviewer).get(detail).status_code == 200
    other = _signed_in(outsider)
    assert other.get(detail).status_code == 404
    assert other.get(result_url).status_code == 404
    assert str(run.public_id) not in other.get(START).content.decode()


def test_refusals_are_shown_on_the_form_and_nothing_is_stored(
    shipped: Any, county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clerk = _signed_in(county_clerk)
    bad = SimpleUploadedFile("名单.csv", "证件号码,手机号\n1,2\n".encode(), content_type="text/csv")
    page = _upload(clerk, django_capture_on_commit_callbacks, file=bad)
    assert page.status_code == 200
    assert "无法识别第 2 列的标题" in page.content.decode()
    binary = SimpleUploadedFile("名单.csv", b"\x00\x01binary", content_type="text/csv")
    page = _upload(clerk, django_capture_on_commit_callbacks, file=binary)
    assert page.status_code == 200 and "invalid-feedback" in page.content.decode()
    assert BulkCheckRun.objects.count() == 0


def test_the_public_is_sent_to_sign_in_and_a_running_result_is_not_offered(
    shipped: Any, county_clerk: Any
) -> None:
    assert Client().get(START).status_code == 302
    run = BulkCheckRun.objects.create(
        user=county_clerk,
        organisation=county_clerk.organisation,
        scenario="teacher_qualification",
        reference="R",
        as_of="2026-06-01",
    )
    clerk = _signed_in(county_clerk)
    detail = reverse("sanctions:bulk_check_detail", kwargs={"bulk_check_id": run.public_id})
    assert clerk.get(detail, {"format": "json"}).json()["report_url"] == ""
    result = reverse("sanctions:bulk_check_result", kwargs={"bulk_check_id": run.public_id})
    assert clerk.get(result).status_code == 404
    assert Client().get(detail).status_code == 302


@pytest.mark.parametrize("role", list(UserRole))
def test_every_staff_role_finds_the_page_in_the_menu_and_may_open_it(
    shipped: Any, county: Any, role: Any
) -> None:
    user = make_user(organisation=county, username=f"bulk.{role}", roles=[role])
    client = _signed_in(user)
    home = client.get("/workspace/").content.decode()
    assert f'href="{START}"' in home
    assert client.get(START).status_code == 200
