"""The teacher's own cases in self-service: reading a notice delivers it, the defence, the
appeal inside the window and its refusal after it, and nobody else's case or notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from educredit.core import clock as core_clock
from educredit.integrity.cases import services
from educredit.integrity.cases.choices import CaseNoticeKind, CaseStatus, NoticeDelivery
from educredit.integrity.cases.regimes import BY_CODE
from educredit.integrity.cases.tests.steps import BASIS, FACTS, REASONS, notified, signed_in
from educredit.integrity.cases.views import remedy_text
from educredit.rights.tests.factories import make_subject_user
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_person, resident_id
from educredit.testing.one_language import han_leaks, visible_text

pytestmark = pytest.mark.django_db
KINDERGARTEN = BY_CODE["ethics_kindergarten"]


def _notice_url(notice: Any) -> str:
    return reverse("self_service:case_notice", args=[notice.public_id])


def _case_url(case: Any) -> str:
    return reverse("self_service:case_detail", args=[case.public_id])


def test_the_teacher_reads_the_notice_defends_and_appeals_within_the_window(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    me = signed_in(teacher_user)
    listing = me.get(reverse("self_service:case_list")).content.decode()
    assert case.number in listing and "拟处理决定告知书" in listing

    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    logged = SubjectQueryLog.objects.filter(person=teacher).count()
    page = me.get(_notice_url(intended)).content.decode()
    assert "推搡幼儿" in page and intended.sha256 in page
    assert SubjectQueryLog.objects.filter(person=teacher).count() > logged  # a self read
    intended.refresh_from_db()
    case.refresh_from_db()
    assert intended.delivered_on == core_clock.today()
    assert intended.delivery == NoticeDelivery.SELF_SERVICE and intended.read_at is not None
    assert case.person_due_on == services.after(
        core_clock.today(), KINDERGARTEN.deadline("defence")
    )

    assert "data-ec-self-defence" in me.get(_case_url(case)).content.decode()
    assert "data-ec-self-hearing" not in me.get(_case_url(case)).content.decode()  # no hearing
    response = me.post(
        _case_url(case), {"action": "defend", "defend-text": "我承认推了一下孩子，已向家长道歉。"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD
    assert case.statements.get().by_subject

    case = services.case_decide(
        actor=decider,
        case=case,
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        sanctions=[{"kind": "warning"}],
        remedy=remedy_text(KINDERGARTEN),
    )
    decision = case.notices.get(kind=CaseNoticeKind.DECISION)
    assert "30日" in me.get(_notice_url(decision)).content.decode()
    case.refresh_from_db()
    assert case.person_due_on == core_clock.today() + dt.timedelta(days=30)
    assert "data-ec-self-appeal" in me.get(_case_url(case)).content.decode()
    response = me.post(_case_url(case), {"action": "appeal", "appeal-text": "处理过重，请求复核。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED and case.appeal_text == "处理过重，请求复核。"


def test_an_appeal_after_the_window_is_refused_as_worded(
    shipped: Any,
    county_clerk: Any,
    decider: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    case = services.case_defend(actor=county_clerk, case=case, waived=True)
    case = services.case_decide(
        actor=decider,
        case=case,
        facts=FACTS,
        reasons=REASONS,
        basis=BASIS,
        sanctions=[{"kind": "warning"}],
        remedy=remedy_text(KINDERGARTEN),
    )
    decision = case.notices.get(kind=CaseNoticeKind.DECISION)
    services.case_notice_deliver(actor=county_clerk, notice=decision, delivery=NoticeDelivery.POST)
    later = core_clock.now() + dt.timedelta(days=31)
    monkeypatch.setattr(core_clock, "now", lambda: later)
    me = signed_in(teacher_user)
    assert "data-ec-self-appeal" not in me.get(_case_url(case)).content.decode()
    response = me.post(_case_url(case), {"action": "appeal", "appeal-text": "请求复核"})
    assert response.status_code == 400
    assert "申请复核或申诉的期限已于" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_someone_elses_case_and_notice_are_404(
    county_clerk: Any, county_admin: Any, teacher: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    colleague = make_person(institution=kindergarten, name="钱老师", number=resident_id(513))
    other = signed_in(make_subject_user(actor=county_admin, person=colleague))
    notice = case.notices.first()
    assert other.get(_notice_url(notice)).status_code == 404
    assert other.get(_case_url(case)).status_code == 404
    assert (
        other.post(_case_url(case), {"action": "defend", "defend-waived": "on"}).status_code == 404
    )
    assert case.number not in other.get(reverse("self_service:case_list")).content.decode()
    assert notice is not None
    notice.refresh_from_db()
    assert notice.read_at is None and notice.delivered_on is None


def test_the_self_service_case_pages_in_english(
    county_clerk: Any, teacher: Any, teacher_user: Any, kindergarten: Any
) -> None:
    case = notified(county_clerk, teacher, kindergarten)
    me = signed_in(teacher_user, "en")
    data = {teacher.name, kindergarten.name, "中原区教育局"}
    for url in (
        reverse("self_service:case_list"),
        _case_url(case),
        _notice_url(case.notices.get(kind=CaseNoticeKind.INTENDED)),
    ):
        text = visible_text(me.get(url).content.decode())
        assert han_leaks(text, data) == [], (url, han_leaks(text, data))


def test_where_the_rule_gives_a_hearing_the_person_asks_for_one(
    county_clerk: Any, teacher: Any, teacher_user: Any
) -> None:
    from educredit.integrity.cases.choices import CaseSource
    from educredit.integrity.cases.regimes import RESEARCH_TYPES

    case = services.case_open(
        actor=county_clerk,
        regime_code="research_misconduct",
        person=teacher,
        source=CaseSource.REPORT,
        reported_on=core_clock.today(),
        allegation="项目申报材料编造数据",
    )
    case = services.case_accept(actor=county_clerk, case=case)
    case = services.case_notify(
        actor=county_clerk,
        case=case,
        facts="申报书中的实验数据系编造。",
        reasons="编造研究数据。",
        basis="《科研失信行为调查处理规则》",
        intended=[{"kind": "research_admonition"}],
        misconduct_type=RESEARCH_TYPES[1],
    )
    me = signed_in(teacher_user)
    me.get(_notice_url(case.notices.get(kind=CaseNoticeKind.INTENDED)))
    assert "data-ec-self-hearing" in me.get(_case_url(case)).content.decode()
    assert me.post(_case_url(case), {"action": "request_hearing"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING
    assert case.notices.filter(kind=CaseNoticeKind.HEARING).exists()
