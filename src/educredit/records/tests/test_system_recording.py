"""A system actor (an automatic check) records only on behalf of the body that owns the record,
within that body's powers and jurisdiction, and may submit but never approve."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.catalog.tests.factories import shipped_item
from educredit.records import services
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_reviewer
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db
ACTOR = "system:online-check"


def _create(institution: Any, **kwargs: Any) -> Any:
    return services.credit_record_create(
        actor=ACTOR,
        catalog_item=shipped_item("JY-CN-02"),
        institution=institution,
        title="按期履行承诺",
        decision_number="41010220260302000001-JY-CN-02",
        issuing_body="中原区教育局",
        decision_date=dt.date(2026, 3, 30),
        payload={"commitment_number": "41010220260302000001", "fulfilment_status": "全部履行"},
        **kwargs,
    )


def test_a_system_records_for_a_body_and_a_person_there_approves(county: Any) -> None:
    school = make_institution(supervisor=county, name="中原区启明学校", serial=301)
    record = _create(school, on_behalf_of=county)
    assert (record.organisation, record.created_by, record.status) == (county, None, S.DRAFT)
    record = services.credit_record_submit(actor=ACTOR, record=record)
    assert record.status == S.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.credit_record_approve(actor=ACTOR, record=record)
    approved = services.credit_record_approve(
        actor=make_reviewer(organisation=county), record=record
    )
    assert approved.status == S.EFFECTIVE


def test_without_a_body_or_outside_its_jurisdiction_a_system_cannot_record(
    county: Any, other_county: Any, county_clerk: Any
) -> None:
    school = make_institution(supervisor=county, name="中原区启明学校", serial=302)
    with pytest.raises(PermissionDenied):
        _create(school)
    with pytest.raises(PermissionDenied):
        _create(school, on_behalf_of=other_county)
    with pytest.raises(PermissionDenied):  # a person records as themselves, for nobody else
        services.credit_record_create(
            actor=county_clerk,
            catalog_item=shipped_item("JY-CN-02"),
            institution=school,
            title="x",
            issuing_body="中原区教育局",
            decision_date=dt.date(2026, 3, 30),
            payload={"commitment_number": "1", "fulfilment_status": "全部履行"},
            on_behalf_of=county,
        )
