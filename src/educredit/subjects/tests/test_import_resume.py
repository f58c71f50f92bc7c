"""An import of institutions or people whose worker dies goes on from its last committed chunk;
a file imported again reports the subjects already registered as 已导入过, not as failures.

The crash is simulated in-process: one row raises an exception no handler catches (as a
SIGKILL stops a worker), which leaves the run RUNNING with the chunks before it committed and
rolls its own chunk back. The same task then runs as its second attempt (``core.jobs.attempt``
patched to 2, the seam a worker that takes a task over sets).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from educredit.audit.verification import verify_audit_log
from educredit.core import jobs
from educredit.subjects import imports, services
from educredit.subjects.choices import ImportKind, ImportStatus
from educredit.subjects.models import (
    Affiliation,
    ImportRowError,
    ImportRun,
    Institution,
    NameDiscrepancy,
    Person,
)
from educredit.subjects.tests import factories
from educredit.subjects.tests.test_imports import (
    INSTITUTION_HEADER,
    PEOPLE_HEADER,
    _bad_uscc,
    csv_bytes,
    run_import,
)
from educredit.testing.factories import TEST_PASSWORD
from educredit.testing.workers import WorkerKilled

pytestmark = pytest.mark.django_db

CHUNK = 10
ROWS = 45
BAD = {7, 30}  # 0-based rows with a wrong check character


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def _institutions() -> list[list[str]]:
    rows = [INSTITUTION_HEADER]
    for i in range(ROWS):
        code = _bad_uscc() if i in BAD else factories.uscc(100 + i)
        rows.append([code, f"中原区第{i}小学", "中原区教育局", "郑州市", "", ""])
    return rows


def _people(institution: Institution) -> list[list[str]]:
    rows = [PEOPLE_HEADER]
    for i in range(ROWS):
        number = factories.resident_id(100 + i)
        if i in BAD:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        rows.append([f"教师{i}", "居民身份证", number, institution.name, "教师", "2015-09-01"])
    return rows


def _queued(clerk: Any, kind: str, content: bytes) -> ImportRun:
    return services.import_run_start(
        actor=clerk, kind=kind, upload=SimpleUploadedFile("名单.csv", content), enqueue=False
    )


def _die_at_row(monkeypatch: Any, number: int) -> None:
    """The ``number``-th row (from 1) kills the worker."""
    real = services._import_row
    calls = Counter[str]()

    def import_row(*args: Any, **kwargs: Any) -> Any:
        calls["row"] += 1
        if calls["row"] == number:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_import_row", import_row)


@pytest.mark.parametrize("kind", [ImportKind.INSTITUTIONS, ImportKind.PEOPLE])
def test_an_import_whose_worker_died_goes_on_from_its_last_committed_chunk(
    county: Any, county_institution: Any, county_clerk: Any, monkeypatch: Any, kind: str
) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", CHUNK)
    rows = _institutions() if kind == ImportKind.INSTITUTIONS else _people(county_institution)
    run = _queued(county_clerk, kind, csv_bytes(rows, "utf-8"))
    model = Institution if kind == ImportKind.INSTITUTIONS else Person
    before = model.objects.count()

    _die_at_row(monkeypatch, 3 * CHUNK + 5)  # in the fourth chunk
    with pytest.raises(WorkerKilled):
        services.import_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.RUNNING
    assert (run.processed_rows, run.ok_rows, run.failed_rows) == (3 * CHUNK, 3 * CHUNK - 1, 1)
    assert model.objects.count() == before + 3 * CHUNK - 1
    monkeypatch.undo()
    assert services.import_run_process(run_id=run.pk) is None  # not a first attempt's

    monkeypatch.setattr(services, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(jobs, "attempt", lambda: 2)
    monkeypatch.setattr(jobs, "resuming", lambda: True)
    done = services.import_run_process(run_id=run.pk)
    assert done is not None
    assert done.status == ImportStatus.FINISHED, done.error_message
    assert (done.attempts, done.resumed_after) == (2, 3 * CHUNK)
    assert (done.processed_rows, done.ok_rows, done.failed_rows, done.existing_rows) == (
        ROWS,
        ROWS - len(BAD),
        len(BAD),
        0,
    )
    # Every good row exactly once (and, for people, one affiliation each); bad rows once.
    assert model.objects.count() == before + ROWS - len(BAD)
    if kind == ImportKind.PEOPLE:
        assert Affiliation.objects.filter(person__name__startswith="教师").count() == ROWS - 2
    errors = Counter(ImportRowError.objects.filter(run=run).values_list("row_number", flat=True))
    assert errors == Counter({i + 2: 1 for i in BAD})
    report = verify_audit_log()
    assert report.ok, report.row_problems

    client = Client()
    assert client.login(username=county_clerk.username, password=TEST_PASSWORD)
    page = client.get(reverse("subjects:import_detail", kwargs={"run_id": run.public_id}))
    assert "导入曾在处理完 30 行后中断，已从中断处继续" in page.content.decode()


@pytest.mark.parametrize("kind", [ImportKind.INSTITUTIONS, ImportKind.PEOPLE])
def test_a_file_imported_again_reports_what_is_already_registered(
    county: Any,
    county_institution: Any,
    county_clerk: Any,
    django_capture_on_commit_callbacks: Any,
    kind: str,
) -> None:
    rows = _institutions() if kind == ImportKind.INSTITUTIONS else _people(county_institution)
    first = run_import(
        county_clerk, kind, csv_bytes(rows, "utf-8"), "名单.csv", django_capture_on_commit_callbacks
    )
    assert (first.ok_rows, first.failed_rows, first.existing_rows) == (ROWS - 2, 2, 0)
    affiliations = Affiliation.objects.count()
    # One row now gives another name: it is kept for review, so not "already imported".
    rows[1 + 4][1 if kind == ImportKind.INSTITUTIONS else 0] = "改过的名称"

    again = run_import(
        county_clerk, kind, csv_bytes(rows, "utf-8"), "名单.csv", django_capture_on_commit_callbacks
    )
    assert again.status == ImportStatus.FINISHED, again.error_message
    assert (again.ok_rows, again.existing_rows, again.failed_rows) == (1, ROWS - 3, 2)
    assert NameDiscrepancy.objects.filter(submitted_name="改过的名称").count() == 1
    assert Affiliation.objects.count() == affiliations  # no affiliation twice
    client = Client()
    assert client.login(username=county_clerk.username, password=TEST_PASSWORD)
    progress = client.get(reverse("subjects:import_progress", kwargs={"run_id": again.public_id}))
    assert (progress.json()["existing"], progress.json()["failed"]) == (ROWS - 3, 2)
    report = verify_audit_log()
    assert report.ok, report.row_problems

    # The error report's summary counts them apart from the failures.
    handle = io.BytesIO()
    imports.write_error_report(again, handle)
    handle.seek(0)
    sheet = load_workbook(handle, read_only=True).worksheets[1]
    summary: dict[Any, Any] = dict(sheet.iter_rows(values_only=True))  # type: ignore[arg-type]
    assert (summary["已导入过"], summary["失败"]) == (ROWS - 3, 2)


def test_an_affiliation_that_ended_is_not_added_twice(
    county_institution: Any, county_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    number = factories.resident_id(11)
    rows = [
        [*PEOPLE_HEADER, "结束日期"],
        ["赵强", "居民身份证", number, "中原区第一小学", "教师", "2015-09-01", "2020-07-01"],
    ]
    for expected in ((1, 0), (0, 1)):
        run = run_import(
            county_clerk,
            ImportKind.PEOPLE,
            csv_bytes(rows, "utf-8"),
            "p.csv",
            django_capture_on_commit_callbacks,
        )
        assert (run.ok_rows, run.existing_rows) == expected
    assert Affiliation.objects.filter(person__name="赵强").count() == 1


def test_a_run_given_up_fails_with_the_reason(
    county: Any, county_institution: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    from educredit.subjects.tasks import import_run_abandoned

    monkeypatch.setattr(services, "CHUNK_ROWS", CHUNK)
    run = _queued(county_clerk, ImportKind.PEOPLE, csv_bytes(_people(county_institution), "utf-8"))
    _die_at_row(monkeypatch, CHUNK + 2)
    with pytest.raises(WorkerKilled):
        services.import_run_process(run_id=run.pk)
    owner = import_run_abandoned(run.pk, reason=jobs.GIVEN_UP)
    run.refresh_from_db()
    assert (run.status, run.processed_rows) == (ImportStatus.FAILED, CHUNK)
    assert run.error_message.startswith("处理进程多次意外中止")
    assert not run.file  # a file of people holds identity numbers in clear
    assert owner is not None and str(run.public_id) in owner.link
