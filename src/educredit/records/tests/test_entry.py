"""Staff pages of records: list, entry form generated from the item, detail, actions, queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_filters_and_constant_queries(county_clerk: Any, county: Any) -> None:
    item = make_catalog_item()
    for _ in range(3):
        make_record(actor=county_clerk, catalog_item=item)
    make_record(actor=county_clerk, catalog_item=item, status=S.SUBMITTED)
    client = _client(county_clerk)
    url = reverse("records:record_list")
    response = client.get(url, {"status": S.SUBMITTED})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"item": str(item.public_id)})
    for _ in range(5):
        make_record(actor=county_clerk, catalog_item=item)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"item": str(item.public_id)}).status_code == 200
    assert len(many) == len(few)


def test_entry_form_from_field_schema(county_clerk: Any, county: Any) -> None:
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第九小学", serial=41)
    client = _client(county_clerk)
    url = reverse("records:record_create")
    page = client.get(url, {"item": str(item.public_id)})
    assert "f_penalty_content" in page.context["form"].fields
    data = {
        "institution_query": school.uscc,
        "title": "违规收费",
        "decision_number": "郑中教罚〔2026〕1号",
        "issuing_body": "中原区教育局",
        "decision_date": "2026-02-01",
        "procedure": "ordinary",
        "f_fine_amount": "abc",
    }
    bad = client.post(f"{url}?item={item.public_id}", data)
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "f_penalty_content" in errors and "f_fine_amount" in errors
    data.update(f_fine_amount="1.5", f_penalty_content="警告")
    good = client.post(f"{url}?item={item.public_id}", data)
    record = CreditRecord.objects.get()
    assert good.status_code == 302 and str(record.public_id) in good["Location"]
    assert record.payload == {"penalty_content": "警告", "fine_amount": "1.5"}
    assert record.institution == school and record.status == S.DRAFT


def test_entry_of_a_person_by_posted_number(county_clerk: Any, county: Any) -> None:
    item = make_catalog_item(subject_type=SubjectType.PERSON, field_schema=[])
    school = make_institution(supervisor=county, name="中原区第八小学", serial=42)
    number = resident_id(21)
    teacher = make_person(institution=school, name="李老师", number=number)
    client = _client(county_clerk)
    url = f"{reverse('records:record_create')}?item={item.public_id}"
    response = client.post(
        url,
        {
            "document_type": "resident_id",
            "id_number": number,
            "title": "师德失范",
            "issuing_body": "中原区教育局",
            "decision_date": "2026-02-01",
            "procedure": "ordinary",
        },
    )
    assert response.status_code == 302
    record = CreditRecord.objects.get()
    assert record.person == teacher
    assert number not in response["Location"]
    page = client.get(response["Location"])
    assert number not in page.content.decode()
    assert teacher.id_number_masked in page.content.decode()


def test_detail_actions_and_transition(county_clerk: Any, county: Any) -> None:
    record = make_record(actor=county_clerk)
    client = _client(county_clerk)
    url = reverse("records:record_detail", kwargs={"credit_record_id": record.public_id})
    page = client.get(url)
    assert {a.action for a in page.context["actions"]} == {"submit", "revoke"}
    assert [e.action for e in page.context["audit_entries"]] == ["records.create"]
    transition = reverse("records:record_transition", kwargs={"credit_record_id": record.public_id})
    client.post(transition, {"action": "submit"})
    record.refresh_from_db()
    assert record.status == S.SUBMITTED
    # A clerk cannot approve: refused with a message, nothing changes.
    client.post(transition, {"action": "approve"})
    record.refresh_from_db()
    assert record.status == S.SUBMITTED
    reviewer = make_user(organisation=county, username="rv", roles=[UserRole.REVIEWER])
    queue = _client(reviewer).get(reverse("records:review_queue"))
    assert list(queue.context["page"].object_list) == [record]
    _client(reviewer).post(transition, {"action": "return", "reason": "附件不全"})
    record.refresh_from_db()
    assert record.status == S.DRAFT
    assert record.transitions.order_by("-pk")[0].reason == "附件不全"


def test_outsider_gets_404(county_clerk: Any, outsider: Any) -> None:
    record = make_record(actor=county_clerk)
    client = _client(outsider)
    kwargs = {"credit_record_id": record.public_id}
    assert client.get(reverse("records:record_detail", kwargs=kwargs)).status_code == 404
    response = client.post(
        reverse("records:record_transition", kwargs=kwargs), {"action": "submit"}
    )
    assert response.status_code == 404
    assert client.get(reverse("records:record_list")).context["page"].paginator.count == 0


def test_city_sees_county_records_and_viewer_cannot_enter(
    county_clerk: Any, city_reviewer: Any, county_viewer: Any
) -> None:
    record = make_record(actor=county_clerk)
    page = _client(city_reviewer).get(
        reverse("records:record_detail", kwargs={"credit_record_id": record.public_id})
    )
    assert page.status_code == 200
    assert _client(county_viewer).get(reverse("records:record_create")).status_code == 403


def test_edit_a_returned_draft(county_clerk: Any, city_reviewer: Any, outsider: Any) -> None:
    record = make_record(actor=county_clerk, status=S.SUBMITTED)
    url = reverse("records:record_edit", kwargs={"credit_record_id": record.public_id})
    client = _client(county_clerk)
    assert client.get(url).status_code == 302  # not a draft
    transition = reverse("records:record_transition", kwargs={"credit_record_id": record.public_id})
    _client(city_reviewer).post(transition, {"action": "return", "reason": "金额有误"})
    page = client.get(url)
    assert page.context["form"].initial["f_penalty_content"] == "警告"
    data = {
        "title": "更正事由",
        "decision_number": record.decision_number,
        "issuing_body": record.issuing_body,
        "decision_date": "2026-03-02",
        "procedure": "ordinary",
        "f_penalty_content": "罚款",
        "f_fine_amount": "2",
    }
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert (record.title, record.payload) == (
        "更正事由",
        {"penalty_content": "罚款", "fine_amount": "2"},
    )
    assert _client(outsider).get(url).status_code == 404
