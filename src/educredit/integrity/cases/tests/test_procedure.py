"""A case from report to decision under each regime's own clock, and the refusals of bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from educredit.core import clock as core_clock
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseNoticeKind, CaseSource, CaseStatus, NoticeDelivery
from educredit.integrity.cases.models import Case, CaseSanction
from educredit.integrity.cases.regimes import BY_CODE
from educredit.integrity.cases.selectors import is_overdue, overdue_cases, person_clock
from educredit.records.models import CreditRecord
from educredit.records.services import credit_record_approve
from educredit.records.windows import add_months
from educredit.sanctions.selectors import verdict_for

pytestmark = pytest.mark.django_db
TYPE = BY_CODE["ethics_kindergarten"].misconduct_types[3]
REMEDY = "如不服本决定，可自收到本决定书之日起30日内向中原区教育局提出申诉。"


def today() -> dt.date:
    return core_clock.today()


def ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def open_case(clerk: Any, teacher: Any, kindergarten: Any, *, days_ago: int = 50) -> Case:
    return services.case_open(
        actor=clerk,
        regime_code="ethics_kindergarten",
        person=teacher,
        institution=kindergarten,
        source=CaseSource.REPORT,
        reporter="幼儿家长（实名）",
        reported_on=today() - dt.timedelta(days=days_ago),
        allegation="在午睡时间推搡幼儿",
    )


def notified(clerk: Any, teacher: Any, kindergarten: Any, *, days_ago: int = 0) -> Case:
    """Accepted and notified ``days_ago`` (the report came a few days before)."""
    case = open_case(clerk, teacher, kindergarten, days_ago=days_ago + 5)
    case = services.case_accept(actor=clerk, case=case, on=ago(days_ago + 2))
    return services.case_notify(
        on=ago(days_ago),
        actor=clerk,
        case=case,
        facts="经调取监控，赵老师于午睡时间推搡幼儿一次。",
        reasons="属于不尊重幼儿人格、推搡幼儿的行为。",
        basis="《幼儿园教师违反职业道德行为处理办法》第四条",
        intended=[{"kind": "warning"}],
        misconduct_type=TYPE,
    )


def test_a_kindergarten_case_runs_from_report_to_decision_and_restricts_on_its_days(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    record_reviewer: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    assert [n.kind for n in case.notices.all()] == [
        CaseNoticeKind.ACCEPTANCE,
        CaseNoticeKind.INTENDED,
    ]
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    assert "推搡幼儿" in intended.body and "5个工作日" in intended.body
    # The teacher reads it in self-service: delivered today, her window opens.
    services.case_notice_read(actor=teacher_user, notice=intended)
    case.refresh_from_db()
    assert case.person_due_on == services.after(
        today(), BY_CODE["ethics_kindergarten"].deadline("defence")
    )
    services.case_defend(actor=teacher_user, case=case, text="我承认推了一下孩子，已向家长道歉。")
    case = services.case_decide(
        actor=decider,
        case=case,
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
    )
    assert case.status == CaseStatus.DECIDED
    decision = case.notices.get(kind=CaseNoticeKind.DECISION)
    end = add_months(today(), 6)
    assert f"{end.year}年{end.month}月{end.day}日起期满自动解除" in decision.body
    assert REMEDY in decision.body
    # The kindergarten rule is cited, not its school twin.
    assert "《幼儿园教师违反职业道德行为处理办法》（教师〔2018〕19号）第三条" in decision.body
    assert "中小学" not in decision.body
    record = case.record
    assert record is not None
    assert record.catalog_item.code == "JY-SD-02"
    assert record.payload["handling"] == "警告"
    assert record.payload["sanction_until"] == end.isoformat()
    # Nothing restricts before a second person approves the record (two-person rule).
    assert verdict_for(teacher, scenario="title_evaluation", as_of=today()).verdict == "clear"
    credit_record_approve(actor=record_reviewer, record=record)
    for day, verdict in (
        (today(), "restricted"),
        (end - dt.timedelta(days=1), "restricted"),
        (end, "clear"),
    ):
        assert verdict_for(teacher, scenario="title_evaluation", as_of=day).verdict == verdict
    [entry] = [e for e in person_clock(teacher) if e.source == case.number]
    assert entry.in_force and entry.ends_on == end


def test_steps_out_of_order_are_refused_and_change_nothing(
    shipped: Any, county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = open_case(county_clerk, teacher, kindergarten)
    with pytest.raises(ValidationError, match="不能“作出处理决定”"):
        services.case_decide(
            actor=decider,
            case=case,
            facts="f",
            reasons="r",
            basis="b",
            sanctions=[{"kind": "warning"}],
            remedy=REMEDY,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert not case.steps.exists() and not case.sanctions.exists()


def test_a_clerk_cannot_sign_a_decision(
    shipped: Any, county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = open_case(county_clerk, teacher, kindergarten)
    with pytest.raises(PermissionDenied):
        services.case_reject(actor=county_clerk, case=case, reason="重复举报")


def test_an_outsider_cannot_act_on_the_case(
    shipped: Any, county_clerk: Any, outsider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = open_case(county_clerk, teacher, kindergarten)
    with pytest.raises(PermissionDenied):
        services.case_accept(actor=outsider, case=case)


def test_a_decision_before_the_defence_window_has_passed_is_refused(
    shipped: Any, county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    with pytest.raises(ValidationError, match="尚未届满"):
        services.case_decide(
            actor=decider,
            case=case,
            facts=case.facts,
            reasons=case.reasons,
            basis=case.basis,
            sanctions=[{"kind": "warning"}],
            remedy=REMEDY,
        )
    assert not CaseSanction.objects.exists() and not CreditRecord.objects.exists()


def test_a_defence_after_its_window_is_refused_and_the_body_may_then_decide(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten, days_ago=15)
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    # Delivered in person long enough ago that five working days have passed.
    services.case_notice_deliver(
        actor=county_clerk, notice=intended, delivery=NoticeDelivery.IN_PERSON, on=ago(14)
    )
    case.refresh_from_db()
    assert case.person_due_on is not None and case.person_due_on < today()
    last_day = case.person_due_on
    # On the last day of the window it would have been taken; the day after it is refused.
    with pytest.raises(ValidationError, match="期限已于"):
        services.case_defend(actor=teacher_user, case=case, text="补充说明")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTIFIED
    # The window passed with nothing said: the body decides (视为放弃).
    case = services.case_decide(
        actor=decider,
        case=case,
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
    )
    assert case.status == CaseStatus.DECIDED and last_day < today()


def test_a_defence_on_the_last_day_of_the_window_is_taken(
    shipped: Any, county_clerk: Any, teacher: Any, teacher_user: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten, days_ago=15)
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    services.case_notice_deliver(
        actor=county_clerk, notice=intended, delivery=NoticeDelivery.IN_PERSON, on=ago(14)
    )
    case.refresh_from_db()
    last_day = case.person_due_on
    assert last_day == services.after(ago(14), BY_CODE["ethics_kindergarten"].deadline("defence"))
    services.case_defend(actor=teacher_user, case=case, text="陈述", on=last_day)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD


def test_a_decision_without_its_remedy_or_with_a_term_the_rule_forbids_is_refused(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    services.case_notice_read(
        actor=teacher_user, notice=case.notices.get(kind=CaseNoticeKind.INTENDED)
    )
    case.refresh_from_db()
    services.case_defend(actor=teacher_user, case=case, waived=True)
    case.refresh_from_db()
    base: dict[str, Any] = {"facts": case.facts, "reasons": case.reasons, "basis": case.basis}
    with pytest.raises(ValidationError, match="救济途径和期限"):
        services.case_decide(
            actor=decider, case=case, sanctions=[{"kind": "warning"}], remedy="", **base
        )
    with pytest.raises(ValidationError, match="30日"):
        services.case_decide(
            actor=decider, case=case, sanctions=[{"kind": "warning"}], remedy="可以申诉。", **base
        )
    with pytest.raises(ValidationError, match="不符合规定"):
        services.case_decide(
            actor=decider,
            case=case,
            sanctions=[{"kind": "disqualification", "months": 12}],
            remedy=REMEDY,
            **base,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD
    assert not CaseSanction.objects.exists() and not CreditRecord.objects.exists()


def test_an_appeal_on_the_day_after_its_window_is_refused_and_on_its_last_day_taken(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    county_admin: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten, days_ago=40)
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    services.case_notice_deliver(
        actor=county_clerk, notice=intended, delivery=NoticeDelivery.IN_PERSON, on=ago(39)
    )
    case = Case.objects.get(pk=case.pk)
    services.case_defend(actor=teacher_user, case=case, waived=True, on=ago(38))
    case = services.case_decide(
        actor=decider,
        case=Case.objects.get(pk=case.pk),
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
        on=ago(35),
    )
    decision = case.notices.get(kind=CaseNoticeKind.DECISION)
    # Delivered 31 days ago: the 30-day window (calendar days) ended yesterday.
    services.case_notice_deliver(
        actor=county_clerk,
        notice=decision,
        delivery=NoticeDelivery.POST,
        on=today() - dt.timedelta(days=31),
    )
    case.refresh_from_db()
    assert case.person_due_on == today() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="期限已于"):
        services.case_appeal(actor=teacher_user, case=case, text="处理过重")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and not case.statements.filter(step="appeal")
    # On the window's last day it was still open.
    taken = services.case_appeal(actor=teacher_user, case=case, text="处理过重", on=ago(1))
    assert taken.status == CaseStatus.APPEALED
    assert taken.due_on == ago(1) + dt.timedelta(days=30)  # 教师法 §39: 30 days to answer


@pytest.mark.parametrize(("delivered_days_ago", "closes"), [(30, False), (31, True)])
def test_a_case_closes_only_once_the_appeal_window_has_passed(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
    delivered_days_ago: int,
    closes: bool,
) -> None:
    case = notified(county_clerk, teacher, kindergarten, days_ago=40)
    services.case_notice_deliver(
        actor=county_clerk,
        notice=case.notices.get(kind=CaseNoticeKind.INTENDED),
        delivery=NoticeDelivery.IN_PERSON,
        on=ago(39),
    )
    services.case_defend(
        actor=teacher_user, case=Case.objects.get(pk=case.pk), waived=True, on=ago(38)
    )
    case = services.case_decide(
        actor=decider,
        case=Case.objects.get(pk=case.pk),
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
        on=ago(35),
    )
    services.case_notice_deliver(
        actor=county_clerk,
        notice=case.notices.get(kind=CaseNoticeKind.DECISION),
        delivery=NoticeDelivery.POST,
        on=ago(delivered_days_ago),
    )
    case = Case.objects.get(pk=case.pk)
    if closes:
        assert services.case_close(actor=county_clerk, case=case).status == CaseStatus.CLOSED
    else:  # today is the window's last day: the person may still appeal
        with pytest.raises(ValidationError, match="尚未届满"):
            services.case_close(actor=county_clerk, case=case)


def test_the_review_is_taken_by_someone_who_did_not_decide(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    county_admin: Any,
    record_reviewer: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    services.case_notice_read(
        actor=teacher_user, notice=case.notices.get(kind=CaseNoticeKind.INTENDED)
    )
    services.case_defend(actor=teacher_user, case=Case.objects.get(pk=case.pk), waived=True)
    case = services.case_decide(
        actor=decider,
        case=Case.objects.get(pk=case.pk),
        facts=case.facts,
        reasons=case.reasons,
        basis=case.basis,
        sanctions=[{"kind": "warning"}],
        remedy=REMEDY,
    )
    credit_record_approve(actor=record_reviewer, record=case.record)  # type: ignore[arg-type]
    services.case_notice_read(
        actor=teacher_user, notice=case.notices.get(kind=CaseNoticeKind.DECISION)
    )
    case = services.case_appeal(
        actor=teacher_user, case=Case.objects.get(pk=case.pk), text="情节轻微"
    )
    with pytest.raises(PermissionDenied):
        services.case_appeal_accept(actor=decider, case=case)
    case = services.case_appeal_accept(actor=county_admin, case=case)
    case = services.case_appeal_decide(
        actor=county_admin,
        case=case,
        outcome="revoked",
        reason="监控显示系制止幼儿攀爬，不构成推搡。",
    )
    assert case.status == CaseStatus.CLOSED
    assert verdict_for(teacher, scenario="title_evaluation", as_of=today()).verdict == "clear"
    assert not any(entry.in_force for entry in person_clock(teacher))


def test_a_case_never_decided_is_overdue(
    shipped: Any, county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = open_case(county_clerk, teacher, kindergarten, days_ago=40)
    assert is_overdue(case)
    assert list(overdue_cases(Case.objects.all())) == [case]
    fresh = open_case(county_clerk, teacher, kindergarten, days_ago=0)
    assert not is_overdue(fresh)


def test_each_regime_keeps_its_own_clock() -> None:
    academic, research = BY_CODE["academic_misconduct"], BY_CODE["research_misconduct"]
    assert (academic.deadline("appeal").days, academic.deadline("appeal").working) == (30, False)  # type: ignore[union-attr]
    assert academic.deadline("appeal_accept").days == 15  # type: ignore[union-attr]
    assert academic.deadline("appeal").confirmed  # type: ignore[union-attr]
    assert not research.deadline("appeal").confirmed  # type: ignore[union-attr]
    assert BY_CODE["degree_revocation"].deadline("appeal_decide").days == 30  # type: ignore[union-attr]
    assert research.has_hearing and not academic.has_hearing


def test_a_case_is_opened_only_by_a_body_the_regime_names(
    shipped: Any, county_clerk: Any, teacher: Any
) -> None:
    with pytest.raises(ValidationError, match="不由"):
        services.case_open(
            actor=county_clerk,
            regime_code="academic_misconduct",
            person=teacher,
            source=CaseSource.REPORT,
            reported_on=today(),
            allegation="论文抄袭",
        )


def test_a_case_is_opened_only_about_a_person_the_body_sees(
    shipped: Any, outsider: Any, teacher: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.case_open(
            actor=outsider,
            regime_code="ethics_kindergarten",
            person=teacher,
            source=CaseSource.REPORT,
            reported_on=today(),
            allegation="推搡幼儿",
        )
    assert not Case.objects.exists()
