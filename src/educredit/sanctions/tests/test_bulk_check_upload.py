"""The bulk check's upload goes through the one upload check (core.uploads, ADR 0031) and is
refused at once — 400, 413 or 415, or 422 for a heading row not understood — with a message
that never quotes the file; nothing is stored or queued then. A file accepted and failed
later by the run says why without quoting it either."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from educredit.core import uploads
from educredit.sanctions import bulk_check
from educredit.sanctions.models import BulkCheckAnswer, BulkCheckRun
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.testing.factories import make_api_client
from educredit.testing.spreadsheets import xlsx_bytes

pytestmark = pytest.mark.django_db

BULK = "/api/sanctions/bulk-checks"
SECRET = "保密的第一行内容"  # a cell no refusal may quote back
HEADER = ["证件类型", "证件号码", "姓名"]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


@pytest.fixture
def system(shipped: Any, other_county: Any) -> Any:
    """A business system of another county (screening is province-wide)."""
    api_client, key = make_api_client(
        organisation=other_county, name="教师资格认定系统", scopes=["sanctions:check"]
    )
    api_client.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}  # type: ignore[attr-defined]
    return api_client


@pytest.fixture
def headers(system: Any) -> dict[str, Any]:
    return system.headers  # type: ignore[no-any-return]


def _csv(rows: list[list[str]], *, header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


ROWS = [["居民身份证", TEACHER_NUMBER, SECRET]]


def _post(headers: dict[str, Any], data: bytes, name: str) -> Any:
    form = {
        "file": SimpleUploadedFile(name, data),
        "scenario": "teacher_qualification",
        "reference": "PL-2026-07",
    }
    return Client().post(BULK, form, **headers)


def _stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def _refused(headers: dict[str, Any], media: Path, data: bytes, name: str, status: int) -> str:
    """Post the file, assert it is refused with ``status`` before anything is stored, and
    that the answer quotes nothing of the file; return the message."""
    response = _post(headers, data, name)
    assert response.status_code == status, response.content
    text = response.content.decode()
    for quoted in (SECRET, TEACHER_NUMBER, "<html", "<script", "%PDF"):
        assert quoted not in text
    assert not BulkCheckRun.objects.exists()
    assert _stored(media) == []
    detail: str = response.json()["detail"]
    return detail


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", SECRET)
    return out.getvalue()


HTML = f"<!DOCTYPE html><html><body><script>alert(1)</script>{SECRET}</body></html>\n".encode()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        pytest.param(
            _csv(ROWS), "名单.xlsx", "does not match its extension .xlsx", id="csv-as-xlsx"
        ),
        pytest.param(
            xlsx_bytes([HEADER]), "名单.csv", "does not match its extension .csv", id="xlsx-as-csv"
        ),
        pytest.param(HTML, "名单.pdf", "Only CSV or XLSX files are accepted", id="html-as-pdf"),
        pytest.param(HTML, "名单.csv", "cannot be read", id="html-as-csv"),
        pytest.param(HTML, "名单", "cannot be read", id="html-without-extension"),
        pytest.param(PDF, "名单.csv", "cannot be read", id="pdf-as-csv"),
        pytest.param(b"\x00\x01\x02binary", "名单.csv", "cannot be read", id="binary"),
        pytest.param(_csv(ROWS), "名单.txt", "Only CSV or XLSX files are accepted", id="txt"),
    ],
)
def test_a_wrong_type_by_content_or_by_name_is_415(
    headers: dict[str, Any], media: Path, data: bytes, name: str, words: str
) -> None:
    detail = _refused(headers, media, data, name, 415)
    assert words in detail and " / " in detail  # the API's messages: Chinese / English


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        pytest.param(b"", "名单.csv", "The file is empty", id="empty"),
        pytest.param(b"\xef\xbb\xbf\r\n \r\n", "名单.csv", "The file is empty", id="blank"),
        pytest.param(b"PK\x03\x04" + SECRET.encode(), "名单.xlsx", "cannot be read", id="bad-zip"),
        pytest.param(_zip_of_text(), "名单.xlsx", "cannot be read", id="zip-not-workbook"),
    ],
)
def test_an_empty_or_malformed_file_is_400(
    headers: dict[str, Any], media: Path, data: bytes, name: str, words: str
) -> None:
    detail = _refused(headers, media, data, name, 400)
    assert words in detail


def test_a_zip_bomb_is_400(headers: dict[str, Any], media: Path, settings: Any) -> None:
    settings.EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED = 1000  # an ordinary workbook exceeds it
    assert "expands too much" in _refused(headers, media, xlsx_bytes([HEADER]), "名单.xlsx", 400)


def test_a_file_over_the_limit_is_413(headers: dict[str, Any], media: Path, settings: Any) -> None:
    settings.EDUCREDIT_BULK_CHECK_MAX_BYTES = 1024 * 1024
    data = _csv(ROWS * 30_000)
    assert len(data) > 1024 * 1024
    assert "File too large (limit 1 MB)" in _refused(headers, media, data, "名单.csv", 413)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(_csv(ROWS, header=[*HEADER, "手机号"]), "名单.csv", id="csv"),
        pytest.param(_csv(ROWS, header=[*HEADER, "手机号"], encoding="gbk"), "名单.csv", id="gbk"),
        pytest.param(xlsx_bytes([[*HEADER, "手机号"], ROWS[0]]), "名单.xlsx", id="xlsx"),
    ],
)
def test_a_heading_not_understood_is_422_at_once_named_by_its_column(
    headers: dict[str, Any], media: Path, data: bytes, name: str
) -> None:
    detail = _refused(headers, media, data, name, 422)
    assert "第 4 列" in detail and "The heading of column 4 is not understood" in detail
    assert "手机号" not in detail


def test_a_heading_made_of_a_person_number_is_not_quoted(
    headers: dict[str, Any], media: Path
) -> None:
    # A file without a heading row: its first line is data, never to be quoted back.
    data = f"居民身份证,{TEACHER_NUMBER},{SECRET}\n".encode()
    detail = _refused(headers, media, data, "名单.csv", 422)
    assert "columns 1, 2, 3" in detail


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(_csv(ROWS), "名单.csv", id="csv"),
        pytest.param(_csv(ROWS, encoding="gbk"), "名单.CSV", id="gbk"),
        pytest.param(xlsx_bytes([HEADER, ROWS[0]]), "名单.xlsx", id="xlsx"),
        pytest.param(_csv(ROWS), "upload", id="no-extension-judged-by-content"),
    ],
)
def test_a_good_file_is_taken_and_answered(
    headers: dict[str, Any], teacher: Any, data: bytes, name: str
) -> None:
    response = _post(headers, data, name)
    assert response.status_code == 202, response.content
    run = BulkCheckRun.objects.get(public_id=response.json()["id"])
    bulk_check.bulk_check_process(run_id=run.pk)  # the test's transaction never commits
    run.refresh_from_db()
    assert (run.status, run.processed_rows, run.error_message) == ("finished", 1, "")
    assert BulkCheckAnswer.objects.filter(run=run).count() == 1


def test_a_heading_too_long_to_read_cheaply_is_judged_by_the_run_without_quoting_it(
    headers: dict[str, Any],
) -> None:
    # The first line is longer than the cheap read: the run judges it, and says which column.
    long_heading = "备注" + "很长" * 20_000
    data = _csv(ROWS, header=[*HEADER, long_heading])
    assert len(data) > 64 * 1024
    response = _post(headers, data, "名单.csv")
    assert response.status_code == 202, response.content
    run = BulkCheckRun.objects.get(public_id=response.json()["id"])
    bulk_check.bulk_check_process(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "column 4 is not understood" in run.error_message
    assert "很长" not in run.error_message and SECRET not in run.error_message
    assert BulkCheckAnswer.objects.count() == 0 and not run.file
    status = Client().get(response.json()["status_url"], **headers).json()
    assert "很长" not in status["error_message"] and "column 4" in status["error_message"]


def test_the_refusals_are_in_the_operation_schema(client: Any) -> None:
    document = client.get("/api/openapi.json").json()
    responses = document["paths"][BULK]["post"]["responses"]
    assert {"202", "400", "413", "415", "422"} <= set(responses)


def test_the_service_refuses_the_same_way_as_the_api(system: Any) -> None:
    upload = SimpleUploadedFile("名单.xlsx", _csv(ROWS))
    with pytest.raises(uploads.UploadRefusedError) as refused:
        bulk_check.bulk_check_start(
            caller=system, scenario="teacher_qualification", reference="PL-1", upload=upload
        )
    assert refused.value.code == uploads.WRONG_TYPE
    assert not BulkCheckRun.objects.exists()
