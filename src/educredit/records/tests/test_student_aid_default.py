"""A student-aid loan in default, reported by the bank (国家助学贷款违约信息, JY-ZZ-02).

中原区's student-aid centre receives the 经办银行's report through the bank's system, an API
client on the centre's organisation: the record is entered and submitted by the API, approved
by the centre's reviewer, and student-aid checks of 赵同学 then answer "review" (JY-CJ-034)
until the record is repaired. A school may not enter it: the bank reports to the centre.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from educredit.accounts.choices import OrganisationKind
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.records import services
from educredit.records.choices import CreditRecordSource
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_record, make_reviewer
from educredit.sanctions.models import Measure
from educredit.sanctions.selectors import verdict_for
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_api_client, make_organisation

pytestmark = pytest.mark.django_db

NUMBER = resident_id(45, born="20000315")
DEFAULT = {
    "contract_number": "ZXDK-2022-410102-0045",
    "bank": "国家开发银行河南省分行",
    "overdue_amount": "8000",
    "overdue_since": "2026-05-20",
    "reported_on": "2026-09-01",
}


@pytest.fixture
def student(county: Any) -> Any:
    shipped_measure_list()
    school = make_institution(supervisor=county, name="中原区职业中专", serial=4501)
    return make_person(
        institution=school, name="赵同学", number=NUMBER, role=AffiliationRole.STUDENT
    )


def test_the_banks_report_enters_by_the_api_and_aid_checks_answer_review(
    county: Any, student: Any
) -> None:
    item = CatalogItem.objects.get(code="JY-ZZ-02")
    assert item.name == "国家助学贷款违约信息" and item.severity == "general"
    assert [f["name"] for f in item.field_schema if not f["public"]] == [
        "contract_number",
        "overdue_amount",
    ]
    _client, key = make_api_client(
        organisation=county, name="经办银行助学贷款系统", scopes=["records:write", "records:read"]
    )
    body = {
        "catalog_item": str(item.public_id),
        "title": "国家助学贷款逾期未还",
        "decision_number": "ZXDK-2026-0045",
        "issuing_body": "国家开发银行河南省分行",
        "decision_date": "2026-09-01",
        "person_id_number": NUMBER,
        "payload": DEFAULT,
        "submit": True,
    }
    answer = Client().post(
        "/api/records/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert answer.status_code == 201, answer.content
    record = CreditRecord.objects.get(catalog_item=item)
    assert record.source == CreditRecordSource.API and record.status == S.SUBMITTED
    services.credit_record_approve(actor=make_reviewer(organisation=county), record=record)

    screening = verdict_for(student, scenario="student_aid", as_of=today())
    assert screening.verdict == "review"
    assert [row.measure.code for row in screening.restrictions] == ["JY-CJ-034"]
    measure = Measure.objects.get(code="JY-CJ-034")
    assert measure.duration_kind == "until_repair" and "待省教育厅核对" in measure.duration_note


def test_a_school_may_not_enter_a_loan_default_an_aid_centre_may(
    county: Any, county_school: Any, school_clerk: Any, student: Any
) -> None:
    item = CatalogItem.objects.get(code="JY-ZZ-02")
    with pytest.raises(services.RecordError) as refused:
        make_record(actor=school_clerk, catalog_item=item, person=student, payload=DEFAULT)
    assert "国家助学贷款违约信息" in refused.value.errors["catalog_item"]
    centre = make_organisation(
        parent=county, name="中原区学生资助管理中心", kind=OrganisationKind.OTHER
    )
    assert item.recordable_by(centre) and not item.recordable_by(county_school)
