"""Restrictions: from records, lists and the measure list to "restricted here, until then, because".

Records and list entries go through the records services (entry, submission, two-person
approval, revocation, repair, correction, prior notice, confirmation, exit), so the rows come
from the receivers in the same transactions, as they do in production.
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from educredit.audit.verification import verify_audit_log
from educredit.catalog.choices import Severity
from educredit.catalog.models import CatalogItem
from educredit.core import clock
from educredit.records import lists
from educredit.records import services as record_services
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.records.windows import add_months
from educredit.sanctions import services
from educredit.sanctions.models import Restriction, RestrictionEnd
from educredit.sanctions.selectors import restrictions_for, verdict_for

pytestmark = pytest.mark.django_db

DECISION = datetime.date(2026, 3, 2)
REAPPLY = datetime.date(2031, 3, 2)
DAY = datetime.timedelta(days=1)


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.get(code=code)


def revocation(
    clerk: Any, reviewer: Any, teacher: Any, *, decision: datetime.date = DECISION, **extra: Any
) -> Any:
    """教师资格撤销 (JY-ZG-01) entered, submitted and approved: reapply from decision + 5 years."""
    payload = {
        "qualification_kind": "初级中学教师资格",
        "certificate_number": "20264101234567",
        "ground": "品行不良、侮辱学生，影响恶劣",
        "facts": "多次体罚学生",
        "reapply_from": add_months(decision, 60).isoformat(),
    }
    return make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item("JY-ZG-01"),
        person=teacher,
        title="撤销教师资格",
        decision_date=decision,
        payload=payload,
        status=S.EFFECTIVE,
        **extra,
    )


def exam_record(clerk: Any, teacher: Any, kind: str, ban_until: datetime.date | None) -> Any:
    payload: dict[str, Any] = {
        "exam_name": "2026年中小学教师资格考试",
        "exam_date": "2026-03-01",
        "violation_kind": kind,
        "facts": "携带电子设备",
        "handling": "当次各科成绩无效",
    }
    if ban_until:
        payload["exam_ban_until"] = ban_until.isoformat()
    return make_record(
        actor=clerk,
        catalog_item=item("JY-KS-01"),
        person=teacher,
        title="国家教育考试违规",
        decision_date=DECISION,
        payload=payload,
        status=S.EFFECTIVE,
    )


def rows_of(basis: Any) -> set[tuple[Any, ...]]:
    return {
        (r.measure.code, r.scenario, r.verdict, r.starts_on, r.ends_on, r.ended_by)
        for r in Restriction.objects.filter(basis_record=basis).select_related("measure")
    }


def all_rows() -> set[tuple[Any, ...]]:
    return set(
        Restriction.objects.values_list(
            "institution_id",
            "person_id",
            "measure_id",
            "measure_version",
            "scenario",
            "verdict",
            "basis_record_id",
            "basis_list_entry_id",
            "starts_on",
            "ends_on",
            "ended_by",
            "legal_basis",
        )
    )


def restriction_problems() -> list[tuple[str, str]]:
    return [
        (problem.pk, problem.kind)
        for problem in verify_audit_log().row_problems
        if problem.model == "sanctions.restriction"
    ]


def test_revoked_teacher_qualification_restricts_that_scenario_until_reapply_date(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    record = revocation(county_clerk, reviewer, teacher)

    answer = verdict_for(teacher, scenario="teacher_qualification", as_of=DECISION + DAY)
    assert answer.verdict == "restricted"
    (row,) = answer.restrictions
    assert (row.starts_on, row.ends_on, row.ended_by) == (DECISION, REAPPLY, "")
    assert row.basis_record == record and row.measure.code == "JY-CJ-001"
    assert "《教师资格条例》第十九条" in row.legal_basis and row.measure_version == 1

    assert (
        verdict_for(teacher, scenario="government_procurement", as_of=DECISION).verdict == "clear"
    )
    assert verdict_for(teacher, scenario="teacher_qualification", as_of=REAPPLY - DAY).verdict == (
        "restricted"
    )
    assert verdict_for(teacher, scenario="teacher_qualification", as_of=REAPPLY).verdict == "clear"
    assert verdict_for(teacher, scenario="teacher_qualification", as_of=DECISION - DAY).verdict == (
        "clear"
    )


def test_decision_before_the_first_list_follows_the_earliest_version(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    past = datetime.date(2025, 3, 2)
    revocation(county_clerk, reviewer, teacher, decision=past)
    (row,) = restrictions_for(teacher, scenario="teacher_qualification", as_of=past)
    assert (row.measure_version, row.ends_on) == (1, datetime.date(2030, 3, 2))


def test_drafts_submitted_and_henan13_records_never_restrict(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    for status in (S.DRAFT, S.SUBMITTED, S.REVOKED):
        make_record(
            actor=county_clerk,
            catalog_item=item("JY-ZG-01"),
            person=teacher,
            decision_date=DECISION,
            payload={
                "qualification_kind": "小学教师资格",
                "certificate_number": "1",
                "ground": "使用假资格证书",
                "facts": "伪造证书",
                "reapply_from": REAPPLY.isoformat(),
            },
            status=status,
        )
    revocation(county_clerk, reviewer, teacher, corrected_minor_violation=True)
    assert not Restriction.objects.exists()
    assert restrictions_for(teacher, as_of=DECISION + DAY) == []


def test_exam_cheating_bans_registration_but_discipline_triggers_nothing(
    shipped: Any, county_clerk: Any, teacher: Any
) -> None:
    ban = datetime.date(2028, 3, 2)
    cheating = exam_record(county_clerk, teacher, "作弊", ban)
    discipline = exam_record(county_clerk, teacher, "违纪", ban)

    answer = verdict_for(teacher, scenario="exam_registration", as_of=datetime.date(2027, 1, 1))
    assert answer.verdict == "restricted"
    assert {r.basis_record_id for r in answer.restrictions} == {cheating.pk}
    assert {r.ends_on for r in answer.restrictions} == {ban}
    assert rows_of(discipline) == set()
    assert verdict_for(teacher, scenario="exam_registration", as_of=ban).verdict == "clear"


def test_ethics_disqualification_lasts_at_least_24_months(
    shipped: Any, county_clerk: Any, teacher: Any
) -> None:
    record = make_record(
        actor=county_clerk,
        catalog_item=item("JY-SD-02"),
        person=teacher,
        title="师德失范",
        decision_date=DECISION,
        payload={
            "misconduct": "收受家长礼金",
            "handling": "通报批评",
            "disqualification": "取消评奖评优资格",
            "disqualified_until": "2027-03-02",
            "employer": "中原区实验学校",
        },
        status=S.EFFECTIVE,
    )
    ends = {row[4] for row in rows_of(record)}
    assert ends == {datetime.date(2028, 3, 2)}
    scenarios = {row[1] for row in rows_of(record)}
    assert {"awards_honours", "title_evaluation", "supervisor_enrolment"} <= scenarios


def test_revocation_ends_restrictions_on_its_date_and_keeps_history(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    record = revocation(county_clerk, reviewer, teacher)
    record_services.credit_record_revoke(actor=reviewer, record=record, reason="复议撤销")
    today = clock.today()

    # Both of the revocation's measures (teacher qualification, hiring checks) end with it.
    rows = Restriction.objects.filter(basis_record=record)
    assert {(r.ends_on, r.ended_by) for r in rows} == {(today, RestrictionEnd.REVOKED)}
    assert verdict_for(teacher, scenario="teacher_qualification", as_of=today).verdict == "clear"
    before = verdict_for(teacher, scenario="teacher_qualification", as_of=today - DAY)
    assert before.verdict == "restricted"


def test_repair_ends_until_repair_measures_on_the_repair_date(shipped: Any, province: Any) -> None:
    # 学术不端 is found by the university itself (the catalog: universities record JY-XS-01).
    from educredit.accounts.choices import OrganisationKind, UserRole
    from educredit.records.tests.factories import make_reviewer
    from educredit.sanctions.tests.factories import TEACHER_NUMBER
    from educredit.subjects import services as subject_services
    from educredit.subjects.choices import InstitutionKind
    from educredit.subjects.tests.factories import make_institution, make_person
    from educredit.testing.factories import make_organisation, make_user

    university_org = make_organisation(
        parent=province, name="郑州测试大学", kind=OrganisationKind.UNIVERSITY, region_code="410100"
    )
    university = make_institution(
        supervisor=province,
        name="郑州测试大学",
        serial=7201,
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
    )
    subject_services.institution_update(
        actor="system:test", institution=university, organisation=university_org
    )
    teacher = make_person(institution=university, name="李老师", number=TEACHER_NUMBER)
    clerk = make_user(organisation=university_org, username="zzu.clerk", roles=[UserRole.CLERK])
    reviewer = make_reviewer(organisation=university_org)
    decided = datetime.date(2025, 1, 10)
    record = make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item("JY-XS-01"),
        person=teacher,
        title="学术不端",
        decision_date=decided,
        payload={
            "misconduct_type": "不当署名",
            "facts": "未参加研究而署名",
            "sanctions": "通报批评",
        },
        status=S.EFFECTIVE,
    )
    window_end = record.public_until
    assert window_end is not None
    answer = verdict_for(teacher, scenario="research_project", as_of=decided)
    assert answer.verdict == "review"
    assert {(r.ends_on, r.ended_by) for r in answer.restrictions} == {
        (window_end, RestrictionEnd.WINDOW_END)
    }

    record_services.credit_record_mark_repaired(actor=reviewer, record=record, reason="已修复")
    today = clock.today()
    assert {(row[4], row[5]) for row in rows_of(record)} == {(today, RestrictionEnd.REPAIRED)}
    assert verdict_for(teacher, scenario="research_project", as_of=today).verdict == "clear"
    assert verdict_for(teacher, scenario="research_project", as_of=today - DAY).verdict == "review"


def test_correction_of_the_decision_moves_the_end(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    record = revocation(county_clerk, reviewer, teacher)
    later = datetime.date(2032, 3, 2)
    record_services.credit_record_correct(
        actor=reviewer,
        record=record,
        reason="复议更正可重新申请日期",
        payload={**record.payload, "reapply_from": later.isoformat()},
    )
    (row,) = Restriction.objects.filter(basis_record=record, scenario="teacher_qualification")
    assert row.ends_on == later
    assert verdict_for(teacher, scenario="teacher_qualification", as_of=REAPPLY).verdict == (
        "restricted"
    )


def _list(
    clerk: Any, reviewer: Any, subject: Any, kind: str, severity: str, listed_on: datetime.date
) -> Any:
    basis = make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=make_catalog_item(severity=severity, name="测试依据"),
        institution=subject,
        status=S.EFFECTIVE,
    )
    entry = lists.list_entry_propose(
        actor=clerk,
        kind=kind,
        subject=subject,
        basis_records=[basis],
        reason="测试列入",
        legal_basis="《河南省社会信用条例》第三十三条",
        measures="限制参加政府采购",
        exit_conditions="整改到位",
        notice_date=datetime.date(2026, 3, 2),
    )
    return lists.list_entry_confirm(actor=reviewer, entry=entry, listed_on=listed_on)


def test_serious_list_restricts_until_exit(
    shipped: Any, county_clerk: Any, reviewer: Any, school: Any
) -> None:
    listed = datetime.date(2026, 4, 1)
    entry = _list(county_clerk, reviewer, school, CreditListKind.SERIOUS, Severity.SERIOUS, listed)
    assert verdict_for(school, scenario="government_procurement", as_of=listed - DAY).verdict == (
        "clear"
    )
    answer = verdict_for(school, scenario="government_procurement", as_of=listed)
    assert answer.verdict == "restricted"
    (row,) = answer.restrictions
    assert row.basis_list_entry == entry and row.ends_on is None
    assert "第三十四条" in row.legal_basis
    assert verdict_for(school, scenario="private_school_approval", as_of=listed).verdict == (
        "restricted"
    )

    exited = datetime.date(2026, 8, 1)
    lists.list_entry_exit(actor=county_clerk, entry=entry, exited_on=exited, exit_notice="已整改")
    ended = Restriction.objects.get(pk=row.pk)
    assert (ended.ends_on, ended.ended_by) == (exited, RestrictionEnd.LIST_EXIT)
    assert verdict_for(school, scenario="government_procurement", as_of=exited).verdict == "clear"
    assert verdict_for(school, scenario="government_procurement", as_of=exited - DAY).verdict == (
        "restricted"
    )


def test_red_list_gives_a_reward_verdict(
    shipped: Any, county_clerk: Any, reviewer: Any, school: Any
) -> None:
    listed = datetime.date(2026, 4, 1)
    _list(county_clerk, reviewer, school, CreditListKind.RED, Severity.TRUSTWORTHY, listed)
    answer = verdict_for(school, scenario="routine_supervision", as_of=listed)
    assert answer.verdict == "reward"
    assert {r.measure.code for r in answer.restrictions} == {"JY-JL-002"}


def test_verdict_for_is_one_query(
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    teacher: Any,
    django_assert_num_queries: Any,
) -> None:
    revocation(county_clerk, reviewer, teacher)
    exam_record(county_clerk, teacher, "作弊", datetime.date(2029, 3, 2))
    with django_assert_num_queries(1):
        answer = verdict_for(teacher, scenario="teacher_qualification", as_of=DECISION)
        assert len(answer.restrictions) == 2
        bases = [r.basis_record for r in answer.restrictions if r.basis_record is not None]
        assert {basis.catalog_item.code for basis in bases} == {
            "JY-ZG-01",
            "JY-KS-01",
        }


def test_recompute_all_gives_the_incremental_rows_and_is_audited(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any, school: Any
) -> None:
    revoked = revocation(county_clerk, reviewer, teacher)
    record_services.credit_record_revoke(actor=reviewer, record=revoked, reason="撤销")
    revocation(county_clerk, reviewer, teacher, decision=datetime.date(2026, 5, 6))
    exam_record(county_clerk, teacher, "作弊", datetime.date(2028, 3, 2))
    entry = _list(
        county_clerk,
        reviewer,
        school,
        CreditListKind.SERIOUS,
        Severity.SERIOUS,
        datetime.date(2026, 4, 1),
    )
    lists.list_entry_exit(
        actor=county_clerk, entry=entry, exited_on=datetime.date(2026, 9, 1), exit_notice="整改"
    )
    incremental = all_rows()
    assert incremental

    again = services.restrictions_recompute_all(actor="system:test")
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert again.rows == len(incremental)
    assert restriction_problems() == []  # every row written so far is covered by the log

    # From nothing (rows removed behind the services' back), in small batches.
    removed = {str(pk) for pk in Restriction.objects.values_list("pk", flat=True)}
    Restriction.objects.all().delete()
    fresh = services.restrictions_recompute_all(actor="system:test", batch_size=2)
    assert fresh.created == len(incremental)
    assert all_rows() == incremental
    # The audit log names the rows deleted behind its back, and only them.
    assert {(pk, kind) for pk, kind in restriction_problems()} == {
        (pk, "deleted") for pk in removed
    }


def test_recompute_command_prints_counts(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any
) -> None:
    revocation(county_clerk, reviewer, teacher)
    out = StringIO()
    call_command("sanctions", "restrictions", "recompute", stdout=out)
    # One row in teacher_qualification (JY-CJ-001), one in staff_hiring (JY-CJ-027).
    assert "rows 2: created 0, updated 0, deleted 0" in out.getvalue()


def test_publishing_a_version_recomputes_restrictions_after_commit(
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    teacher: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    revocation(county_clerk, reviewer, teacher, decision=datetime.date(2026, 9, 1))
    draft = services.measure_list_version_draft(actor="system:test", from_version=shipped)
    measure = draft.measures.get(code="JY-CJ-001")
    services.measure_update(
        actor="system:test", measure=measure, legal_basis="《教师资格条例》第十九条（修订）"
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.measure_list_version_publish(
            actor="system:test", version=draft, effective_from=datetime.date(2026, 6, 1)
        )
    assert callbacks
    (row,) = restrictions_for(
        teacher, scenario="teacher_qualification", as_of=datetime.date(2026, 9, 1)
    )
    assert (row.measure_version, row.legal_basis) == (2, "《教师资格条例》第十九条（修订）")
    # A decision before the new version keeps the version in force when it was taken.
    revocation(county_clerk, reviewer, teacher, decision=datetime.date(2026, 5, 1))
    versions = {r.measure_version for r in Restriction.objects.all()}
    assert versions == {1, 2}
