"""Staff pages of the lists: who may read and act, outsiders get 404, forms call the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from educredit.catalog.choices import Severity
from educredit.records import lists
from educredit.records.choices import CreditListKind, ListEntryStatus, ResponsibleRole
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="中原区星光培训中心", serial=5201)


@pytest.fixture
def record(county_clerk: Any, school: Any) -> Any:
    item = make_catalog_item(severity=Severity.SERIOUS, name="严重违规办学")
    return make_record(
        actor=county_clerk, catalog_item=item, institution=school, status=S.EFFECTIVE
    )


@pytest.fixture
def entry(county_clerk: Any, school: Any, record: Any) -> Any:
    return lists.list_entry_propose(
        actor=county_clerk,
        kind=CreditListKind.SERIOUS,
        subject=school,
        basis_records=[record],
        reason="违规办学",
        legal_basis="条例第三十三条",
        measures="限制评优评先",
        exit_conditions="整改满一年",
        notice_date=datetime.date(2026, 3, 2),
    )


def test_list_page_filters_and_bounded_queries(
    county_clerk: Any, entry: Any, django_assert_max_num_queries: Any
) -> None:
    client = _client(county_clerk)
    url = reverse("records:list_entry_list")
    with django_assert_max_num_queries(12):
        response = client.get(url, {"kind": CreditListKind.SERIOUS})
    assert response.status_code == 200
    assert "中原区星光培训中心" in response.content.decode()
    assert (
        "中原区星光培训中心" not in client.get(url, {"kind": CreditListKind.RED}).content.decode()
    )


def test_detail_shows_deadline_rule_and_outsider_gets_404(
    county_viewer: Any, outsider: Any, entry: Any
) -> None:
    url = reverse("records:list_entry_detail", kwargs={"entry_id": entry.public_id})
    page = _client(county_viewer).get(url).content.decode()
    assert "2026-03-09" in page  # 5 working days after Monday 2 March 2026
    assert "5个工作日" in page and "严重违规办学" in page
    assert 'action="/records/lists/' not in page  # a viewer is offered no action
    assert _client(outsider).get(url).status_code == 404


def test_propose_through_the_form(county_clerk: Any, school: Any, record: Any) -> None:
    client = _client(county_clerk)
    url = reverse("records:list_entry_propose")
    assert client.get(url, {"q": "星光", "kind": "serious"}).status_code == 200
    form_page = client.get(url, {"institution": school.public_id, "kind": "serious"})
    assert "严重违规办学" in form_page.content.decode()
    response = client.post(
        url,
        {
            "institution": school.public_id,
            "kind": "serious",
            "basis_records": [str(record.public_id)],
            "reason": "违规办学",
            "legal_basis": "",
            "measures": "限制评优评先",
            "exit_conditions": "整改满一年",
            "notice_date": "2026-09-30",
            "objection_days": "5",
        },
    )
    assert response.status_code == 302
    created = lists.list_entries_visible_to(county_clerk).get()
    assert created.objection_deadline == datetime.date(2026, 10, 13)


def test_propose_refuses_outsiders_and_viewers(
    outsider: Any, county_viewer: Any, school: Any
) -> None:
    url = reverse("records:list_entry_propose")
    assert _client(outsider).get(url, {"institution": school.public_id}).status_code == 404
    assert _client(county_viewer).get(url).status_code == 403


def test_confirm_exit_and_withdraw_by_role(
    county_clerk: Any, city_reviewer: Any, outsider: Any, entry: Any
) -> None:
    confirm = reverse("records:list_entry_confirm", kwargs={"entry_id": entry.public_id})
    assert _client(county_clerk).post(confirm, {"listed_on": "2026-03-20"}).status_code == 403
    assert _client(outsider).post(confirm, {"listed_on": "2026-03-20"}).status_code == 403
    early = _client(city_reviewer).post(confirm, {"listed_on": "2026-03-05"})
    assert early.status_code == 400 and "异议期" in early.content.decode()
    assert _client(city_reviewer).post(confirm, {"listed_on": "2026-03-20"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == ListEntryStatus.LISTED
    exit_url = reverse("records:list_entry_exit", kwargs={"entry_id": entry.public_id})
    response = _client(county_clerk).post(
        exit_url, {"exited_on": "2027-03-20", "exit_notice": "整改到位，移出名单"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == ListEntryStatus.EXITED


def test_withdraw_and_link_responsible(
    county_clerk: Any, outsider: Any, school: Any, entry: Any
) -> None:
    head = make_person(institution=school, name="周校长", number=resident_id(31))
    link_url = reverse("records:list_entry_link_responsible", kwargs={"entry_id": entry.public_id})
    data = {"person": str(head.public_id), "role": ResponsibleRole.PRINCIPAL}
    assert _client(outsider).post(link_url, data).status_code == 404
    assert _client(county_clerk).post(link_url, data).status_code == 302
    assert entry.responsible_people.get().person == head
    page = _client(county_clerk).get(
        reverse("records:list_entry_detail", kwargs={"entry_id": entry.public_id})
    )
    assert "周校长" in page.content.decode() and head.id_number_masked in page.content.decode()
    withdraw = reverse("records:list_entry_withdraw", kwargs={"entry_id": entry.public_id})
    assert _client(county_clerk).post(withdraw, {"reason": ""}).status_code == 400
    assert _client(county_clerk).post(withdraw, {"reason": "依据有误"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == ListEntryStatus.WITHDRAWN
