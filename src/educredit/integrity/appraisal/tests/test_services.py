"""The school enters, the level above reviews, the grade enters the teacher's credit archive."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.audit.models import AuditEntry
from educredit.core import clock
from educredit.integrity.appraisal import services
from educredit.integrity.appraisal.choices import EthicsAppraisalStatus as S
from educredit.integrity.appraisal.models import EthicsAppraisal
from educredit.records.choices import CreditRecordStatus
from educredit.subjects import services as subjects_services
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.tests.factories import make_person, resident_id

pytestmark = pytest.mark.django_db

LAST_YEAR = clock.today().year - 1


def _enter(
    clerk: Any, teacher: Any, grade: str = "合格", remarks: str = "", year: int = LAST_YEAR
) -> Any:
    return services.ethics_appraisal_enter(
        actor=clerk, teacher=teacher, year=year, grade=grade, remarks=remarks
    )


def test_the_school_clerk_enters_a_draft_which_is_audited(school_clerk, school, teacher):
    appraisal = _enter(school_clerk, teacher, grade="优秀")
    assert appraisal.status == S.DRAFT and appraisal.school == school
    assert appraisal.entered_by == school_clerk and appraisal.credit_record is None
    assert AuditEntry.objects.filter(action="integrity_appraisal.enter").count() == 1
    assert [step.action for step in appraisal.steps.all()] == ["enter"]


def test_a_second_appraisal_of_the_same_teacher_and_year_is_refused(school_clerk, teacher):
    _enter(school_clerk, teacher)
    with pytest.raises(services.AppraisalError) as refused:
        _enter(school_clerk, teacher, grade="优秀")
    assert "year" in refused.value.message_dict
    assert EthicsAppraisal.objects.count() == 1


def test_a_future_year_is_refused(school_clerk, teacher):
    with pytest.raises(services.AppraisalError) as refused:
        _enter(school_clerk, teacher, year=clock.today().year + 1)
    assert "未来" in refused.value.message_dict["year"][0]


def test_facts_are_required_below_qualified(school_clerk, teacher):
    for grade in ("基本合格", "不合格"):
        with pytest.raises(services.AppraisalError) as refused:
            _enter(school_clerk, teacher, grade=grade)
        assert "remarks" in refused.value.message_dict
    assert not EthicsAppraisal.objects.exists()


def test_a_teacher_of_another_school_or_year_is_refused(school_clerk, school, other_school):
    elsewhere = make_person(institution=other_school, name="钱老师", number=resident_id(43))
    with pytest.raises((services.AppraisalError, PermissionDenied)):
        _enter(school_clerk, elsewhere)
    # A teacher who joined this school only this year has no appraisal here for last year.
    newcomer = subjects_services.person_register(
        actor="system:test", document_type="resident_id", id_number=resident_id(44), name="孙老师"
    ).subject
    subjects_services.affiliation_add(
        actor="system:test",
        person=newcomer,
        institution=school,
        role=AffiliationRole.TEACHER,
        started_on=clock.today().replace(month=1, day=1),
    )
    with pytest.raises(services.AppraisalError) as refused:
        _enter(school_clerk, newcomer)
    assert "teacher" in refused.value.message_dict
    assert not EthicsAppraisal.objects.exists()


def test_a_bureau_clerk_does_not_enter_for_a_school(county_clerk, teacher):
    with pytest.raises(PermissionDenied):
        _enter(county_clerk, teacher)


def test_the_level_above_approves_and_the_grade_becomes_an_effective_record(
    school_clerk, county_reviewer, teacher
):
    appraisal = _enter(school_clerk, teacher, grade="不合格", remarks="体罚学生，经查属实")
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    appraisal = services.ethics_appraisal_approve(actor=county_reviewer, appraisal=appraisal)
    assert appraisal.status == S.APPROVED and appraisal.reviewed_by == county_reviewer
    record = appraisal.credit_record
    assert record is not None and record.status == CreditRecordStatus.EFFECTIVE
    assert record.catalog_item.code == "JY-SD-01" and record.person == teacher
    assert record.payload["grade"] == "不合格" and record.payload["appraisal_year"] == LAST_YEAR
    assert record.reviewed_by == county_reviewer
    assert record.organisation == appraisal.school.organisation  # the school's own record
    assert record.created_by is None  # entered on the school's behalf, not by the reviewer


def test_the_school_cannot_approve_its_own(school_clerk, school_head, teacher):
    appraisal = _enter(school_clerk, teacher)
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    with pytest.raises(PermissionDenied):
        services.ethics_appraisal_approve(actor=school_head, appraisal=appraisal)
    with pytest.raises(PermissionDenied):
        services.ethics_appraisal_return(actor=school_head, appraisal=appraisal, reason="自审")
    appraisal.refresh_from_db()
    assert appraisal.status == S.SUBMITTED and appraisal.credit_record is None


def test_another_countys_reviewer_cannot_review(school_clerk, other_reviewer, teacher):
    appraisal = _enter(school_clerk, teacher)
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    with pytest.raises(PermissionDenied):
        services.ethics_appraisal_approve(actor=other_reviewer, appraisal=appraisal)


def test_a_city_reviewer_above_the_county_may_review(school_clerk, city_reviewer, teacher):
    appraisal = _enter(school_clerk, teacher)
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    appraisal = services.ethics_appraisal_approve(actor=city_reviewer, appraisal=appraisal)
    assert appraisal.status == S.APPROVED


def test_returned_then_corrected_and_resubmitted(school_clerk, county_reviewer, teacher):
    appraisal = _enter(school_clerk, teacher, grade="基本合格", remarks="上课迟到")
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    with pytest.raises(services.AppraisalError):
        services.ethics_appraisal_return(actor=county_reviewer, appraisal=appraisal, reason=" ")
    appraisal = services.ethics_appraisal_return(
        actor=county_reviewer, appraisal=appraisal, reason="说明未写明具体事实和次数"
    )
    assert appraisal.status == S.RETURNED and appraisal.return_reason
    with pytest.raises(services.AppraisalError):  # a returned one is not approved as it is
        services.ethics_appraisal_approve(actor=county_reviewer, appraisal=appraisal)
    services.ethics_appraisal_update(
        actor=school_clerk,
        appraisal=appraisal,
        grade="基本合格",
        remarks="2025年3月至5月上课迟到7次，经提醒未改正",
    )
    appraisal = services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    assert appraisal.status == S.SUBMITTED and appraisal.return_reason == ""
    appraisal = services.ethics_appraisal_approve(actor=county_reviewer, appraisal=appraisal)
    assert appraisal.credit_record is not None
    assert appraisal.credit_record.payload["remarks"].startswith("2025年3月")
    assert [s.action for s in appraisal.steps.all()] == [
        "enter",
        "submit",
        "return",
        "update",
        "submit",
        "approve",
    ]


def test_an_approved_appraisal_is_no_longer_edited(school_clerk, county_reviewer, teacher):
    appraisal = _enter(school_clerk, teacher)
    services.ethics_appraisal_submit(actor=school_clerk, appraisal=appraisal)
    services.ethics_appraisal_approve(actor=county_reviewer, appraisal=appraisal)
    with pytest.raises(services.AppraisalError):
        services.ethics_appraisal_update(actor=school_clerk, appraisal=appraisal, grade="优秀")
