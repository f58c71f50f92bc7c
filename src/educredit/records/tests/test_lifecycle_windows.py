"""The services recompute the disclosure window (``records.windows``) on every step."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.catalog.choices import SubjectType
from educredit.core import clock
from educredit.records import services
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.choices import DecisionProcedure
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db


def test_window_follows_the_life_cycle(county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, status=S.SUBMITTED)
    assert record.public_from is None and record.window_rule
    record = services.credit_record_approve(actor=city_reviewer, record=record)
    assert record.public_from == record.decision_date
    assert record.public_until is not None and record.public_until > clock.today()
    record = services.credit_record_revoke(actor=city_reviewer, record=record, reason="撤销决定")
    record.refresh_from_db()
    assert record.public_until == clock.today()


def test_henan_13_records_are_never_public(county_clerk: Any, county: Any) -> None:
    school = make_institution(supervisor=county, name="中原区第三小学", serial=88)
    teacher = make_person(institution=school, name="赵老师", number=resident_id(41))
    item = make_catalog_item(subject_type=SubjectType.PERSON)
    record = make_record(
        actor=county_clerk,
        catalog_item=item,
        person=teacher,
        procedure=DecisionProcedure.SIMPLIFIED,
        status=S.EFFECTIVE,
    )
    record.refresh_from_db()
    assert record.public_from is None and record.public_until is None
