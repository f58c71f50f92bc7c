"""The records API: idempotent submission on (item, issuing body USCC, decision number),
reading one record, jurisdiction and scopes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from educredit.audit.selectors import audit_entries_for
from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordSource
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_institution, make_person, resident_id, uscc
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

ISSUER = uscc(5, "410102")


def _key(county: Any, scopes: tuple[str, ...] = ("records:write", "records:read")) -> str:
    _client, key = make_api_client(organisation=county, name="执法系统", scopes=scopes)
    return key


def _body(item: Any, **extra: Any) -> dict[str, Any]:
    body = {
        "catalog_item": str(item.public_id),
        "title": "未按规定公示收费项目",
        "decision_number": "郑中教罚〔2026〕8号",
        "issuing_body": "中原区教育局",
        "issuing_body_uscc": ISSUER,
        "decision_date": "2026-03-01",
        "payload": {"penalty_content": "警告"},
    }
    body.update(extra)
    return body


def _post(key: str, body: dict[str, Any]) -> Any:
    return Client().post(
        "/api/records/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_idempotent_submission(county: Any) -> None:
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第五小学", serial=55)
    key = _key(county)
    first = _post(key, _body(item, institution_uscc=school.uscc))
    assert first.status_code == 201, first.content
    record = CreditRecord.objects.get()
    assert record.source == CreditRecordSource.API and record.status == S.DRAFT
    assert audit_entries_for(record)[0].actor_label.startswith("api:")
    again = _post(key, _body(item, institution_uscc=school.uscc, title="更正后的事由"))
    assert again.status_code == 200
    assert again.json()["public_id"] == first.json()["public_id"]
    assert CreditRecord.objects.count() == 1
    record.refresh_from_db()
    assert record.title == "更正后的事由"
    # Submitted: re-sending answers with the record as it is.
    submitted = _post(
        key, _body(item, institution_uscc=school.uscc, title="更正后的事由", submit=True)
    )
    assert submitted.json()["status"] == S.SUBMITTED
    unchanged = _post(key, _body(item, institution_uscc=school.uscc, title="再改"))
    assert unchanged.status_code == 200 and unchanged.json()["title"] == "更正后的事由"
    assert CreditRecord.objects.count() == 1


def test_refusals(county: Any, other_county: Any) -> None:
    item = make_catalog_item()
    school = make_institution(supervisor=county, name="中原区第六小学", serial=56)
    key = _key(county)
    bad = _post(key, _body(item, institution_uscc=school.uscc, payload={"fine_amount": "x"}))
    assert bad.status_code == 422
    assert "payload.penalty_content" in bad.json()["errors"]
    outsider_key = _key(other_county)
    assert _post(outsider_key, _body(item, institution_uscc=school.uscc)).status_code == 422
    read_only = _key(county, scopes=("records:read",))
    assert _post(read_only, _body(item, institution_uscc=school.uscc)).status_code == 403
    assert CreditRecord.objects.count() == 0
    # Another county cannot overwrite (or learn) a decision entered here.
    assert _post(key, _body(item, institution_uscc=school.uscc)).status_code == 201
    other_school = make_institution(supervisor=other_county, name="金水区第一小学", serial=57)
    clash = _post(outsider_key, _body(item, institution_uscc=other_school.uscc))
    assert clash.status_code == 409
    assert CreditRecord.objects.count() == 1


def test_person_by_number_in_body(county: Any) -> None:
    item = make_catalog_item(subject_type=SubjectType.PERSON, field_schema=[])
    school = make_institution(supervisor=county, name="中原区第七小学", serial=58)
    number = resident_id(31)
    make_person(institution=school, name="王老师", number=number)
    response = _post(_key(county), _body(item, person_id_number=number, payload={}))
    assert response.status_code == 201
    assert number not in response.content.decode()


def test_read_one(county_clerk: Any, county: Any, other_county: Any) -> None:
    record = make_record(actor=county_clerk)
    key = _key(county, scopes=("records:read",))
    url = f"/api/records/{record.public_id}"
    response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["title"] == record.title
    outsider = _key(other_county, scopes=("records:read",))
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {outsider}").status_code == 404
