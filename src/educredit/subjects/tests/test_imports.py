"""Imports from CSV (UTF-8 with or without BOM, GBK, GB18030) and XLSX: all-or-nothing rows,
per-row errors with column and reason, the error report, and the real 2017 list of Henan's
higher-education institutions with its later renames."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from educredit.subjects import imports, services
from educredit.subjects.choices import (
    AffiliationRole,
    Gender,
    ImportKind,
    ImportStatus,
    InstitutionLevel,
    InstitutionOwnership,
)
from educredit.subjects.models import (
    Affiliation,
    FormerName,
    ImportRowError,
    ImportRun,
    Institution,
    NameDiscrepancy,
    Person,
)
from educredit.subjects.selectors import institution_search
from educredit.subjects.tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(imports.__file__).resolve().parent / "data"
REAL_LIST = DATA / "henan-higher-education-institutions-2017.csv"

INSTITUTION_HEADER = ["统一社会信用代码", "学校名称", "主管部门", "所在地", "办学层次", "备注"]


def _bad_uscc() -> str:
    code = factories.uscc(3)
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def institution_rows(first_name: str = "中原区第一小学") -> list[list[str]]:
    """Three rows: two good ones around a row whose USCC has a wrong check character."""
    return [
        INSTITUTION_HEADER,
        [factories.uscc(1), first_name, "中原区教育局", "郑州市", "", ""],
        [_bad_uscc(), "中原区第三小学", "中原区教育局", "郑州市", "", ""],
        [factories.uscc(2), "中原区育才小学", "中原区教育局", "郑州", "", "民办"],
    ]


def csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run_import(
    actor,
    kind: str,
    content: bytes,
    filename: str,
    django_capture_on_commit_callbacks,
    **options,
) -> ImportRun:
    """Upload through the service; the import task runs when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_run_start(
            actor=actor,
            kind=kind,
            upload=SimpleUploadedFile(filename, content),
            **options,
        )
    run.refresh_from_db()
    return run


def assert_good_rows_written_bad_row_reported(run: ImportRun, expected_encoding: str) -> None:
    assert run.status == ImportStatus.FINISHED
    assert (run.total_rows, run.processed_rows, run.ok_rows, run.failed_rows) == (3, 3, 2, 1)
    assert run.encoding == expected_encoding
    assert set(Institution.objects.values_list("name", flat=True)) == {
        "中原区第一小学",
        "中原区育才小学",
    }
    error = ImportRowError.objects.get(run=run)
    assert (error.row_number, error.column) == (3, "统一社会信用代码")
    assert "校验" in error.reason


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8-sig"), ("gbk", "gb18030")],
)
def test_csv_in_each_encoding(
    encoding, detected, county, county_clerk, django_capture_on_commit_callbacks
):
    content = csv_bytes(institution_rows(), encoding)
    run = run_import(
        county_clerk,
        ImportKind.INSTITUTIONS,
        content,
        "学校.csv",
        django_capture_on_commit_callbacks,
    )
    assert_good_rows_written_bad_row_reported(run, detected)
    school = Institution.objects.get(name="中原区第一小学")
    assert (school.supervisor, school.region_code) == (county, "410100")
    assert Institution.objects.get(name="中原区育才小学").ownership == InstitutionOwnership.PRIVATE


def test_gb18030_characters_outside_gbk(county, county_clerk, django_capture_on_commit_callbacks):
    # 䶮 (U+4DAE) is in GB18030 but not in GBK.
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")
    content = csv_bytes(institution_rows("䶮城小学"), "gb18030")
    run = run_import(
        county_clerk,
        ImportKind.INSTITUTIONS,
        content,
        "学校.csv",
        django_capture_on_commit_callbacks,
    )
    assert run.ok_rows == 2
    assert Institution.objects.filter(name="䶮城小学").exists()


def test_xlsx(county, county_clerk, django_capture_on_commit_callbacks):
    run = run_import(
        county_clerk,
        ImportKind.INSTITUTIONS,
        xlsx_bytes(institution_rows()),
        "学校.xlsx",
        django_capture_on_commit_callbacks,
    )
    assert_good_rows_written_bad_row_reported(run, "xlsx")


def test_error_report_repeats_the_row_with_its_reason(
    county, county_clerk, django_capture_on_commit_callbacks
):
    run = run_import(
        county_clerk,
        ImportKind.INSTITUTIONS,
        csv_bytes(institution_rows(), "gbk"),
        "学校.csv",
        django_capture_on_commit_callbacks,
    )
    buffer = io.BytesIO()
    imports.write_error_report(run, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    rows = [
        [cell if cell is not None else "" for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == [*INSTITUTION_HEADER, "原行号", "错误原因"]
    assert len(rows) == 2
    assert rows[1][:6] == institution_rows()[2]
    assert rows[1][6] == 3
    assert str(rows[1][7]).startswith("统一社会信用代码：")


def test_missing_required_column_fails_the_run_and_writes_nothing(
    county, county_clerk, django_capture_on_commit_callbacks
):
    content = csv_bytes([["学校名称", "所在地"], ["中原区第一小学", "郑州市"]], "utf-8")
    run = run_import(
        county_clerk, ImportKind.INSTITUTIONS, content, "x.csv", django_capture_on_commit_callbacks
    )
    assert run.status == ImportStatus.FAILED
    assert "统一社会信用代码" in run.error_message and "缺少必需的列" in run.error_message
    assert not Institution.objects.exists()


def test_unsupported_file_type_is_refused(county_clerk):
    with pytest.raises(services.SubjectError):
        services.import_run_start(
            actor=county_clerk,
            kind=ImportKind.INSTITUTIONS,
            upload=SimpleUploadedFile("学校.xls", b"\xd0\xcf\x11\xe0junk"),
        )
    assert not ImportRun.objects.exists()


def test_the_same_file_twice_creates_nothing_new(
    county, county_clerk, django_capture_on_commit_callbacks
):
    content = csv_bytes(institution_rows(), "utf-8")
    for _ in range(2):
        run_import(
            county_clerk,
            ImportKind.INSTITUTIONS,
            content,
            "学校.csv",
            django_capture_on_commit_callbacks,
        )
    assert Institution.objects.count() == 2
    assert not NameDiscrepancy.objects.exists()


# --- people -------------------------------------------------------------------------------

PEOPLE_HEADER = ["姓名", "证件类型", "证件号码", "任职单位", "身份", "起始日期"]


def test_people_rows_are_all_or_nothing(
    county_institution, county_clerk, django_capture_on_commit_callbacks
):
    good = factories.resident_id(11, born="19880808")
    bad_check = factories.resident_id(13)[:-1] + "0"
    if bad_check == factories.resident_id(13):
        bad_check = bad_check[:-1] + "1"
    other = factories.resident_id(12, born="20100101")
    rows = [
        PEOPLE_HEADER,
        ["赵强", "居民身份证", good, "中原区第一小学", "教师", "2015-09-01"],
        # A valid number at an unknown school: neither the person nor an affiliation is kept.
        ["钱多", "身份证", factories.resident_id(15), "不存在的学校", "教师", ""],
        ["孙丽", "居民身份证", bad_check, "中原区第一小学", "教师", ""],
        ["李小明", "", other, "中原区第一小学", "学生", "2016/9/1"],
        ["周八", "居民身份证", factories.resident_id(17), "中原区第一小学", "校长", "昨天"],
    ]
    run = run_import(
        county_clerk,
        ImportKind.PEOPLE,
        csv_bytes(rows, "gbk"),
        "人员.csv",
        django_capture_on_commit_callbacks,
    )
    assert (run.status, run.ok_rows, run.failed_rows) == (ImportStatus.FINISHED, 2, 3)
    assert set(Person.objects.values_list("name", flat=True)) == {"赵强", "李小明"}
    zhao = Person.objects.get(name="赵强")
    assert (zhao.gender, str(zhao.birth_date)) == (Gender.MALE, "1988-08-08")
    student = Affiliation.objects.get(person__name="李小明")
    assert (student.role, str(student.started_on)) == (AffiliationRole.STUDENT, "2016-09-01")
    errors = {(e.row_number, e.column) for e in ImportRowError.objects.filter(run=run)}
    assert errors == {(3, "任职单位"), (4, "证件号码"), (6, "身份"), (6, "起始日期")}
    # The uploaded file held clear numbers: it is gone; the rejected rows are kept encrypted.
    assert not run.file
    for error in ImportRowError.objects.filter(run=run):
        assert bad_check not in error.values_cipher and bad_check not in error.reason


def test_people_outside_jurisdiction_institution_rejected(
    county_institution, outsider, django_capture_on_commit_callbacks
):
    rows = [
        PEOPLE_HEADER,
        ["赵强", "居民身份证", factories.resident_id(11), "中原区第一小学", "教师", ""],
    ]
    run = run_import(
        outsider,
        ImportKind.PEOPLE,
        csv_bytes(rows, "utf-8"),
        "p.csv",
        django_capture_on_commit_callbacks,
    )
    assert run.failed_rows == 1
    assert not Person.objects.exists()


def test_people_by_institution_code_in_xlsx(
    county_institution, county_clerk, django_capture_on_commit_callbacks
):
    rows = [
        ["姓名", "身份证号", "单位统一社会信用代码", "身份"],
        ["赵强", factories.resident_id(11), county_institution.uscc, "教师"],
    ]
    run = run_import(
        county_clerk,
        ImportKind.PEOPLE,
        xlsx_bytes(rows),
        "p.xlsx",
        django_capture_on_commit_callbacks,
    )
    assert run.ok_rows == 1
    assert Affiliation.objects.get().institution == county_institution


# --- the real list ------------------------------------------------------------------------


def test_real_2017_list_imports_cleanly_and_renames_apply(
    province, province_admin, django_capture_on_commit_callbacks
):
    run = run_import(
        province_admin,
        ImportKind.INSTITUTIONS,
        REAL_LIST.read_bytes(),
        REAL_LIST.name,
        django_capture_on_commit_callbacks,
    )
    assert (run.status, run.total_rows, run.ok_rows, run.failed_rows) == (
        ImportStatus.FINISHED,
        134,
        134,
        0,
    )
    assert Institution.objects.count() == 134
    assert not Institution.objects.exclude(supervisor=province).exists()
    zzu = Institution.objects.get(moe_code="4141010459")
    assert (zzu.name, zzu.region_code, zzu.level, zzu.ownership) == (
        "郑州大学",
        "410100",
        InstitutionLevel.UNDERGRADUATE,
        "",  # the list marks only private institutions (民办); a blank is not a claim
    )
    # 铁道警察学院 is supervised by 公安部, not a body of the platform: kept as written.
    police = Institution.objects.get(moe_code="4141012735")
    assert (police.supervisor, police.supervisor_name) == (province, "公安部")
    assert Institution.objects.filter(ownership=InstitutionOwnership.PRIVATE).count() == 37
    assert Institution.objects.get(name="济源职业技术学院").region_code == "419001"

    call_command("subjects", "renames", stdout=io.StringIO())
    light = Institution.objects.get(moe_code="4141010462")
    assert light.name == "郑州轻工业大学"
    former = light.former_names.get()
    assert (former.name, str(former.used_until)) == ("郑州轻工业学院", "2018-12-03")
    assert FormerName.objects.count() == 3
    # Found by its old name; importing the old list again changes and flags nothing.
    assert list(institution_search(province_admin, q="郑州轻工业学院")) == [light]
    run_import(
        province_admin,
        ImportKind.INSTITUTIONS,
        REAL_LIST.read_bytes(),
        REAL_LIST.name,
        django_capture_on_commit_callbacks,
    )
    assert Institution.objects.count() == 134
    assert not NameDiscrepancy.objects.exists()
    call_command("subjects", "renames", stdout=io.StringIO())
    assert FormerName.objects.count() == 3


def test_import_command_uses_the_same_path(county, county_clerk, tmp_path):
    path = tmp_path / "学校.csv"
    path.write_bytes(csv_bytes(institution_rows(), "gbk"))
    out = io.StringIO()
    call_command(
        "subjects", "import", "institutions", str(path), "--user", county_clerk.username, stdout=out
    )
    assert "第 3 行" in out.getvalue()
    assert_good_rows_written_bad_row_reported(ImportRun.objects.get(), "gb18030")


def test_detect_encoding_streams_in_chunks():
    # A multi-byte character split across the chunk boundary is still valid UTF-8.
    content = ("a" * (imports.CHUNK_BYTES - 1) + "学").encode()
    assert imports.detect_encoding(io.BytesIO(content)) == "utf-8-sig"
    assert imports.detect_encoding(io.BytesIO("学校名称".encode("gbk"))) == "gb18030"
    # "学校" in GBK happens to be valid UTF-8 (two Cyrillic letters): still read as GBK.
    assert "学校".encode("gbk").decode("utf-8")
    assert imports.detect_encoding(io.BytesIO("学校".encode("gbk"))) == "gb18030"
    assert imports.detect_encoding(io.BytesIO(b"name,uscc\r\n")) == "utf-8-sig"


def test_bytes_no_encoding_reads_are_refused_without_quoting_them(tmp_path):
    # Neither UTF-8 (so read as GB18030) nor GB18030: 0xFF starts no character in either.
    path = tmp_path / "坏文件.csv"
    path.write_bytes("名称,统一社会信用代码\r\n学校,".encode("gbk") + b"\xff\xfe\r\n")
    with pytest.raises(imports.ImportFileError) as refused:
        imports.open_source(path, path.name)
    assert str(refused.value) == "文件编码无法识别，请使用 UTF-8 或 GBK"
    assert "0xff" not in str(refused.value) and "codec" not in str(refused.value)
