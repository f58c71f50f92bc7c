"""The import's pages: upload, progress (HTML and the JSON it polls), error report; who may."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.disclosure.models import DecisionImportRun
from educredit.disclosure.tests.test_import import (
    CODES,
    csv_bytes,
    make_schools,
    penalty_rows,
    seed_catalog,
)
from educredit.records.models import CreditRecord
from educredit.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_now_and_media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog(county: Any) -> Any:
    return seed_catalog(county)


@pytest.fixture
def schools(county: Any) -> list[Any]:
    return make_schools(county)


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def test_a_clerk_uploads_follows_progress_and_downloads_the_error_report(
    catalog: Any,
    schools: list[Any],
    county_clerk: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = signed_in(county_clerk)
    page = client.get(reverse("disclosure:import_start"))
    assert page.status_code == 200 and "JY-CF-02" in page.content.decode()

    content = csv_bytes(CODES, penalty_rows(schools, 30), "gbk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("disclosure:import_start"),
            {
                "kind": "penalty",
                "penalty_item": "JY-CF-02",
                "file": SimpleUploadedFile("p.csv", content),
            },
        )
    run = DecisionImportRun.objects.get()
    detail = reverse("disclosure:import_detail", kwargs={"decision_import_id": run.public_id})
    assert response.status_code == 302 and response["Location"] == detail
    assert CreditRecord.objects.count() == 28  # rows 9 and 25 are bad

    html = client.get(detail).content.decode()
    assert "subjects/import-progress.js" in html and "<script>" not in html
    data = client.get(detail, {"format": "json"}).json()
    assert (data["done"], data["total"], data["ok"], data["failed"], data["percent"]) == (
        True,
        30,
        28,
        2,
        100,
    )
    assert data["errors"][0]["row"] == 9

    report = client.get(data["report_url"])
    assert report.status_code == 200
    content = b"".join(report.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(sheet.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == [*CODES, "原行号", "错误原因"]
    assert [row[-2] for row in rows[1:]] == [9, 25]
    client.cookies["django_language"] = "en"  # what the language switch sets
    english = client.get(detail).content.decode()
    assert "Import progress" in english and "Rows not imported" in english


def test_a_wrong_file_type_is_refused_on_the_form(catalog: Any, county_clerk: Any) -> None:
    client = signed_in(county_clerk)
    response = client.post(
        reverse("disclosure:import_start"),
        {"kind": "penalty", "penalty_item": "JY-CF-02", "file": SimpleUploadedFile("p.xls", b"x")},
    )
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    assert not DecisionImportRun.objects.exists()


def test_reviewers_may_not_import_and_outsiders_see_no_run(
    catalog: Any,
    schools: list[Any],
    county_clerk: Any,
    city_reviewer: Any,
    outsider: Any,
    province_admin: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from educredit.disclosure import imports

    with django_capture_on_commit_callbacks(execute=True):
        run = imports.decision_import_start(
            actor=county_clerk,
            kind="penalty",
            upload=SimpleUploadedFile("p.csv", csv_bytes(CODES, penalty_rows(schools, 9), "gbk")),
        )
    detail = reverse("disclosure:import_detail", kwargs={"decision_import_id": run.public_id})
    errors = reverse("disclosure:import_errors", kwargs={"decision_import_id": run.public_id})
    assert signed_in(city_reviewer).get(reverse("disclosure:import_start")).status_code == 403
    assert signed_in(city_reviewer).get(detail).status_code == 403
    assert signed_in(outsider).get(detail).status_code == 404
    assert signed_in(outsider).get(errors).status_code == 404
    admin = signed_in(province_admin)  # above the county: sees it
    assert admin.get(detail).status_code == 200
    assert admin.get(errors).status_code == 200
