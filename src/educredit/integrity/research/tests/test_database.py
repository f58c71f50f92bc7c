"""The 科研诚信严重失信行为数据库 as list entries (JY-MD-04): proposed by the city bureau on a
research-misconduct finding (JY-KY-01) with a prior notice, confirmed by a second person after
the objection period; while listed, research_project and public_funding answer restricted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.catalog.choices import Severity, SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core import clock
from educredit.records import lists
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client, make_user

pytestmark = pytest.mark.django_db

CHECK = "/api/sanctions/check"
NOTICE = dt.date(2026, 11, 2)


@pytest.fixture
def city_people(city: Any) -> dict[str, Any]:
    """The city bureau's clerk (proposes) and two reviewers (approve the record, confirm)."""
    return {
        "clerk": make_user(organisation=city, username="zz.clerk", roles=[UserRole.CLERK]),
        "reviewer": make_user(organisation=city, username="zz.rev1", roles=[UserRole.REVIEWER]),
        "confirmer": make_user(organisation=city, username="zz.rev2", roles=[UserRole.REVIEWER]),
    }


def finding(people: dict[str, Any], person: Any) -> Any:
    """科研失信行为认定 (JY-KY-01) without a ban date of its own: only the listing restricts."""
    return make_record(
        actor=people["clerk"],
        reviewer=people["reviewer"],
        catalog_item=CatalogItem.objects.get(code="JY-KY-01"),
        person=person,
        title="科研失信行为认定",
        decision_date=dt.date(2026, 10, 20),
        payload={
            "misconduct_type": "买卖、代写、代投论文或项目申报验收材料",
            "facts": "委托第三方代写项目结题报告",
            "handling_result": "记入科研诚信严重失信行为数据库",
            "handling_body": "郑州市教育局",
            "handling_basis": "《科研失信行为调查处理规则》第二条第（三）项",
            "effective_on": "2026-10-20",
            "ban_tier": "情节严重",
            "aggravating": "多次实施",
        },
        status=S.EFFECTIVE,
    )


def propose(people: dict[str, Any], person: Any, basis: Any) -> Any:
    return lists.list_entry_propose(
        actor=people["clerk"],
        kind=CreditListKind.RESEARCH,
        subject=person,
        basis_records=[basis],
        reason="代写项目结题报告，情节严重",
        legal_basis="《科研失信行为调查处理规则》；《科学技术活动违规行为处理暂行规定》",
        measures="记入科研诚信严重失信行为数据库，禁止承担或参与财政性资金支持的科技活动",
        exit_conditions="列入期限届满且无新的科研失信行为",
        notice_date=NOTICE,
    )


def check(client: Any, headers: dict[str, str], scenario: str) -> dict[str, Any]:
    body = {
        "document_type": "resident_id",
        "document_number": resident_id(81),
        "scenario": scenario,
        "reference": "XM-2026-0099",
        "as_of": clock.today().isoformat(),
    }
    response = client.post(CHECK, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = response.json()
    return answer


def test_listed_in_the_database_the_researcher_is_restricted_in_research_and_funding(
    client: Any, city_people: dict[str, Any], professor: Any, other_county: Any
) -> None:
    shipped_measure_list()
    _client, key = make_api_client(
        organisation=other_county, name="科研项目管理系统", scopes=["sanctions:check"]
    )
    system = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    basis = finding(city_people, professor)
    assert check(client, system, "research_project")["verdict"] == "clear"

    entry = propose(city_people, professor, basis)
    assert entry.status == "notice" and entry.objection_deadline > NOTICE
    # Prior notice first: nothing restricts before the second person confirms.
    assert check(client, system, "research_project")["verdict"] == "clear"
    with pytest.raises(PermissionDenied):
        lists.list_entry_confirm(actor=city_people["clerk"], entry=entry)
    listed = lists.list_entry_confirm(actor=city_people["confirmer"], entry=entry)
    assert listed.status == "listed"

    for scenario in ("research_project", "public_funding"):
        answer = check(client, system, scenario)
        assert answer["verdict"] == "restricted", scenario
        assert [m["code"] for m in answer["measures"]] == ["JY-CJ-041"]
    assert check(client, system, "teacher_qualification")["verdict"] == "clear"

    city_people["clerk"].refresh_from_db()
    client.force_login(city_people["clerk"])
    page = client.get(reverse("records:list_entry_list"), {"kind": CreditListKind.RESEARCH})
    assert page.status_code == 200 and professor.name in page.content.decode()
    detail = client.get(reverse("records:list_entry_detail", args=[listed.public_id]))
    assert detail.status_code == 200 and "科研诚信严重失信行为数据库" in detail.content.decode()


def test_only_a_research_misconduct_finding_grounds_an_entry(
    city_people: dict[str, Any], professor: Any
) -> None:
    shipped_measure_list()
    other = make_record(
        actor=city_people["clerk"],
        reviewer=city_people["reviewer"],
        catalog_item=make_catalog_item(
            severity=Severity.SERIOUS, name="其他严重失信信息", subject_type=SubjectType.PERSON
        ),
        person=professor,
        status=S.EFFECTIVE,
    )
    with pytest.raises(lists.ListEntryError, match="JY-KY-01"):
        propose(city_people, professor, other)
    candidates = lists.basis_record_candidates(
        city_people["clerk"], CreditListKind.RESEARCH, professor
    )
    assert list(candidates) == []
    assert list(lists.basis_record_candidates(city_people["clerk"], "serious", professor)) == [
        other
    ]


def test_the_catalog_carries_the_database_and_the_research_fields(db: Any) -> None:
    shipped_measure_list()
    listing = CatalogItem.objects.get(code="JY-MD-04")
    assert (listing.name, listing.category, listing.disclosure_mode) == (
        "科研诚信严重失信行为数据库",
        "list",
        "government",
    )
    research = CatalogItem.objects.get(code="JY-KY-01")
    fields = {f["name"]: f for f in research.field_schema}
    assert {"misconduct_type", "facts", "handling_result", "handling_basis"} <= set(fields)
    assert fields["handling_body"]["required"] and fields["handling_body"]["max_length"] == 200
    assert (fields["effective_on"]["type"], fields["effective_on"]["required"]) == ("date", True)
    assert fields["ban_tier"]["choices"] == ["情节较轻", "情节较重", "情节严重"]
    assert not fields["ban_tier"]["required"] and not fields["aggravating"]["required"]
    assert (fields["sanction_until"]["type"], fields["sanction_until"]["label"]) == (
        "date",
        "惩戒期限至",
    )
    assert "国科发监〔2022〕221号" in research.legal_basis and "监字" not in research.legal_basis
