"""Contracts, confirmations and breaches of directed and state-funded students, through the
services: the medical student's breach reaches the graduate-exam check (the real API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from educredit.integrity.students import rules
from educredit.integrity.students.choices import (
    BreachGround,
    ContractProgramme,
    RefundRule,
    TrainingContractStatus,
)
from educredit.integrity.students.models import (
    ServiceConfirmation,
    TrainingContract,
    TrainingContractBreach,
)
from educredit.integrity.students.selectors import confirmations_due
from educredit.integrity.students.services import (
    breach_amounts,
    service_confirmation_record,
    training_contract_breach,
    training_contract_breach_pay,
    training_contract_transition,
)
from educredit.integrity.students.tests.conftest import (
    MEDICAL_NUMBER,
    NORMAL_NUMBER,
    contract_for,
)
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.services import credit_record_approve
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

FOUND = dt.date(2026, 3, 2)


@pytest.fixture
def hospital_system(other_county: Any) -> str:
    """The recruitment system of a hospital elsewhere in the province (check scope)."""
    _client, key = make_api_client(
        organisation=other_county, name="省人民医院招聘系统", scopes=["sanctions:check"]
    )
    return key


def check(client: Any, key: str, number: str, scenario: str) -> dict[str, Any]:
    response = client.post(
        "/api/sanctions/check",
        {
            "document_type": "resident_id",
            "document_number": number,
            "scenario": scenario,
            "reference": "ZP-2026-11",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def serve(actor: Any, contract: Any, years: list[int]) -> Any:
    contract = training_contract_transition(
        actor=actor,
        contract=contract,
        action="start_service",
        service_started_on=dt.date(years[0] if years else 2025, 8, 1),
    )
    for year in years:
        service_confirmation_record(
            actor=actor,
            contract=contract,
            year=year,
            employer_name="中原区须水镇卫生院",
            employer_region_code="410102",
            confirmed_on=dt.date(year, 12, 20),
            confirmed_by="李院长",
        )
    return contract


def test_a_contract_is_entered_with_the_programmes_figures(medical_contract: Any) -> None:
    contract = TrainingContract.objects.get(pk=medical_contract.pk)
    assert contract.status == TrainingContractStatus.STUDYING
    assert contract.service_years == rules.SERVICE_YEARS_DEFAULT == 6
    assert contract.penalty_rate == rules.MEDICAL_PENALTY_RATE == 0
    assert contract.received_total == Decimal("30000.00")
    assert contract.organisation.name == "郑州医学院"  # kept by the school's own account


def test_a_normal_students_contract_states_the_50_percent_penalty(normal_contract: Any) -> None:
    assert normal_contract.penalty_rate == Decimal("0.500")


def test_medical_breach_reaches_graduate_exam_and_hospital_checks(
    client: Any,
    medical_contract: Any,
    normal_contract: Any,
    college_clerk: Any,
    city_reviewer: Any,
    hospital_system: str,
) -> None:
    before = check(client, hospital_system, MEDICAL_NUMBER, "graduate_exam")
    assert before["verdict"] == "clear"

    medical = training_contract_breach(
        actor=college_clerk,
        contract=medical_contract,
        ground=BreachGround.NOT_SERVING,
        found_on=FOUND,
        description="毕业后未到定向乡镇卫生院报到",
    )
    normal = training_contract_breach(
        actor=college_clerk,
        contract=normal_contract,
        ground=BreachGround.SHORT_SERVICE,
        found_on=FOUND,
    )
    record = medical.record
    assert record.catalog_item.code == "JY-XY-01"
    assert record.status == CreditRecordStatus.SUBMITTED
    assert record.payload["programme"] == "农村订单定向医学生"
    assert record.payload["refund_amount"] == "30000.00"
    # Submitted, not yet effective: the check does not see it.
    assert check(client, hospital_system, MEDICAL_NUMBER, "graduate_exam")["verdict"] == "clear"

    # Two-person rule: the clerk who entered it cannot approve it; the city's reviewer does.
    with pytest.raises(PermissionDenied):
        credit_record_approve(actor=college_clerk, record=record)
    credit_record_approve(actor=city_reviewer, record=record)
    credit_record_approve(actor=city_reviewer, record=normal.record)

    for scenario in ("graduate_exam", "hospital_recruitment"):
        answer = check(client, hospital_system, MEDICAL_NUMBER, scenario)
        assert answer["verdict"] == "restricted", scenario
        assert [m["code"] for m in answer["measures"]] == ["JY-CJ-033"]
        assert check(client, hospital_system, NORMAL_NUMBER, scenario)["verdict"] == "clear"
    teacher = check(client, hospital_system, NORMAL_NUMBER, "staff_recruitment")
    assert teacher["verdict"] == "review"
    assert [m["code"] for m in teacher["measures"]] == ["JY-CJ-012"]


def test_paying_is_recorded_on_the_record_and_lifts_nothing(
    client: Any,
    normal_contract: Any,
    college_clerk: Any,
    city_reviewer: Any,
    hospital_system: str,
) -> None:
    breach = training_contract_breach(
        actor=college_clerk,
        contract=normal_contract,
        ground=BreachGround.NOT_SERVING,
        found_on=FOUND,
    )
    assert (breach.refund_amount, breach.penalty_amount) == (
        Decimal("30000.00"),
        Decimal("15000.00"),
    )
    with pytest.raises(ValidationError):  # not effective yet
        training_contract_breach_pay(actor=city_reviewer, breach=breach, paid_on=FOUND)
    credit_record_approve(actor=city_reviewer, record=breach.record)
    with pytest.raises(PermissionDenied):  # a clerk does not confirm payment
        training_contract_breach_pay(actor=college_clerk, breach=breach, paid_on=FOUND)
    training_contract_breach_pay(actor=city_reviewer, breach=breach, paid_on=FOUND)
    record = CreditRecord.objects.get(pk=breach.record_id)
    assert record.payload["paid"] is True
    assert record.status == CreditRecordStatus.EFFECTIVE  # repair is a separate application
    assert check(client, hospital_system, NORMAL_NUMBER, "staff_recruitment")["verdict"] == (
        "review"
    )
    with pytest.raises(ValidationError):
        training_contract_breach_pay(actor=city_reviewer, breach=breach, paid_on=FOUND)


def test_a_breached_contract_cannot_be_breached_again(
    medical_contract: Any, college_clerk: Any
) -> None:
    training_contract_breach(
        actor=college_clerk,
        contract=medical_contract,
        ground=BreachGround.NOT_SERVING,
        found_on=FOUND,
    )
    records = CreditRecord.objects.count()
    with pytest.raises(ValidationError, match="违约"):
        training_contract_breach(
            actor=college_clerk,
            contract=medical_contract,
            ground=BreachGround.OTHER,
            found_on=FOUND,
        )
    assert CreditRecord.objects.count() == records
    assert TrainingContractBreach.objects.count() == 1


def test_refund_and_penalty_at_the_boundaries(
    shipped: Any, college_clerk: Any, normal_student: Any, college: Any
) -> None:
    nothing = contract_for(
        college_clerk,
        normal_student,
        college,
        ContractProgramme.NATIONAL_NORMAL,
        agreement_number="XY-0",
        tuition_received="0",
        accommodation_received="0",
        living_subsidy_received="0",
    )
    assert breach_amounts(nothing, served_years=0) == (Decimal("0"), Decimal("0"), Decimal("0"))
    pro_rata = contract_for(
        college_clerk,
        normal_student,
        college,
        ContractProgramme.NATIONAL_NORMAL,
        agreement_number="XY-P",
        refund_rule=RefundRule.PRO_RATA_UNSERVED,
    )
    assert breach_amounts(pro_rata, served_years=0)[1:] == (
        Decimal("30000.00"),
        Decimal("15000.00"),
    )
    assert breach_amounts(pro_rata, served_years=1)[1:] == (
        Decimal("25000.00"),
        Decimal("12500.00"),
    )
    assert breach_amounts(pro_rata, served_years=6)[1:] == (Decimal("0.00"), Decimal("0.00"))
    assert breach_amounts(pro_rata, served_years=9)[1:] == (Decimal("0.00"), Decimal("0.00"))
    full = contract_for(
        college_clerk,
        normal_student,
        college,
        ContractProgramme.NATIONAL_NORMAL,
        agreement_number="XY-F",
        tuition_received="0.01",
        accommodation_received="0",
        living_subsidy_received="0",
    )
    # Half a fen rounds half up.
    assert breach_amounts(full, served_years=6)[1:] == (Decimal("0.01"), Decimal("0.01"))


def test_pro_rata_breach_counts_the_confirmed_years(
    shipped: Any, college_clerk: Any, normal_student: Any, college: Any
) -> None:
    contract = contract_for(
        college_clerk,
        normal_student,
        college,
        ContractProgramme.LOCAL_NORMAL,
        refund_rule=RefundRule.PRO_RATA_UNSERVED,
        tuition_received="60000",
        accommodation_received="0",
        living_subsidy_received="0",
    )
    contract = serve(college_clerk, contract, [2024, 2025])
    breach = training_contract_breach(
        actor=college_clerk, contract=contract, ground=BreachGround.SHORT_SERVICE, found_on=FOUND
    )
    assert breach.served_years == 2
    assert (breach.refund_amount, breach.penalty_amount) == (
        Decimal("40000.00"),
        Decimal("20000.00"),
    )


@pytest.mark.parametrize("rate", ["-0.1", "1.01", "abc", "0.1234"])
def test_a_penalty_rate_out_of_range_is_refused(
    shipped: Any, college_clerk: Any, normal_student: Any, college: Any, rate: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        contract_for(
            college_clerk, normal_student, college, ContractProgramme.OTHER_DIRECTED,
            penalty_rate=rate,
        )  # fmt: skip
    assert "penalty_rate" in refused.value.message_dict
    assert not TrainingContract.objects.exists()


def test_bad_contract_input_is_refused_by_field(
    shipped: Any, college_clerk: Any, normal_student: Any, college: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        contract_for(
            college_clerk,
            normal_student,
            college,
            "nurse",
            expected_graduation=dt.date(2019, 1, 1),
            service_years=0,
        )
    assert {"programme", "expected_graduation", "service_years"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as region:
        contract_for(
            college_clerk,
            normal_student,
            college,
            ContractProgramme.LOCAL_NORMAL,
            service_region_code="110101",
        )
    assert "service_region_code" in region.value.message_dict
    assert not TrainingContract.objects.exists()


def test_an_outsider_cannot_enter_a_contract_for_the_college(
    shipped: Any, outsider: Any, normal_student: Any, college: Any
) -> None:
    with pytest.raises(PermissionDenied):
        contract_for(outsider, normal_student, college, ContractProgramme.LOCAL_NORMAL)


def test_confirmations_and_the_yearly_task_list(
    shipped: Any, college_clerk: Any, medical_student: Any, normal_student: Any, college: Any
) -> None:
    medical = serve(
        college_clerk,
        contract_for(college_clerk, medical_student, college, ContractProgramme.RURAL_MEDICAL),
        [],
    )
    normal = serve(
        college_clerk,
        contract_for(college_clerk, normal_student, college, ContractProgramme.LOCAL_NORMAL),
        [],
    )
    assert set(confirmations_due(college_clerk, year=2025)) == {medical, normal}
    service_confirmation_record(
        actor=college_clerk,
        contract=medical,
        year=2025,
        employer_name="中原区须水镇卫生院",
        employer_region_code="410102",
        confirmed_on=dt.date(2025, 12, 20),
        confirmed_by="李院长",
    )
    # Confirmed this year: it drops off; the other stays (a person decides what a miss means).
    assert list(confirmations_due(college_clerk, year=2025)) == [normal]
    assert set(confirmations_due(college_clerk, year=2026)) == {medical, normal}
    assert TrainingContract.objects.get(pk=normal.pk).status == TrainingContractStatus.SERVING


def test_a_confirmation_for_a_future_year_or_twice_is_refused(
    medical_contract: Any, college_clerk: Any
) -> None:
    from educredit.core import clock

    contract = serve(college_clerk, medical_contract, [2025])
    next_year = clock.today().year + 1
    for year in (next_year, 2025, 2024):
        with pytest.raises(ValidationError) as refused:
            service_confirmation_record(
                actor=college_clerk,
                contract=contract,
                year=year,
                employer_name="中原区须水镇卫生院",
                employer_region_code="410102",
                confirmed_on=dt.date(2025, 12, 20),
                confirmed_by="李院长",
            )
        assert "year" in refused.value.message_dict
    assert ServiceConfirmation.objects.count() == 1


def test_a_contract_of_another_county_is_out_of_reach(medical_contract: Any, outsider: Any) -> None:
    from educredit.integrity.students.selectors import contracts_visible_to

    assert not contracts_visible_to(outsider).exists()
    with pytest.raises(PermissionDenied):
        training_contract_breach(
            actor=outsider,
            contract=medical_contract,
            ground=BreachGround.OTHER,
            found_on=FOUND,
        )


def test_every_write_of_the_story_is_audited_and_verifies(
    normal_contract: Any, college_clerk: Any, city_reviewer: Any
) -> None:
    from educredit.audit.models import AuditEntry
    from educredit.audit.verification import verify_audit_log

    contract = serve(college_clerk, normal_contract, [2025])
    breach = training_contract_breach(
        actor=college_clerk, contract=contract, ground=BreachGround.SHORT_SERVICE, found_on=FOUND
    )
    credit_record_approve(actor=city_reviewer, record=breach.record)
    training_contract_breach_pay(actor=city_reviewer, breach=breach, paid_on=FOUND)
    actions = set(
        AuditEntry.objects.filter(action__startswith="integrity_students.").values_list(
            "action", flat=True
        )
    )
    assert actions == {
        "integrity_students.contract_create",
        "integrity_students.contract_start_service",
        "integrity_students.confirmation_record",
        "integrity_students.contract_breach",
        "integrity_students.breach_create",
        "integrity_students.breach_pay",
    }
    audit = verify_audit_log()
    assert audit.ok, (audit.problems[:3], audit.row_problems[:3])


def test_service_ends_fulfilled_or_dissolved_with_a_reason(
    medical_contract: Any, normal_contract: Any, college_clerk: Any
) -> None:
    with pytest.raises(ValidationError):  # not in service yet
        training_contract_transition(
            actor=college_clerk, contract=medical_contract, action="fulfil"
        )
    with pytest.raises(ValidationError) as future:
        training_contract_transition(
            actor=college_clerk,
            contract=medical_contract,
            action="start_service",
            service_started_on=dt.date(2999, 1, 1),
        )
    assert "service_started_on" in future.value.message_dict
    served = serve(college_clerk, medical_contract, [2025])
    done = training_contract_transition(actor=college_clerk, contract=served, action="fulfil")
    assert done.status == TrainingContractStatus.FULFILLED
    with pytest.raises(ValidationError):  # a fulfilled contract is not breached
        training_contract_breach(
            actor=college_clerk, contract=done, ground=BreachGround.OTHER, found_on=FOUND
        )
    with pytest.raises(ValidationError) as no_reason:
        training_contract_transition(
            actor=college_clerk, contract=normal_contract, action="dissolve"
        )
    assert "reason" in no_reason.value.message_dict
    dissolved = training_contract_transition(
        actor=college_clerk,
        contract=normal_contract,
        action="dissolve",
        reason="经省教育厅同意转为非公费",
    )
    assert dissolved.status == TrainingContractStatus.DISSOLVED
    assert not CreditRecord.objects.exists()  # neither end writes a credit record
