"""The case pages through the test client: the list scoped by jurisdiction (its query count,
its export), opening a case, every step through its form on the case page, refusals shown as
the service words them with nothing written, the notice's text, the clock, the restriction
list, the to-do line, and the pages in English."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from educredit.core.clock import today
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseNoticeKind, CaseSource, CaseStatus
from educredit.integrity.cases.models import Case, CaseSanction
from educredit.integrity.cases.regimes import BY_CODE, RESEARCH_TYPES
from educredit.integrity.cases.tests.steps import (
    BASIS,
    FACTS,
    REASONS,
    TYPE,
    accepted,
    ago,
    detail_url,
    heard,
    notified,
    open_case,
    post_step,
    signed_in,
)
from educredit.integrity.cases.views import remedy_text
from educredit.records.models import CreditRecord
from educredit.records.services import credit_record_approve
from educredit.sanctions.tests.test_restrictions import revocation
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_person, resident_id
from educredit.testing import factories
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db
LIST = "integrity_cases:list"
KINDERGARTEN = BY_CODE["ethics_kindergarten"]


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def _numbers_in_export(client: Any, query: str = "") -> list[str]:
    response = client.get(reverse(LIST) + f"?{query}&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号"
    return [str(row[0]) for row in rows[1:]]


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_the_countys_cases_by_name_and_an_outsider_sees_nothing(
    county_clerk: Any, outsider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = accepted(county_clerk, teacher, kindergarten)
    html = _page(signed_in(county_clerk), reverse(LIST))
    assert case.number in html and teacher.name in html
    assert resident_id(511) not in html and teacher.id_number_masked not in html
    assert "中原区教育局" in html and str(KINDERGARTEN.name) in html

    stranger = signed_in(outsider)
    assert case.number not in _page(stranger, reverse(LIST))
    assert stranger.get(detail_url(case)).status_code == 404
    notice = case.notices.get()
    assert (
        stranger.get(reverse("integrity_cases:notice", args=[notice.public_id])).status_code == 404
    )
    assert (
        stranger.get(reverse("integrity_cases:clock", args=[teacher.public_id])).status_code == 404
    )
    assert post_step(stranger, case, "notify").status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING


def test_the_list_filters_by_regime_status_overdue_and_name(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    late = open_case(county_clerk, teacher, kindergarten, days_ago=40)  # 受理 was due long ago
    other = make_person(institution=kindergarten, name="钱老师", number=resident_id(513))
    fresh = open_case(county_clerk, other, kindergarten, days_ago=0)
    client = signed_in(county_clerk)
    html = _page(client, reverse(LIST))
    assert html.count("data-ec-overdue") == 1  # the late one is red, the fresh one is not
    assert _numbers_in_export(client, "overdue=on") == [late.number]
    assert _numbers_in_export(client, "q=钱") == [fresh.number]
    assert set(_numbers_in_export(client, "regime=ethics_kindergarten")) == {
        late.number,
        fresh.number,
    }
    assert _numbers_in_export(client, "regime=exam_violation") == []
    assert _numbers_in_export(client, "status=investigating") == []
    assert _numbers_in_export(client, "status=nonsense") == []  # an unknown filter: nothing


def test_the_export_lists_the_filter_and_logs_every_person_in_it(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = open_case(county_clerk, teacher, kindergarten)
    before = SubjectQueryLog.objects.filter(person=teacher).count()
    client = signed_in(county_clerk)
    response = client.get(reverse(LIST) + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    assert row[0] == case.number and row[1] == teacher.name
    assert resident_id(511) not in [str(cell) for cell in row]
    assert SubjectQueryLog.objects.filter(person=teacher).count() > before


def test_the_lists_query_count_does_not_grow_with_the_cases(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    client = signed_in(county_clerk)
    open_case(county_clerk, teacher, kindergarten)
    client.get(reverse(LIST))  # the session and the role grants, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(LIST)).status_code == 200
        return len(context)

    one = queries()
    for serial in range(3):
        person = make_person(
            institution=kindergarten, name=f"教师{serial}", number=resident_id(520 + serial)
        )
        accepted(county_clerk, person, kindergarten)
    assert queries() == one


# --- opening a case --------------------------------------------------------------------------


def test_a_clerk_finds_the_teacher_and_opens_a_case(
    county_clerk: Any, outsider: Any, teacher: Any, kindergarten: Any
) -> None:
    client = signed_in(county_clerk)
    new = reverse("integrity_cases:new")
    by_name = _page(client, f"{new}?q=赵")
    assert teacher.name in by_name and f"?person={teacher.public_id}" in by_name
    by_number = _page(client, f"{new}?document_type=resident_id&document_number={resident_id(511)}")
    assert f"?person={teacher.public_id}" in by_number
    form = _page(client, f"{new}?person={teacher.public_id}")
    assert kindergarten.name in form
    # The county bureau may open ethics, research and exam cases, not a university's.
    assert 'value="ethics_kindergarten"' in form and 'value="academic_misconduct"' not in form
    assert signed_in(outsider).get(f"{new}?person={teacher.public_id}").status_code == 404

    response = client.post(
        new,
        {
            "person": teacher.public_id,
            "regime": "ethics_kindergarten",
            "institution": kindergarten.public_id,
            "source": CaseSource.REPORT,
            "reporter": "幼儿家长（实名）",
            "reported_on": ago(1).isoformat(),
            "allegation": "在午睡时间推搡幼儿",
            "misconduct_type": TYPE,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert (case.person, case.institution, case.regime) == (
        teacher,
        kindergarten,
        "ethics_kindergarten",
    )
    assert case.status == CaseStatus.REPORTED and case.due_on is not None


def test_opening_a_case_with_a_type_the_rule_does_not_list_is_refused_on_the_page(
    county_clerk: Any, teacher: Any
) -> None:
    response = signed_in(county_clerk).post(
        reverse("integrity_cases:new"),
        {
            "person": teacher.public_id,
            "regime": "ethics_kindergarten",
            "source": CaseSource.REPORT,
            "reported_on": ago(1).isoformat(),
            "allegation": "考试作弊",
            "misconduct_type": "作弊",  # an exam violation, not a kindergarten ethics type
        },
    )
    assert response.status_code == 400
    assert "行为类型不在该规定列举的类型之中" in response.content.decode()
    assert not Case.objects.exists()


# --- the steps -------------------------------------------------------------------------------


def test_a_case_runs_every_step_through_its_form(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    record_reviewer: Any,
    teacher: Any,
    kindergarten: Any,
) -> None:
    case = open_case(county_clerk, teacher, kindergarten)
    clerk, boss = signed_in(county_clerk), signed_in(decider)
    html = _page(clerk, detail_url(case))
    assert 'data-ec-step-form="accept"' in html
    assert 'data-ec-step-form="reject"' not in html  # 不予受理 is the deciders'

    assert post_step(clerk, case, "accept", note="实名举报，线索具体").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    assert (
        post_step(
            clerk,
            case,
            "notify",
            misconduct_type=TYPE,
            facts=FACTS,
            reasons=REASONS,
            basis=BASIS,
            kind_1="warning",
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NOTIFIED and case.intended == [
        {"kind": "warning", "months": None}
    ]
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    assert (
        post_step(
            clerk, case, "deliver", notice=intended.public_id, delivery="in_person", on=today()
        ).status_code
        == 302
    )
    intended.refresh_from_db()
    case.refresh_from_db()
    assert intended.delivered_on == today() and case.person_due_on is not None

    assert post_step(clerk, case, "defend", text="本人承认推了一下孩子。").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD

    page = _page(boss, detail_url(case))
    assert remedy_text(KINDERGARTEN) in page  # prefilled: the appeal body and its 30 days
    assert "30日" in remedy_text(KINDERGARTEN)
    assert (
        post_step(
            boss,
            case,
            "decide",
            facts=FACTS,
            reasons=REASONS,
            basis=BASIS,
            kind_1="warning",
            remedy=remedy_text(KINDERGARTEN),
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.record is not None and case.record.payload["handling"] == "警告"
    [sanction] = case.sanctions.all()
    assert sanction.kind == "warning" and sanction.ends_on is not None
    page = _page(boss, detail_url(case))
    assert sanction.ends_on.isoformat() in page and "data-ec-record-link" in page
    credit_record_approve(actor=record_reviewer, record=case.record)

    assert post_step(clerk, case, "appeal", text="处理过重").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED
    second = signed_in(record_reviewer)  # the review is not the original decider's
    assert post_step(second, case, "appeal_accept").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEAL_REVIEW
    assert (
        post_step(
            second, case, "appeal_decide", outcome="upheld", reason="事实清楚，处理适当"
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.appeal_outcome == "upheld"
    kinds = list(case.notices.values_list("kind", flat=True))
    assert kinds == [
        CaseNoticeKind.ACCEPTANCE,
        CaseNoticeKind.INTENDED,
        CaseNoticeKind.DECISION,
        CaseNoticeKind.APPEAL_ACCEPTED,
        CaseNoticeKind.APPEAL_DECISION,
    ]
    trail = _page(clerk, detail_url(case))
    for label in ("受理并立案调查", "告知拟处理决定", "陈述和申辩", "作出处理决定", "作出复核决定"):
        assert label in trail


def test_reject_and_clear_through_their_forms(
    county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    boss = signed_in(decider)
    reported = open_case(county_clerk, teacher, kindergarten)
    assert post_step(boss, reported, "reject", reason="匿名且无具体线索").status_code == 302
    reported.refresh_from_db()
    assert reported.status == CaseStatus.NOT_ACCEPTED
    assert reported.closing_reason == "匿名且无具体线索"

    investigating = accepted(county_clerk, teacher, kindergarten)
    assert post_step(boss, investigating, "clear", reason="监控显示并无推搡").status_code == 302
    investigating.refresh_from_db()
    assert investigating.status == CaseStatus.NO_MISCONDUCT
    assert investigating.notices.filter(kind=CaseNoticeKind.NO_MISCONDUCT).exists()


def test_a_research_case_asks_for_and_holds_a_hearing_through_its_forms(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = services.case_open(
        actor=county_clerk,
        regime_code="research_misconduct",
        person=teacher,
        source=CaseSource.REPORT,
        reported_on=ago(5),
        allegation="项目申报材料编造数据",
    )
    case = services.case_accept(actor=county_clerk, case=case)
    clerk = signed_in(county_clerk)
    assert (
        post_step(
            clerk,
            case,
            "notify",
            misconduct_type=RESEARCH_TYPES[1],
            facts="申报书中的实验数据系编造。",
            reasons="编造研究数据。",
            basis="《科研失信行为调查处理规则》",
            kind_1="research_admonition",
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert 'data-ec-step-form="request_hearing"' in _page(clerk, detail_url(case))
    assert post_step(clerk, case, "request_hearing").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING
    assert post_step(clerk, case, "hold_hearing", text="当事人到场陈述").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD


def test_a_12_month_disqualification_is_refused_on_the_page_and_nothing_is_written(
    shipped: Any, county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = heard(county_clerk, teacher, kindergarten)
    response = post_step(
        signed_in(decider),
        case,
        "decide",
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        kind_1="disqualification",
        months_1=12,
        remedy=remedy_text(KINDERGARTEN),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-ec-refusal" in html
    assert "12个月不符合规定" in html and "不得少于24个月" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD and case.record is None
    assert not CaseSanction.objects.exists() and not CreditRecord.objects.exists()


def test_refusals_of_role_and_order_are_shown_as_worded(
    county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    decide = {
        "facts": FACTS,
        "reasons": REASONS,
        "basis": BASIS,
        "kind_1": "warning",
        "remedy": remedy_text(KINDERGARTEN),
    }
    # The decider cannot decide inside the person's window, nor accept a case twice.
    response = post_step(signed_in(decider), case, "decide", **decide)
    assert response.status_code == 400
    assert "当事人陈述和申辩的期限尚未届满" in response.content.decode()
    response = post_step(signed_in(decider), case, "accept")
    assert response.status_code == 400 and "不能“受理并立案调查”" in response.content.decode()
    # Once heard, a clerk still cannot sign the decision (the page offers no form for it).
    case = services.case_defend(actor=county_clerk, case=case, waived=True)
    response = post_step(signed_in(county_clerk), case, "decide", **decide)
    assert response.status_code == 400 and "你的角色不能办理这一步" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD and not case.sanctions.exists()


def test_a_viewer_reads_the_case_but_is_offered_no_step(
    county_clerk: Any, county_viewer: Any, teacher: Any, kindergarten: Any
) -> None:
    case = accepted(county_clerk, teacher, kindergarten)
    html = _page(signed_in(county_viewer), detail_url(case))
    assert case.number in html and "data-ec-step-form" not in html
    assert post_step(signed_in(county_viewer), case, "notify").status_code == 403


# --- the notice, the clock, the restriction list, the to-do ----------------------------------


def test_the_notice_shows_its_text_and_digest_and_the_read_is_logged(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    notice = case.notices.get(kind=CaseNoticeKind.INTENDED)
    before = SubjectQueryLog.objects.filter(person=teacher).count()
    html = _page(
        signed_in(county_clerk), reverse("integrity_cases:notice", args=[notice.public_id])
    )
    assert notice.sha256 in html and "与制发时一致" in html
    assert "推搡幼儿" in html and "ec-print-notice" in html
    assert SubjectQueryLog.objects.filter(person=teacher).count() == before + 1


def test_the_clock_shows_each_term_with_its_days_and_basis(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    record_reviewer: Any,
    teacher: Any,
    kindergarten: Any,
) -> None:
    case = services.case_decide(
        actor=decider,
        case=heard(county_clerk, teacher, kindergarten),
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        sanctions=[{"kind": "demotion_or_removal"}],
        remedy=remedy_text(KINDERGARTEN),
    )
    assert case.record is not None
    credit_record_approve(actor=record_reviewer, record=case.record)
    [sanction] = case.sanctions.all()
    assert sanction.ends_on is not None
    html = _page(
        signed_in(county_clerk), reverse("integrity_cases:clock", args=[teacher.public_id])
    )
    assert sanction.starts_on.isoformat() in html and sanction.ends_on.isoformat() in html
    assert "期满解除后不恢复原岗位等级" in html and 'data-ec-in-force="1"' in html
    assert case.number in html
    assert "data-ec-clock-link" in _page(signed_in(county_clerk), detail_url(case))


def test_the_qualification_restriction_list_is_for_bureaus(
    shipped: Any,
    county_clerk: Any,
    county_admin: Any,
    teacher: Any,
    kindergarten_org: Any,
    record_reviewer: Any,
) -> None:
    record = revocation(county_clerk, record_reviewer, teacher, decision=ago(30))
    url = reverse("integrity_cases:qualification_restrictions")
    html = _page(signed_in(county_admin), url)
    assert teacher.name in html and record.decision_number in html
    response = signed_in(county_admin).get(url + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert teacher.name in [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    kindergarten_clerk = factories.make_user(
        organisation=kindergarten_org, username="yey.clerk", roles=["clerk"]
    )
    assert signed_in(kindergarten_clerk).get(url).status_code == 403


def test_overdue_cases_wait_on_the_workspace_home(
    county_clerk: Any, city_reviewer: Any, outsider: Any, teacher: Any, kindergarten: Any
) -> None:
    open_case(county_clerk, teacher, kindergarten, days_ago=40)
    line = "件诚信案件已超过办理期限"
    home = reverse("web:home")
    for user in (county_clerk, city_reviewer):  # the county's own and the city above it
        html = _page(signed_in(user), home)
        assert line in html and f"{reverse(LIST)}?overdue=on" in html
    assert line not in _page(signed_in(outsider), home)


# --- English ---------------------------------------------------------------------------------


def test_the_case_pages_show_no_chinese_in_english_but_the_data(
    county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    deciding = heard(county_clerk, teacher, kindergarten)  # the decision's form on its page
    data = {teacher.name, kindergarten.name, "中原区教育局", county_clerk.full_name}
    data |= {decider.full_name, FACTS, REASONS, BASIS, "我已向家长道歉。"}  # the case's data
    for user in (county_clerk, decider):
        client = signed_in(user, "en")
        for url in (
            reverse(LIST),
            detail_url(case),
            detail_url(deciding),
            reverse("integrity_cases:notice", args=[case.notices.first().public_id]),  # type: ignore[union-attr]
            reverse("integrity_cases:clock", args=[teacher.public_id]),
            reverse("integrity_cases:new") + f"?person={teacher.public_id}",
        ):
            text = visible_text(_page(client, url))
            assert han_leaks(text, data) == [], (url, han_leaks(text, data))


def test_the_person_page_links_to_a_new_case_and_the_clock(
    county_clerk: Any, county_viewer: Any, teacher: Any
) -> None:
    person_page = reverse("subjects:person_detail", args=[teacher.public_id])
    html = _page(signed_in(county_clerk), person_page)
    assert f"{reverse('integrity_cases:new')}?person={teacher.public_id}" in html
    assert reverse("integrity_cases:clock", args=[teacher.public_id]) in html
    # A read-only user sees the clock but is not offered to open a case.
    html = _page(signed_in(county_viewer), person_page)
    assert "data-ec-case-open-link" not in html and "data-ec-clock-link" in html


def test_a_step_the_page_no_longer_offers_shows_why_it_was_refused(
    county_clerk: Any, teacher: Any, kindergarten: Any
) -> None:
    case = accepted(county_clerk, teacher, kindergarten)
    notice = case.notices.get()
    services.case_notice_deliver(actor=county_clerk, notice=notice, delivery="post")
    # Posted again from a stale page: the notice is no longer one to deliver.
    response = post_step(
        signed_in(county_clerk),
        case,
        "deliver",
        notice=notice.public_id,
        delivery="in_person",
        on=today(),
    )
    assert response.status_code == 400 and "data-ec-refusal" in response.content.decode()
    notice.refresh_from_db()
    assert notice.delivery == "post"


def test_a_decision_taken_on_the_english_page_is_written_in_chinese(
    shipped: Any, county_clerk: Any, decider: Any, teacher: Any, kindergarten: Any
) -> None:
    case = heard(county_clerk, teacher, kindergarten)
    response = post_step(
        signed_in(decider, "en"),
        case,
        "decide",
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        kind_1="warning",
        remedy=remedy_text(KINDERGARTEN),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    decision = case.notices.get(kind=CaseNoticeKind.DECISION)
    assert "1. 警告，自" in decision.body and "Warning" not in decision.body
    assert case.sanctions.get().label == "警告"
    assert case.record is not None and case.record.title == "幼儿园教师师德失范处理决定"
