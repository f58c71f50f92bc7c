"""Pages of the subjects app: jurisdiction, read-only roles, masked numbers, query counts,
look-up by number (POST, logged), and the import pages end to end."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from educredit.subjects import services
from educredit.subjects.models import ImportRun, Institution, Person, SubjectQueryLog
from educredit.subjects.tests import factories
from educredit.subjects.tests.conftest import OTHER_NUMBER, TEACHER_NUMBER
from educredit.subjects.tests.test_imports import csv_bytes, institution_rows

pytestmark = pytest.mark.django_db


def _pages(institution: Institution, person: Person) -> list[str]:
    return [
        reverse("subjects:institution_list"),
        reverse("subjects:institution_detail", kwargs={"institution_id": institution.public_id}),
        reverse("subjects:person_list"),
        reverse("subjects:person_lookup"),
        reverse("subjects:person_detail", kwargs={"person_id": person.public_id}),
        reverse("subjects:review_list"),
    ]


def test_staff_pages_render_with_masked_numbers_only(
    client, county_viewer, teacher, county_institution
):
    client.force_login(county_viewer)
    for url in _pages(county_institution, teacher):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert TEACHER_NUMBER not in body, url
        assert 'name="viewport"' in body
    detail = client.get(reverse("subjects:person_detail", kwargs={"person_id": teacher.public_id}))
    body = detail.content.decode()
    assert teacher.id_number_masked in body and "1985-03-15" in body and "男" in body


def test_outsider_gets_404_for_another_countys_subjects(
    client, outsider, teacher, county_institution
):
    client.force_login(outsider)
    for url in (
        reverse(
            "subjects:institution_detail", kwargs={"institution_id": county_institution.public_id}
        ),
        reverse("subjects:person_detail", kwargs={"person_id": teacher.public_id}),
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("subjects:institution_list")).content.decode()
    assert county_institution.name not in listing
    people = client.get(reverse("subjects:person_list")).content.decode()
    assert teacher.name not in people


def test_city_sees_both_counties(client, city_reviewer, county_institution, other_institution):
    client.force_login(city_reviewer)
    body = client.get(reverse("subjects:institution_list")).content.decode()
    assert county_institution.name in body and other_institution.name in body


def test_anonymous_is_sent_to_login(client, county_institution):
    response = client.get(reverse("subjects:institution_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_institution_list_search_and_filters(client, county_clerk, county):
    school = factories.make_institution(supervisor=county, name="中原区第一小学", serial=1)
    factories.make_institution(
        supervisor=county, name="中原区实验幼儿园", serial=2, kind="kindergarten"
    )
    services.institution_rename(
        actor="system:test",
        institution=school,
        new_name="中原区实验小学",
        effective_on=dt.date(2024, 9, 1),
    )
    client.force_login(county_clerk)
    url = reverse("subjects:institution_list")

    def names(**params: str) -> set[str]:
        body = client.get(url, params).content.decode()
        return {name for name in ("中原区实验小学", "中原区实验幼儿园") if f">{name}<" in body}

    assert names(q="第一小学") == {"中原区实验小学"}  # by former name
    assert names(q=str(school.uscc).lower()) == {"中原区实验小学"}
    assert names(kind="kindergarten") == {"中原区实验幼儿园"}
    assert names(region="410100") == {"中原区实验小学", "中原区实验幼儿园"}
    assert names(region="410200") == set()


def test_institution_list_query_count_is_constant(
    client, county_clerk, county, django_assert_max_num_queries
):
    client.force_login(county_clerk)
    url = reverse("subjects:institution_list")
    for serial in range(1, 4):
        factories.make_institution(supervisor=county, name=f"学校{serial}", serial=serial)
    client.get(url)  # warm per-process caches (region names)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for serial in range(4, 26):
        institution = factories.make_institution(
            supervisor=county, name=f"学校{serial}", serial=serial
        )
        services.institution_rename(
            actor="system:test",
            institution=institution,
            new_name=f"新学校{serial}",
            effective_on=dt.date(2024, 1, 1),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("subjects/institutions/") >= 25


def test_institution_detail_lists_people_by_role(client, county_clerk, county_institution, teacher):
    factories.make_person(
        institution=county_institution,
        name="小明",
        number=factories.resident_id(20, born="20150101"),
        role="student",
    )
    client.force_login(county_clerk)
    url = reverse(
        "subjects:institution_detail", kwargs={"institution_id": county_institution.public_id}
    )
    body = client.get(url, {"role": "student"}).content.decode()
    assert "小明" in body and "张伟" not in body


def test_lookup_by_number_is_post_only_logged_and_scoped(
    client, county_clerk, teacher, other_teacher
):
    client.force_login(county_clerk)
    url = reverse("subjects:person_lookup")
    found = client.post(
        url,
        {
            "document_type": "resident_id",
            "id_number": TEACHER_NUMBER.lower(),
            "purpose": "评优评先审查",
        },
    )
    assert found.status_code == 302
    assert found.url == reverse("subjects:person_detail", kwargs={"person_id": teacher.public_id})
    assert TEACHER_NUMBER not in found.url

    # Another county's teacher is not found, and the number is not echoed back.
    missing = client.post(
        url, {"document_type": "resident_id", "id_number": OTHER_NUMBER, "purpose": "核查"}
    )
    assert missing.status_code == 200
    assert OTHER_NUMBER not in missing.content.decode()

    logs = list(SubjectQueryLog.objects.order_by("at").values_list("user", "purpose", "person"))
    assert logs == [(county_clerk.pk, "评优评先审查", teacher.pk), (county_clerk.pk, "核查", None)]
    # A GET with the number in the query string finds nothing and logs nothing.
    client.get(url, {"document_type": "resident_id", "id_number": TEACHER_NUMBER})
    assert SubjectQueryLog.objects.count() == 2


def test_lookup_requires_a_purpose(client, county_clerk, teacher):
    client.force_login(county_clerk)
    response = client.post(
        reverse("subjects:person_lookup"),
        {"document_type": "resident_id", "id_number": TEACHER_NUMBER, "purpose": ""},
    )
    assert response.status_code == 200
    assert TEACHER_NUMBER not in response.content.decode()
    assert not SubjectQueryLog.objects.exists()


# --- imports ------------------------------------------------------------------------------


def test_viewer_cannot_open_import_pages(client, county_viewer):
    client.force_login(county_viewer)
    assert client.get(reverse("subjects:import_create")).status_code == 403
    assert client.get(reverse("subjects:import_list")).status_code == 403


def test_upload_progress_errors_and_report(
    client, county_clerk, county, django_capture_on_commit_callbacks
):
    client.force_login(county_clerk)
    upload = SimpleUploadedFile("学校名单.csv", csv_bytes(institution_rows(), "gbk"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subjects:import_create"),
            {
                "kind": "institutions",
                "file": upload,
                "default_kind": "primary",
                "default_supervisor": "",
            },
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("subjects:import_detail", kwargs={"run_id": run.public_id})
    assert Institution.objects.count() == 2

    page = client.get(response.url).content.decode()
    assert "subjects/import-progress.js" in page and "<script>" not in page
    progress = client.get(
        reverse("subjects:import_progress", kwargs={"run_id": run.public_id})
    ).json()
    assert progress["done"] and (progress["ok"], progress["failed"], progress["percent"]) == (
        2,
        1,
        100,
    )
    assert (
        progress["errors"][0]["row"] == 3 and progress["errors"][0]["column"] == "统一社会信用代码"
    )

    report = client.get(progress["report_url"])
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    assert sheet is not None
    assert sheet.max_row == 2 and sheet.cell(1, 8).value == "错误原因"


def test_people_import_page_never_shows_numbers(
    client, county_clerk, county_institution, django_capture_on_commit_callbacks
):
    bad = TEACHER_NUMBER[:-1] + ("0" if TEACHER_NUMBER[-1] != "0" else "1")
    rows = [
        ["姓名", "证件号码", "任职单位", "身份"],
        ["张伟", bad, county_institution.name, "教师"],
    ]
    client.force_login(county_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("subjects:import_create"),
            {
                "kind": "people",
                "file": SimpleUploadedFile("p.csv", csv_bytes(rows, "utf-8")),
                "default_kind": "primary",
            },
        )
    run = ImportRun.objects.get()
    for name in ("import_detail", "import_progress"):
        body = client.get(
            reverse(f"subjects:{name}", kwargs={"run_id": run.public_id})
        ).content.decode()
        assert bad not in body
    assert client.get(reverse("subjects:import_list")).status_code == 200


def test_outsider_cannot_see_another_countys_import(
    client, county_clerk, outsider, county, django_capture_on_commit_callbacks
):
    client.force_login(county_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("subjects:import_create"),
            {
                "kind": "institutions",
                "file": SimpleUploadedFile("a.csv", csv_bytes(institution_rows(), "utf-8")),
                "default_kind": "primary",
            },
        )
    run = ImportRun.objects.get()
    client.force_login(outsider)
    for name in ("import_detail", "import_progress", "import_error_report"):
        assert (
            client.get(reverse(f"subjects:{name}", kwargs={"run_id": run.public_id})).status_code
            == 404
        )


def test_review_page_resolves_a_discrepancy(client, county_clerk, county_institution):
    flag = services.institution_register(
        actor=county_clerk,
        name="中原区实验小学",
        kind="primary",
        region_code="410102",
        supervisor=county_institution.supervisor,
        uscc=county_institution.uscc,
    ).discrepancy
    assert flag is not None
    client.force_login(county_clerk)
    assert "中原区实验小学" in client.get(reverse("subjects:review_list")).content.decode()
    response = client.post(
        reverse("subjects:review_resolve", kwargs={"discrepancy_id": flag.public_id}),
        {"accept": "1", "note": "已核实", "effective_on": "2025-09-01"},
    )
    assert response.status_code == 302
    county_institution.refresh_from_db()
    assert county_institution.name == "中原区实验小学"
