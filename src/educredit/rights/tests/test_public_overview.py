"""An institution's public credit overview (公开信用概况, ADR 0036): downloaded by anyone from
its portal page as a PDF holding exactly what the portal publishes (public records inside their
window, public list entries, nothing about people), stored and audited like a credit report,
checked at /verify/<code>/; a tampered code or content fails; rate-limited per address."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from educredit.audit.models import AuditEntry
from educredit.catalog.choices import DisclosureMode
from educredit.core.clock import today
from educredit.portal.tests.conftest import add_record, public_item
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.models import CreditListEntry
from educredit.rights.choices import ReportRequester
from educredit.rights.models import CreditReport
from educredit.rights.public_overview import overview_content
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(county: Any) -> Any:
    """A school with what the portal publishes about it, and what it must not."""
    current = today()
    school = make_institution(supervisor=county, name="郑州公开概况学校", serial=8801)
    until = current + dt.timedelta(days=200)
    add_record(
        item=public_item(),
        organisation=county,
        institution=school,
        title="违规收费",
        public_until=until,
        payload={"content": "警告，退还违规收取的费用"},
    )
    add_record(
        item=public_item(),
        organisation=county,
        institution=school,
        title="尚未生效的处罚",
        status=CreditRecordStatus.DRAFT,
        public_until=until,
    )
    add_record(
        item=public_item(disclosure_mode=DisclosureMode.GOVERNMENT),
        organisation=county,
        institution=school,
        title="仅政务共享的检查",
        public_until=until,
    )
    # A teacher of the school with a public record: a person's, never in the overview.
    teacher = make_person(
        institution=school, name="概况老师", number=resident_id(41, born="19800101")
    )
    add_record(
        item=public_item(),
        organisation=county,
        person=teacher,
        title="有偿补课",
        public_until=until,
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=school,
        organisation=county,
        status=ListEntryStatus.LISTED,
        reason="拒不履行行政处罚决定",
        listed_on=current - dt.timedelta(days=3),
    )
    CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=school,
        organisation=county,
        status=ListEntryStatus.NOTICE,
        reason="尚在事前告知",
        notice_date=current,
    )
    return school


def _download(client: Client, school: Any) -> Any:
    return client.post(reverse("rights_public:institution_overview", args=[school.public_id]))


def _pdf(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="public-credit-overview-'
    )
    return b"".join(response.streaming_content)


def _text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def _verify(client: Client, code: str) -> str:
    page = client.get(reverse("rights_public:report_verify_code", args=[code]))
    assert page.status_code == 200
    return page.content.decode()


def test_the_portal_page_offers_the_overview_and_its_pdf_is_what_the_portal_shows(
    client: Client, school: Any
) -> None:
    page = client.get(reverse("portal:institution", args=[school.public_id])).content.decode()
    assert reverse("rights_public:institution_overview", args=[school.public_id]) in page
    assert "公开信用概况" in page

    text = _text(_pdf(_download(client, school)))
    report = CreditReport.objects.get(institution=school)
    assert report.requester == ReportRequester.PUBLIC
    assert "公开信用概况" in text and school.name in text and school.uscc in text
    assert report.verification_code in text
    assert "违规收费" in text and "警告，退还违规收取的费用" in text
    assert "拒不履行行政处罚决定" in text  # the public list entry
    for hidden in ("尚未生效的处罚", "仅政务共享的检查", "尚在事前告知", "有偿补课", "概况老师"):
        assert hidden not in text, hidden
    assert resident_id(41, born="19800101") not in text
    # Stored and audited like a credit report: both digests in the audit entry.
    entry = AuditEntry.objects.get(action="rights.credit_report_issue", target_id=str(report.pk))
    assert report.content_sha256 in entry.reason and report.pdf_sha256 in entry.reason
    assert report.content == overview_content(school, today())


def test_the_overview_verifies_and_a_tampered_code_or_content_fails(
    client: Client, school: Any
) -> None:
    _pdf(_download(client, school))
    report = CreditReport.objects.get(institution=school)
    page = _verify(client, report.verification_code)
    assert "内容完整" in page
    assert 'data-ec-verify-kind="public_overview"' in page
    assert school.name in page
    # One character changed: no such overview.
    code = report.verification_code
    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert "未找到" in _verify(client, tampered)
    # The stored content rewritten with its digest: the audit entry still has the original.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rights_creditreport SET content = %s, content_sha256 = %s WHERE id = %s",
            ['{"kind": "public_overview", "subject": {"name": "x"}}', "0" * 64, report.pk],
        )
    page = _verify(client, report.verification_code)
    assert "内容完整" not in page and "内容校验未通过" in page


def test_the_same_day_gives_the_same_overview_until_the_content_changes(
    client: Client, school: Any, county: Any
) -> None:
    first = _pdf(_download(client, school))
    again = _pdf(_download(client, school))
    assert first == again
    assert CreditReport.objects.filter(institution=school).count() == 1
    add_record(
        item=public_item(),
        organisation=county,
        institution=school,
        title="新的公示信息",
        public_until=today() + dt.timedelta(days=30),
    )
    changed = _text(_pdf(_download(client, school)))
    assert "新的公示信息" in changed
    assert CreditReport.objects.filter(institution=school).count() == 2


def test_the_download_is_rate_limited_and_bad_requests_answer_plainly(
    client: Client, school: Any, settings: Any, monkeypatch: Any
) -> None:
    from django.utils import timezone

    from educredit.portal import services
    from educredit.rights import report_views

    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"public_overview": 1}
    # Both downloads in the same one-minute window, whenever the test runs.
    moment = timezone.now()
    monkeypatch.setattr(
        report_views,
        "rate_limit_hit",
        lambda **kwargs: services.rate_limit_hit(now=moment, **kwargs),
    )
    _pdf(_download(client, school))
    assert _download(client, school).status_code == 429
    url = reverse("rights_public:institution_overview", args=[school.public_id])
    back = client.get(url)
    assert back.status_code == 302
    assert back["Location"] == reverse("portal:institution", args=[school.public_id])
    unknown = reverse(
        "rights_public:institution_overview", args=["00000000-0000-4000-8000-000000000000"]
    )
    assert client.post(unknown).status_code == 404


def test_the_overview_pdf_in_english_mode_is_still_the_chinese_document(
    client: Client, school: Any
) -> None:
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:institution", args=[school.public_id])).content.decode()
    assert "Download the public credit overview (PDF)" in page
    text = _text(_pdf(_download(client, school)))
    assert "公开信用概况" in text and "违规收费" in text
