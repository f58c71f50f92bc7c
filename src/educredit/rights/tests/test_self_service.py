"""Self-service accounts: staff open one, the subject activates it and sees only their own
records; subjects never reach staff pages and staff never reach self-service pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from educredit.audit.models import AuditEntry
from educredit.audit.verification import verify_audit_log
from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordStatus
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights.tests.factories import (
    make_county,
    make_subject_user,
    make_teacher,
    signed_in,
)
from educredit.subjects.models import SubjectQueryLog
from educredit.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_open_account_shows_code_once_and_subject_activates_it() -> None:
    county = make_county()
    teacher = make_teacher(county)
    staff = signed_in(county.clerk)
    url = reverse("rights:person_account_open", args=[teacher.public_id])
    page = staff.post(url)
    assert page.status_code == 200
    code = page.context["code"]
    assert code and code in page.content.decode()
    # The code is not stored in clear, and the opening is audited.
    assert AuditEntry.objects.filter(action="rights.subject_account_open").exists()
    assert code not in str(page.context["account"].activation_digest)

    anonymous = Client()
    activated = anonymous.post(
        reverse("self_service:activate"),
        {
            "code": code.lower().replace("-", " "),
            "username": "zhang.teacher",
            "password": TEST_PASSWORD,
            "password_again": TEST_PASSWORD,
        },
    )
    assert activated.status_code == 302
    signed = anonymous.post(
        reverse("accounts:login"), {"username": "zhang.teacher", "password": TEST_PASSWORD}
    )
    assert signed.status_code == 302
    assert signed["Location"] == "/self/"
    # The code works once.
    again = Client().post(
        reverse("self_service:activate"),
        {
            "code": code,
            "username": "x2",
            "password": TEST_PASSWORD,
            "password_again": TEST_PASSWORD,
        },
    )
    assert "激活码无效或已过期" in again.content.decode()
    # The subject's user and account are accounted for by the audit log.
    verification = verify_audit_log()
    assert verification.ok, verification.row_problems[:3]


def test_staff_cannot_open_account_for_subject_outside_jurisdiction() -> None:
    here, there = make_county(), make_county(code="410105", name="金水区")
    teacher = make_teacher(here)
    outsider = signed_in(there.clerk)
    url = reverse("rights:person_account_open", args=[teacher.public_id])
    assert outsider.post(url).status_code == 404


def test_subject_sees_own_records_not_others_and_the_view_is_logged() -> None:
    county = make_county()
    teacher, colleague = make_teacher(county), make_teacher(county, name="李老师")
    item = make_catalog_item(subject_type=SubjectType.PERSON)
    mine = make_record(
        actor=county.clerk,
        catalog_item=item,
        person=teacher,
        status=CreditRecordStatus.EFFECTIVE,
        title="师德失范行为处理",
    )
    make_record(actor=county.clerk, catalog_item=item, person=teacher, title="草稿中的记录")
    make_record(
        actor=county.clerk,
        catalog_item=item,
        person=colleague,
        status=CreditRecordStatus.EFFECTIVE,
        title="别人的记录",
    )
    client = signed_in(make_subject_user(actor=county.clerk, person=teacher))
    page = client.get(reverse("self_service:home"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "师德失范行为处理" in body and str(mine.public_id) in body
    assert "别人的记录" not in body and "草稿中的记录" not in body
    log = SubjectQueryLog.objects.get(person=teacher, route="self_service:home")
    assert log.mode == "self"


def test_subjects_and_staff_keep_to_their_own_pages() -> None:
    county = make_county()
    teacher = make_teacher(county)
    subject = signed_in(make_subject_user(actor=county.clerk, person=teacher))
    assert subject.get(reverse("web:home")).status_code == 403
    assert subject.get(reverse("records:record_list")).status_code == 403
    staff = signed_in(county.clerk)
    assert staff.get(reverse("self_service:home")).status_code == 403
    assert Client().get(reverse("self_service:home")).status_code == 302
