"""Purpose-bound queries: the session's purpose in the log, "who looked at me", the subject's
authorisations of third parties."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.audit.models import AuditEntry
from educredit.catalog.choices import SubjectType
from educredit.core import clock
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record, make_reviewer
from educredit.rights import authorisations
from educredit.rights.choices import AuthorisationStatus
from educredit.rights.models import Authorisation
from educredit.rights.query_history import mask_name, query_history_for
from educredit.rights.tests.factories import (
    County,
    make_county,
    make_subject_user,
    make_teacher,
    signed_in,
)
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.subjects.choices import QueryMode
from educredit.subjects.models import Person, SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_api_client, make_user

pytestmark = pytest.mark.django_db


def _teacher_with_record() -> tuple[County, Person, CreditRecord]:
    county = make_county(clerk_name="张三丰")
    teacher = make_teacher(county, name="王老师")
    record = make_record(
        actor=county.clerk,
        person=teacher,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
    )
    return county, teacher, record


def test_staff_reads_are_logged_with_the_duty_default_then_the_declared_purpose() -> None:
    county, teacher, record = _teacher_with_record()
    staff = signed_in(county.clerk)
    detail = reverse("records:record_detail", args=[record.public_id])

    assert staff.get(detail).status_code == 200
    row = SubjectQueryLog.objects.filter(person=teacher).latest("pk")
    assert row.purpose == "履行职责"
    assert "第十八条" in row.legal_basis
    assert row.mode == QueryMode.GOVERNMENT
    assert row.route == "records:record_detail"

    response = staff.post(
        reverse("rights:query_purpose"),
        {"purpose": "核查教师资格申请", "basis": "《教师资格条例》第十九条"},
    )
    assert response.status_code == 302
    staff.get(detail)
    row = SubjectQueryLog.objects.filter(person=teacher).latest("pk")
    assert (row.purpose, row.legal_basis) == ("核查教师资格申请", "《教师资格条例》第十九条")


def test_a_purpose_without_a_basis_is_refused() -> None:
    county = make_county()
    response = signed_in(county.clerk).post(
        reverse("rights:query_purpose"), {"purpose": "核查", "basis": ""}
    )
    assert response.status_code == 200
    assert "事由和依据须同时填写" in response.content.decode()


def test_who_looked_at_me_shows_the_organisation_and_purpose_with_the_staff_name_masked() -> None:
    county, teacher, record = _teacher_with_record()
    signed_in(county.clerk).get(reverse("records:record_detail", args=[record.public_id]))
    subject_user = make_subject_user(actor=county.clerk, person=teacher)
    client = signed_in(subject_user)
    client.get(reverse("self_service:home"))  # the subject's own read: not in the history

    response = client.get(reverse("self_service:query_history"))

    body = response.content.decode()
    assert response.status_code == 200
    assert county.county.name in body
    assert "履行职责" in body
    assert "张**" in body
    assert "张三丰" not in body
    rows = query_history_for(person=teacher)
    assert [row.mode for row in rows] == ["政务共享"]


def test_mask_name_keeps_only_the_first_character() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修") == "欧**"


def test_the_subject_grants_an_authorisation_sees_the_code_once_and_revokes_it() -> None:
    county, teacher, _record = _teacher_with_record()
    client = signed_in(make_subject_user(actor=county.clerk, person=teacher))
    url = reverse("self_service:authorisation_list")
    until = clock.today() + dt.timedelta(days=10)

    response = client.post(
        url,
        {
            "grantee_name": "郑州某某科技有限公司",
            "purpose": "入职背景调查",
            "valid_until": until.isoformat(),
            "max_uses": 2,
        },
    )

    assert response.status_code == 200
    code = response.context["code"]
    assert code and code in response.content.decode()
    assert code not in client.get(url).content.decode()
    authorisation = Authorisation.objects.get(person=teacher)
    assert authorisation.code_digest != code
    assert AuditEntry.objects.filter(action="rights.authorisation_grant").exists()

    client.post(
        reverse("self_service:authorisation_revoke"),
        {"authorisation": str(authorisation.public_id)},
    )
    authorisation.refresh_from_db()
    assert authorisation.status == AuthorisationStatus.REVOKED
    with pytest.raises(ValidationError):
        authorisations.authorisation_redeem(code=code, grantee_name="郑州某某科技有限公司")


def test_redeem_checks_the_grantee_name_and_the_number_of_uses() -> None:
    county, teacher, _record = _teacher_with_record()
    user = make_subject_user(actor=county.clerk, person=teacher)
    _authorisation, code = authorisations.authorisation_grant(
        actor=user,
        grantee_name="某银行郑州分行",
        purpose="贷款审查",
        valid_until=clock.today(),
        max_uses=1,
    )

    with pytest.raises(ValidationError):
        authorisations.authorisation_redeem(code=code, grantee_name="另一家银行")
    used = authorisations.authorisation_redeem(code=code, grantee_name=" 某银行 郑州分行 ")
    assert used.uses == 1
    with pytest.raises(ValidationError) as refused:
        authorisations.authorisation_redeem(code=code, grantee_name="某银行郑州分行")
    assert "授权码无效" in str(refused.value) and "The code is invalid" not in str(refused.value)


def test_a_subject_cannot_revoke_another_subjects_authorisation() -> None:
    county, teacher, _record = _teacher_with_record()
    owner = make_subject_user(actor=county.clerk, person=teacher)
    authorisation, _code = authorisations.authorisation_grant(
        actor=owner,
        grantee_name="甲公司",
        purpose="招聘",
        valid_until=clock.today(),
    )
    other = make_subject_user(actor=county.clerk, person=make_teacher(county, name="李老师"))

    response = signed_in(other).post(
        reverse("self_service:authorisation_revoke"),
        {"authorisation": str(authorisation.public_id)},
    )

    assert response.status_code == 404
    authorisation.refresh_from_db()
    assert authorisation.status == AuthorisationStatus.ACTIVE


def test_the_sanctions_feed_logs_the_subjects_it_names(county: Any) -> None:
    shipped_measure_list()
    school = make_institution(supervisor=county, name="订阅学校", serial=880_001)
    teacher = make_person(institution=school, name="订阅人", number=resident_id(88))
    clerk = make_user(organisation=county, username="feed.clerk", roles=[UserRole.CLERK])
    revocation(clerk, make_reviewer(organisation=county), teacher)
    client, key = make_api_client(organisation=county, name="人事系统", scopes=["sanctions:feed"])
    call_command(
        "sanctions",
        "subscribe",
        client.key_prefix,
        "--scenarios",
        "teacher_qualification",
        stdout=StringIO(),
    )

    response = Client().get("/api/sanctions/feed", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200
    assert response.json()["events"]
    row = SubjectQueryLog.objects.get(person=teacher)
    assert (row.api_client, row.mode) == (client, QueryMode.GOVERNMENT)


def test_a_list_page_logs_the_subjects_it_shows_in_one_batch() -> None:
    county, teacher, _record = _teacher_with_record()
    other = make_teacher(county, name="赵老师")
    make_record(
        actor=county.clerk,
        person=other,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
    )

    assert signed_in(county.clerk).get(reverse("records:record_list")).status_code == 200

    rows = SubjectQueryLog.objects.filter(route="records:record_list")
    assert {row.person for row in rows} == {teacher, other}
    assert len({row.batch for row in rows}) == 1
    assert rows.first().batch is not None  # type: ignore[union-attr]
