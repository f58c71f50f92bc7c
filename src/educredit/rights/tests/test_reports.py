"""Credit reports: an institution downloads its report and anyone checks it on the portal;
tampering with the stored content or the file is caught; two free self reports a year; only
masked numbers; staff and authorised third parties obtain reports too."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.audit.models import AuditEntry
from educredit.catalog.choices import DisclosureMode, SharingAttribute
from educredit.core import clock
from educredit.records.choices import CreditRecordStatus
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights.authorisations import authorisation_grant
from educredit.rights.choices import ReportRequester
from educredit.rights.models import CreditReport
from educredit.rights.reports import credit_report_issue
from educredit.rights.self_service import subject_account_open
from educredit.rights.tests.factories import (
    County,
    make_county,
    make_teacher,
    signed_in,
)
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.models import Institution, Person, SubjectQueryLog
from educredit.subjects.services import person_document_number
from educredit.testing.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_subject_user(
    *, actor: Any, person: Person | None = None, institution: Institution | None = None
) -> User:
    """An opened, activated self-service account's user.

    Activated by hand: ``subject_account_activate`` locks with ``select_related`` over the
    nullable subject columns, which PostgreSQL refuses (FOR UPDATE on an outer join).
    """
    account, _code = subject_account_open(actor=actor, person=person, institution=institution)
    user = User.objects.create_user(
        username=f"report-subject-{account.pk}", password=TEST_PASSWORD, organisation=None
    )
    account.user = user
    account.activation_digest = ""
    account.activated_at = clock.now()
    account.save()
    return user


def _pdf_bytes(response: Any) -> bytes:
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace (table cells wrap long Chinese text anywhere)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _school_with_records(county: County) -> None:
    make_record(
        actor=county.clerk,
        institution=county.school,
        status=CreditRecordStatus.EFFECTIVE,
        title="未经批准擅自举办培训机构",
    )
    make_record(actor=county.clerk, institution=county.school, title="尚在起草的记录")
    hidden = make_catalog_item(
        name="内部检查记录",
        disclosure_mode=DisclosureMode.GOVERNMENT,
        sharing=SharingAttribute.NOT_SHARED,
    )
    make_record(
        actor=county.clerk,
        catalog_item=hidden,
        institution=county.school,
        status=CreditRecordStatus.EFFECTIVE,
        title="不予共享的检查记录",
    )


def _verify_page(client: Client, code: str, pdf: bytes | None = None) -> str:
    data: dict[str, Any] = {"code": code}
    if pdf is not None:
        data["pdf"] = SimpleUploadedFile("report.pdf", pdf, content_type="application/pdf")
    page = client.post(reverse("rights_public:report_verify"), data)
    assert page.status_code == 200
    return page.content.decode()


def test_an_institution_downloads_its_report_and_a_third_party_verifies_it() -> None:
    county = make_county()
    _school_with_records(county)
    officer = signed_in(make_subject_user(actor=county.clerk, institution=county.school))

    issued = officer.post(reverse("self_service:report_list"))
    assert issued.status_code == 302
    report = CreditReport.objects.get(institution=county.school)
    listing = officer.get(reverse("self_service:report_list")).content.decode()
    assert report.verification_code in listing
    download = officer.get(reverse("self_service:report_download") + f"?report={report.public_id}")
    assert download.status_code == 200
    pdf = _pdf_bytes(download)
    text = _pdf_text(pdf)
    assert county.school.name in text
    assert report.verification_code in text
    assert "未经批准擅自举办培训机构" in text
    # Neither drafts nor records that are neither public nor shareable are in the report.
    assert "尚在起草的记录" not in text
    assert "不予共享的检查记录" not in text
    # The issue is audited with both digests and logged as the subject's own report.
    entry = AuditEntry.objects.get(action="rights.credit_report_issue", target_id=str(report.pk))
    assert report.content_sha256 in entry.reason and report.pdf_sha256 in entry.reason
    assert SubjectQueryLog.objects.filter(
        institution=county.school, kind=QueryKind.REPORT, mode=QueryMode.SELF
    ).exists()

    public = Client()
    qr_page = public.get(
        reverse("rights_public:report_verify_code", args=[report.verification_code])
    )
    assert "内容完整" in qr_page.content.decode()
    page = _verify_page(public, report.verification_code.lower().replace("-", " "), pdf)
    assert "内容完整" in page
    assert "文件与签发时一致" in page
    assert county.school.name in page

    # A changed figure or an appended page: any other bytes than those issued.
    altered = pdf + b"\n% edited\n"
    assert altered != pdf
    assert "文件已被改动" in _verify_page(public, report.verification_code, altered)

    # Someone with database access rewrites the content and its digest together: the audit
    # entry still holds the digest given at issue.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rights_creditreport SET content = %s, content_sha256 = %s WHERE id = %s",
            ['{"subject": {"name": "x"}}', "0" * 64, report.pk],
        )
    page = _verify_page(public, report.verification_code)
    assert "内容完整" not in page
    assert "内容校验未通过" in page


def test_the_third_free_report_in_a_year_is_refused_with_the_next_date() -> None:
    county = make_county()
    teacher = make_teacher(county)
    user = make_subject_user(actor=county.clerk, person=teacher)
    for _ in range(2):
        credit_report_issue(actor=user, person=teacher, requester=ReportRequester.SELF)
    with pytest.raises(ValidationError) as refused:
        credit_report_issue(actor=user, person=teacher, requester=ReportRequester.SELF)
    assert "-01-01" in str(refused.value)
    assert CreditReport.objects.filter(person=teacher).count() == 2

    client = signed_in(user)
    page = client.post(reverse("self_service:report_list"), follow=True).content.decode()
    assert "免费信用报告已用完" in page
    assert 'data-ec-free-left="0"' in page
    assert CreditReport.objects.filter(person=teacher).count() == 2


def test_only_masked_numbers_appear_on_the_report_and_the_portal() -> None:
    county = make_county()
    teacher = make_teacher(county, name="李明")
    clear_number = _clear_number(teacher)
    user = make_subject_user(actor=county.clerk, person=teacher)
    report = credit_report_issue(actor=user, person=teacher, requester=ReportRequester.SELF)
    with report.pdf.open("rb") as handle:
        text = _pdf_text(handle.read())
    assert teacher.id_number_masked in text
    assert clear_number not in text
    assert clear_number not in str(report.content)
    page = _verify_page(Client(), report.verification_code)
    assert teacher.id_number_masked in page
    assert clear_number not in page


def _clear_number(person: Any) -> str:
    return person_document_number(person)


def test_staff_issue_a_report_for_a_subject_they_see_with_a_purpose() -> None:
    county = make_county()
    teacher = make_teacher(county)
    url = reverse("rights:person_report_issue", args=[teacher.public_id])
    staff = signed_in(county.clerk)
    assert staff.get(url).status_code == 200
    assert "查询用途" in staff.post(url, {"purpose": ""}).content.decode()
    assert not CreditReport.objects.filter(person=teacher).exists()
    download = staff.post(url, {"purpose": "教师资格认定核查"})
    assert _pdf_bytes(download).startswith(b"%PDF")
    report = CreditReport.objects.get(person=teacher)
    assert report.requester == ReportRequester.STAFF
    assert SubjectQueryLog.objects.filter(
        person=teacher, kind=QueryKind.REPORT, mode=QueryMode.GOVERNMENT, purpose="教师资格认定核查"
    ).exists()

    other = make_county(code="410103", name="二七区")
    outsider = signed_in(
        make_user(organisation=other.county, username="outsider.report", roles=[UserRole.CLERK])
    )
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"purpose": "好奇"}).status_code == 404


def test_an_authorised_third_party_obtains_the_report_once() -> None:
    county = make_county()
    teacher = make_teacher(county, name="王芳")
    user = make_subject_user(actor=county.clerk, person=teacher)
    authorisation, code = authorisation_grant(
        actor=user,
        grantee_name="郑州某某人力资源公司",
        purpose="入职背景核查",
        valid_until=dt.date.today() + dt.timedelta(days=30),  # noqa: DTZ011 - a date in range
    )
    third_party = Client()
    url = reverse("rights_public:report_authorised")
    wrong = third_party.post(
        url, {"code": code, "grantee_name": "郑州某某人力资源公司", "subject_name": "王小芳"}
    )
    assert wrong.status_code == 200
    assert "不符" in wrong.content.decode()
    authorisation.refresh_from_db()
    assert authorisation.uses == 0

    download = third_party.post(
        url, {"code": code, "grantee_name": "郑州某某人力资源公司", "subject_name": "王芳"}
    )
    assert download.status_code == 200
    text = _pdf_text(_pdf_bytes(download))
    report = CreditReport.objects.get(person=teacher)
    assert report.requester == ReportRequester.AUTHORISED
    assert report.verification_code in text and "王芳" in text
    assert SubjectQueryLog.objects.filter(
        person=teacher,
        kind=QueryKind.REPORT,
        mode=QueryMode.AUTHORISED,
        requester_name="郑州某某人力资源公司",
    ).exists()
    # Used up: a second try gets nothing.
    again = third_party.post(
        url, {"code": code, "grantee_name": "郑州某某人力资源公司", "subject_name": "王芳"}
    )
    assert again["Content-Type"].startswith("text/html")
    assert CreditReport.objects.filter(person=teacher).count() == 1


def test_an_unknown_code_is_said_so_and_the_check_is_rate_limited(settings: Any) -> None:
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"report_verify": 2}
    public = Client()
    assert "未找到" in _verify_page(public, "ABCD-EFGH-JKMN-PQRS")
    _verify_page(public, "ABCD-EFGH-JKMN-PQRT")
    page = public.post(reverse("rights_public:report_verify"), {"code": "ABCD-EFGH-JKMN-PQRU"})
    assert page.status_code == 429


def test_measures_in_force_are_in_the_report() -> None:
    shipped_measure_list()
    county = make_county()
    teacher = make_teacher(county, name="赵老师")
    revocation(county.clerk, county.reviewer, teacher)
    user = make_subject_user(actor=county.clerk, person=teacher)
    report = credit_report_issue(actor=user, person=teacher, requester=ReportRequester.SELF)
    assert report.content["counts"]["measures"] >= 1
    with report.pdf.open("rb") as handle:
        text = _pdf_text(handle.read())
    assert "撤销教师资格" in text
    measure = report.content["measures"][0]
    assert measure["matter"] in text
    assert measure["scenario"] != "teacher_qualification"  # shown by its name
