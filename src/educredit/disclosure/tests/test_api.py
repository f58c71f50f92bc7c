"""The 双公示 JSON API: the same rows as the form, per-row results, idempotent on 文书号."""

from __future__ import annotations

import json
from typing import Any

import pytest

from educredit.disclosure.models import Decision
from educredit.disclosure.tests.pages import prepare_county, row_for, school_of
from educredit.disclosure.tests.rows import licence_row
from educredit.records.choices import CreditRecordSource, CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

PENALTIES = "/api/disclosure/penalties/"
LICENCES = "/api/disclosure/licences/"


@pytest.fixture
def school(county: Any) -> Any:
    prepare_county(county)
    return school_of(county)


@pytest.fixture
def system(county: Any) -> str:
    _client, key = make_api_client(
        organisation=county, name="中原区执法系统", scopes=["disclosure:write", "disclosure:read"]
    )
    return key


def send(client: Any, key: str, body: dict[str, Any], url: str = PENALTIES) -> Any:
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_one_row_creates_a_draft_then_resending_is_idempotent(
    client: Any, system: str, school: Any
) -> None:
    row = row_for(school, CF_XDR_GSZC="4101")
    first = send(client, system, {"row": row})
    assert first.status_code == 201, first.content
    result = first.json()["results"][0]
    assert result["status"] == "created" and result["compliant"] and result["complete"]
    record = CreditRecord.objects.get()
    assert str(record.public_id) == result["record"]["public_id"]
    assert record.source == CreditRecordSource.API and record.status == CreditRecordStatus.DRAFT
    assert Decision.objects.get(record=record).extra["CF_XDR_GSZC"] == "4101"

    again = send(client, system, {"row": row})
    assert again.status_code == 200
    assert again.json()["results"][0]["status"] == "unchanged"

    changed = send(client, system, {"row": {**row, "CF_NR_FK": "4"}})
    assert changed.json()["results"][0]["status"] == "updated"
    assert CreditRecord.objects.get().payload["fine_amount"] == "4"
    assert CreditRecord.objects.count() == 1


def test_a_submitted_decision_is_answered_unchanged(client: Any, system: str, school: Any) -> None:
    row = row_for(school)
    send(client, system, {"row": row, "submit": True})
    record = CreditRecord.objects.get()
    assert record.status == CreditRecordStatus.SUBMITTED
    answer = send(client, system, {"row": {**row, "CF_NR_FK": "9"}}).json()["results"][0]
    assert answer["status"] == "locked" and "correction" in answer["message"]
    assert CreditRecord.objects.get().payload["fine_amount"] == "3.5"


def test_a_list_gets_a_result_per_row(client: Any, system: str, school: Any) -> None:
    good = row_for(school, number="郑中教罚〔2026〕1号")
    bad = row_for(school, number="郑中教罚〔2026〕2号", CF_CFLB="罚金", CF_CFJGDM="123")
    response = send(client, system, {"rows": [good, bad, "not a row"]})
    assert response.status_code == 200
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created", "invalid", "invalid"]
    assert (body["created"], body["failed"]) == (1, 2)
    codes = {error["code"] for error in body["results"][1]["errors"]}
    assert codes == {"CF_CFLB", "CF_CFJGDM"}
    assert CreditRecord.objects.count() == 1


def test_an_invalid_single_row_is_422_and_changes_nothing(
    client: Any, system: str, school: Any
) -> None:
    response = send(client, system, {"row": row_for(school, CF_JDRQ="2026-13-01")})
    assert response.status_code == 422
    assert response.json()["results"][0]["errors"][0]["code"] == "CF_JDRQ"
    assert not CreditRecord.objects.exists()


def test_a_subject_outside_the_callers_jurisdiction_is_refused(
    client: Any, other_county: Any, school: Any
) -> None:
    _c, key = make_api_client(organisation=other_county, scopes=["disclosure:write"])
    response = send(client, key, {"row": row_for(school)})
    assert response.status_code == 422
    assert response.json()["results"][0]["status"] == "refused"
    assert not CreditRecord.objects.exists()


def test_a_decision_of_another_body_cannot_be_overwritten(
    client: Any, system: str, other_county: Any, school: Any
) -> None:
    send(client, system, {"row": row_for(school)})
    # 金水区 does not see 中原区's school, nor may it touch 中原区's decision.
    _c, key = make_api_client(organisation=other_county, scopes=["disclosure:write"])
    answer = send(client, key, {"row": row_for(school, CF_NR_FK="8")}).json()["results"][0]
    assert answer["status"] == "refused"
    assert CreditRecord.objects.get().payload["fine_amount"] == "3.5"


def test_scopes_are_required(client: Any, county: Any, school: Any) -> None:
    _c, key = make_api_client(organisation=county, scopes=["disclosure:read"])
    assert send(client, key, {"row": row_for(school)}).status_code == 403
    assert client.post(PENALTIES, "{}", content_type="application/json").status_code == 401


def test_licences_and_the_quality_read(client: Any, system: str, school: Any, county: Any) -> None:
    row = licence_row(XK_XDR_MC=school.name, XK_XDR_SHXYM=school.uscc)
    assert send(client, system, {"row": row}, LICENCES).status_code == 201
    assert CreditRecord.objects.get().catalog_item.code == "JY-XK-01"
    response = client.get(
        "/api/disclosure/quality?month=2026-04", HTTP_AUTHORIZATION=f"Bearer {system}"
    )
    assert response.status_code == 200
    assert response.json()["rows"][0]["name"] == county.name


def test_quality_of_another_county_is_404(client: Any, system: str, other_county: Any) -> None:
    response = client.get(
        f"/api/disclosure/quality?organisation={other_county.public_id}",
        HTTP_AUTHORIZATION=f"Bearer {system}",
    )
    assert response.status_code == 404


def test_a_staff_session_may_call_it_too(client: Any, county_clerk: Any, school: Any) -> None:
    client.force_login(county_clerk)
    response = client.post(
        PENALTIES, json.dumps({"rows": [row_for(school)]}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 1
