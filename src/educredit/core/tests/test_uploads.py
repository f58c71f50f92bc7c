"""The upload gate (core.uploads, ADR 0031): size, type by extension and content, zip bombs,
XML external entities — directly and at every place a spreadsheet is uploaded."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from defusedxml import EntitiesForbidden  # type: ignore[import-untyped]
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from educredit.core import uploads
from educredit.testing.spreadsheets import xlsx_bytes

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
PASSWD = Path("/etc/passwd")
HEADER = ["统一社会信用代码", "名称"]


@pytest.fixture(autouse=True)
def in_english() -> Any:
    """The refusals are asserted in English (the reader's language); the Chinese wording is
    asserted by ``test_refusals_are_in_the_reader_language_only``. Requests through the
    client are in Chinese (no language cookie)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A real workbook whose sheet is 200 MB of zeros: about 200 KB on the wire."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, ["x", "y"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in source.infolist():
            if member.filename == SHEET:
                with bomb.open(SHEET, "w", force_zip64=True) as sheet:
                    chunk = b"\0" * (1024 * 1024)
                    for _ in range(200):
                        sheet.write(chunk)
            else:
                bomb.writestr(member.filename, source.read(member.filename))
    return out.getvalue()


def _with_shared_string(text: str, *, prolog: str = "") -> bytes:
    """A workbook whose cell B2 is shared string 0, ``text``, in a sharedStrings.xml part."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, ["91410100MA00000001", "MARK"]])))
    shared_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == SHEET:
                data = data.replace(b't="inlineStr"><is><t>MARK</t></is>', b't="s"><v>0</v>')
            elif member.filename == "[Content_Types].xml":
                override = (
                    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{shared_type}"/>'
                )
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif member.filename == "xl/_rels/workbook.xml.rels":
                link = f'<Relationship Type="{relation}" Target="sharedStrings.xml" Id="rId9"/>'
                data = data.replace(b"</Relationships>", link.encode() + b"</Relationships>")
            book.writestr(member.filename, data)
        book.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<sst xmlns="{MAIN}" count="1" '
            f'uniqueCount="1"><si><t>{text}</t></si></sst>',
        )
    return out.getvalue()


XXE = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.fixture(scope="module")
def xxe_workbook() -> bytes:
    return _with_shared_string("&xxe;", prolog=XXE)


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _refusal(data: bytes, name: str, **kwargs: Any) -> str:
    with pytest.raises(uploads.UploadRefusedError) as refused:
        uploads.upload_check(_upload(data, name), **kwargs)
    return str(refused.value)


# --- the gate itself --------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_real_csv_and_xlsx_pass() -> None:
    assert uploads.upload_check(_upload("名称\n郑州大学\n".encode("gbk"), "a.csv")) == "csv"
    assert uploads.upload_check(_upload(xlsx_bytes([HEADER]), "a.XLSX")) == "xlsx"


def test_an_oversize_file_is_refused(settings: Any) -> None:
    settings.EDUCREDIT_UPLOAD_MAX_BYTES = 1024 * 1024
    message = _refusal(b"a,b\n" * 300_000, "big.csv")
    assert "File too large" in message and "1 MB" in message


def test_refusals_are_in_the_reader_language_only(settings: Any) -> None:
    settings.EDUCREDIT_UPLOAD_MAX_BYTES = 1024 * 1024
    with translation.override("zh-hans"):
        message = _refusal(b"a,b\n" * 300_000, "big.csv")
        wrong_type = _refusal(b"a,b\n", "list.txt")
    assert message == "文件过大（上限 1 MB）"
    assert wrong_type == "请上传 CSV 或 XLSX 文件"


def test_a_wrong_extension_is_refused() -> None:
    assert "Only CSV or XLSX files are accepted" in _refusal(b"a,b\n", "list.txt")
    assert "Only XLSX files are accepted" in _refusal(b"a,b\n", "a.csv", allowed=uploads.WORKBOOK)


def test_content_must_match_the_extension() -> None:
    # Text renamed .xlsx, a workbook renamed .csv, an old OLE .xls renamed .xlsx, binary.
    assert "does not match its extension .xlsx" in _refusal(b"name\nx\n", "list.xlsx")
    assert "does not match its extension .csv" in _refusal(xlsx_bytes([HEADER]), "list.csv")
    assert "files are accepted" in _refusal(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xlsx"
    )
    assert "files are accepted" in _refusal(b"\x7fELF\x02\x01\x01\0\0\0", "a.csv")


def test_a_zip_that_is_not_a_workbook_archive_is_refused() -> None:
    assert "cannot be read" in _refusal(b"PK\x03\x04 truncated", "a.xlsx")


def test_a_zip_bomb_is_refused_by_its_directory_alone(zip_bomb: bytes) -> None:
    assert len(zip_bomb) < 2 * 1024 * 1024
    message = _refusal(zip_bomb, "bomb.xlsx")
    assert "expands too much" in message and "解压后过大" not in message


def test_total_size_and_member_count_are_capped(settings: Any) -> None:
    ordinary = xlsx_bytes([HEADER, ["x", "y"]])
    settings.EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED = 1000
    assert "expands too much" in _refusal(ordinary, "a.xlsx")
    settings.EDUCREDIT_UPLOAD_XLSX_MAX_UNCOMPRESSED = 10**9
    settings.EDUCREDIT_UPLOAD_XLSX_MAX_MEMBERS = 3
    assert "expands too much" in _refusal(ordinary, "a.xlsx")


def test_the_content_decides_when_names_are_not_checked() -> None:
    assert uploads.upload_check(_upload(b"a,b\n", "rows.txt"), check_name=False) == "csv"
    assert uploads.upload_check(io.BytesIO(xlsx_bytes([HEADER])), check_name=False) == "xlsx"


def test_the_crafted_shared_string_part_is_otherwise_valid() -> None:
    """Control: without the entity the same construction reads, so the XXE test can fail."""
    book = openpyxl.load_workbook(io.BytesIO(_with_shared_string("安全")), read_only=True)
    assert list(book.worksheets[0].iter_rows(values_only=True))[1] == ("91410100MA00000001", "安全")


def test_an_external_entity_is_refused_by_the_parser(xxe_workbook: bytes) -> None:
    with pytest.raises(ValueError, match="could not read strings") as refused:
        openpyxl.load_workbook(io.BytesIO(xxe_workbook), read_only=True)
    cause: BaseException | None = refused.value
    while cause is not None and not isinstance(cause, EntitiesForbidden):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, EntitiesForbidden)


# --- every upload path ----------------------------------------------------------------------


def _passwd_line() -> str:
    return PASSWD.read_text().splitlines()[0] if PASSWD.exists() else "root:x:0:0"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def _stored(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.django_db
def test_subject_import_refuses_before_storing(
    county_clerk: Any, media: Path, zip_bomb: bytes, settings: Any
) -> None:
    from educredit.subjects.models import ImportRun
    from educredit.subjects.services import SubjectError, import_run_start

    def start(data: bytes, name: str) -> str:
        with pytest.raises(SubjectError) as refused:
            import_run_start(
                actor=county_clerk, kind="institutions", upload=_upload(data, name), enqueue=False
            )
        return str(refused.value)

    assert "expands too much" in start(zip_bomb, "bomb.xlsx")
    assert "does not match" in start(b"name\n", "renamed.xlsx")
    settings.EDUCREDIT_UPLOAD_MAX_BYTES = 10
    assert "File too large" in start(b"name\nsomething long\n", "big.csv")
    assert ImportRun.objects.count() == 0
    assert _stored(media) == []


@pytest.mark.django_db
def test_subject_file_reader_refuses_a_bomb_and_never_resolves_entities(
    tmp_path: Path, zip_bomb: bytes, xxe_workbook: bytes
) -> None:
    from educredit.subjects.imports import ImportFileError, open_source

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb)
    with pytest.raises(ImportFileError, match="expands too much"):
        open_source(bomb, "bomb.xlsx")
    xxe = tmp_path / "xxe.xlsx"
    xxe.write_bytes(xxe_workbook)
    with pytest.raises(ImportFileError) as refused:
        open_source(xxe, "xxe.xlsx")
    assert "root:" not in str(refused.value) and _passwd_line() not in str(refused.value)


@pytest.mark.django_db
def test_disclosure_import_fails_the_run_without_storing_the_file(
    county_clerk: Any, media: Path, zip_bomb: bytes
) -> None:
    from educredit.catalog.tests.factories import shipped_catalog
    from educredit.disclosure.imports import decision_import_start
    from educredit.records.models import CreditRecord
    from educredit.subjects.choices import ImportStatus

    shipped_catalog()
    for data, name, expected in (
        (zip_bomb, "bomb.xlsx", "expands too much"),
        (b"\x89PNG\r\n\x1a\n\0\0", "photo.xlsx", "files are accepted"),
    ):
        run = decision_import_start(
            actor=county_clerk, kind="licence", upload=_upload(data, name), enqueue=False
        )
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED and expected in run.error_message
        assert not run.file
    assert _stored(media) == []
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_record_import_refuses_a_bomb_and_an_entity(
    county_clerk: Any, zip_bomb: bytes, xxe_workbook: bytes
) -> None:
    from educredit.records.imports import records_import_upload
    from educredit.records.models import CreditRecord
    from educredit.records.tests.factories import make_catalog_item

    item = make_catalog_item()
    bomb = records_import_upload(actor=county_clerk, item=item, upload=_upload(zip_bomb, "b.xlsx"))
    assert not bomb.ok and "expands too much" in bomb.errors[0].reason
    xxe = records_import_upload(
        actor=county_clerk, item=item, upload=_upload(xxe_workbook, "x.xlsx")
    )
    assert not xxe.ok
    shown = " ".join(f"{e.column} {e.reason}" for e in xxe.errors)
    assert "root:" not in shown and _passwd_line() not in shown
    assert CreditRecord.objects.count() == 0


def test_catalog_import_refuses_a_bomb_an_entity_and_a_csv(
    zip_bomb: bytes, xxe_workbook: bytes
) -> None:
    from educredit.catalog.spreadsheet import CatalogImportError, parse_workbook

    for data, expected in (
        (zip_bomb, "expands too much"),
        (xxe_workbook, "not a valid XLSX"),
        (b"code,name\n", "only XLSX files are accepted"),
    ):
        with pytest.raises(CatalogImportError) as refused:
            parse_workbook(data)
        message = " ".join(str(error) for error in refused.value.errors)  # as shown
        assert expected in message and "root:" not in message


@pytest.mark.django_db
def test_bulk_check_refuses_a_bomb_before_storing(
    client: Any, county: Any, media: Path, zip_bomb: bytes
) -> None:
    from educredit.sanctions.models import BulkCheckRun
    from educredit.sanctions.tests.factories import shipped_measure_list
    from educredit.testing.factories import make_api_client

    shipped_measure_list()
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    response = client.post(
        "/api/sanctions/bulk-checks",
        {
            "file": _upload(zip_bomb, "list.xlsx"),
            "scenario": "teacher_qualification",
            "reference": "PL-1",
        },
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400
    assert "解压后过大" in response.json()["detail"]
    assert BulkCheckRun.objects.count() == 0
    assert _stored(media) == []
