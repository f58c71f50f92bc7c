"""The integrity case's "done" story in a real browser, as its users would go through it.

A parent reports that 赵老师, a kindergarten teacher, pushed a child at nap time. The county
bureau's clerk finds her, opens an ethics case (幼儿园教师师德失范), accepts it and notifies the
intended decision (警告). The teacher signs in to self-service, reads the notices there (reading
is their delivery) and states her defence. The county's decider decides 警告 with the remedy the
page prefills (the appeal body and its 30 days); a second reviewer approves the decision's
record (JY-SD-02) on the records page — the two-person rule. The teacher reads the decision in
self-service: every notice of the case was generated and read by her. A title-evaluation
system's check (over HTTP, on the live server, scenario ``title_evaluation``) answers
``restricted`` at once, and the sanction clock lifts it on its day: restricted the day before,
clear on the lift day.

The whole story runs on both viewports (phone first); screenshots land in ``var/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from typing import Any

import pytest

from educredit.integrity.cases.choices import CaseNoticeKind, CaseStatus, NoticeDelivery
from educredit.integrity.cases.models import Case
from educredit.integrity.cases.regimes import BY_CODE
from educredit.integrity.cases.tests.steps import BASIS, FACTS, REASONS, TYPE
from educredit.records.choices import CreditRecordStatus
from educredit.records.windows import add_months
from educredit.sanctions.selectors import verdict_for
from educredit.subjects.tests.factories import resident_id
from educredit.testing.browser import fits_width, open_menu, session_drop, sign_in
from educredit.testing.factories import make_api_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGIME = BY_CODE["ethics_kindergarten"]
DEFENCE = "我承认午睡时推了孩子一下，已当面向家长道歉，今后一定注意方式方法。"


def title_check(base_url: str, number: str, key: str) -> dict[str, Any]:
    """What the title-evaluation system's check answers: a real HTTP call to the live server."""
    body = json.dumps(
        {
            "document_type": "resident_id",
            "document_number": number,
            "scenario": "title_evaluation",
            "reference": "ZC-2026-0417",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the live server on loopback)
        f"{base_url}/api/sanctions/check",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        assert response.status == 200
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def test_a_kindergarten_teachers_ethics_case_from_report_to_screening(
    browser_page: Any,
    screenshot: Any,
    viewport: Any,
    live_server: Any,
    shipped: Any,
    county: Any,
    county_clerk: Any,
    decider: Any,
    record_reviewer: Any,
    teacher: Any,
    teacher_user: Any,
    kindergarten: Any,
) -> None:
    from playwright.sync_api import expect

    _client, key = make_api_client(
        organisation=county, name="职称评审系统", scopes=["sanctions:check"]
    )
    number = resident_id(511)
    assert title_check(live_server.url, number, key)["verdict"] == "clear"
    page = browser_page
    main = page.locator("main")

    # 1. The county clerk finds the teacher and opens the case from the parent's report.
    sign_in(page, county_clerk.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="诚信案件", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("诚信案件")
    main.get_by_role("link", name="登记案件").click()
    page.get_by_label("姓名").fill("赵")
    page.get_by_role("button", name="查找").click()
    main.locator(f"[data-ec-person='{teacher.public_id}']").get_by_role(
        "link", name="为其登记案件"
    ).click()
    expect(main.locator("[data-ec-case-person]")).to_contain_text(teacher.name)
    page.get_by_label("适用规定").select_option(label=str(REGIME.name))
    expect(page.get_by_label("所在单位")).to_have_value(str(kindergarten.public_id))
    page.get_by_label("举报人或线索来源").fill("幼儿家长（实名）")
    page.get_by_label("反映的问题").fill("午睡时间推搡幼儿")
    page.get_by_label("行为类型").select_option(TYPE)
    assert fits_width(page)
    screenshot(page, "case-story-open")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(main).to_contain_text("已登记案件")
    case = Case.objects.get(person=teacher)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)
    expect(main.locator("[data-ec-status]")).to_have_attribute("data-ec-status", "reported")

    # 2. Accepted: the investigation starts and the acceptance notice is issued.
    accept = main.locator("[data-ec-step-form=accept]")
    accept.get_by_role("button", name="受理并立案调查").click()
    expect(main).to_contain_text("立案调查通知书已生成")
    expect(main.locator("[data-ec-status]")).to_have_attribute("data-ec-status", "investigating")

    # 3. The intended decision (警告) with its facts, reasons and basis.
    notify = main.locator("[data-ec-step-form=notify]")
    notify.get_by_label("行为类型").select_option(TYPE)
    notify.get_by_label("认定的事实").fill(FACTS)
    notify.get_by_label("理由").fill(REASONS)
    notify.get_by_label("依据").fill(BASIS)
    notify.get_by_label("处理或处分 1").select_option("warning")
    assert fits_width(page)
    screenshot(page, "case-story-notify")
    notify.get_by_role("button", name="告知拟处理决定").click()
    expect(main).to_contain_text("拟处理决定告知书已生成")
    expect(main.locator("[data-ec-status]")).to_have_attribute("data-ec-status", "notified")
    expect(main.locator("[data-ec-person-due]")).to_contain_text("文书送达后起算")
    session_drop(page)

    # 4. The teacher reads both notices in self-service (read = delivered) and defends herself.
    sign_in(page, teacher_user.username, landing="/self/")
    page.locator(".ec-self-nav").get_by_role("link", name="我的诚信案件").click()
    own = main.locator(f"[data-ec-own-case='{case.public_id}']")
    expect(own).to_contain_text(case.number)
    own.get_by_role("link", name="立案调查通知书").click()
    expect(main.locator("[data-ec-notice-text]")).to_contain_text("本单位已于")
    expect(main.locator("[data-ec-delivered]")).to_have_attribute("data-ec-delivered", "1")
    main.get_by_role("link", name=f"案件 {case.number}").click()
    main.locator("[data-ec-own-notices]").get_by_role("link", name="拟处理决定告知书").click()
    text = main.locator("[data-ec-notice-text]")
    expect(text).to_contain_text("拟作出的处理")
    expect(text).to_contain_text("警告")
    expect(text).to_contain_text("5个工作日")
    intended = case.notices.get(kind=CaseNoticeKind.INTENDED)
    expect(main.locator("[data-ec-sha256]")).to_have_text(intended.sha256)
    assert fits_width(page)
    screenshot(page, "case-story-self-notice")
    main.get_by_role("link", name=f"案件 {case.number}").click()
    expect(main.locator("[data-ec-person-due]")).to_be_visible()  # her window now runs
    defence = main.locator("[data-ec-self-defence]")
    defence.get_by_label("陈述和申辩的内容").fill(DEFENCE)
    assert fits_width(page)
    screenshot(page, "case-story-self-defence")
    defence.get_by_role("button", name="提交").click()
    expect(main).to_contain_text("您的陈述和申辩已提交")
    expect(main.locator("[data-ec-own-statements]")).to_contain_text(DEFENCE)
    session_drop(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD

    # 5. The county's decider decides 警告, with the remedy the page prefills.
    sign_in(page, decider.username)
    page.goto(f"/integrity/cases/{case.public_id}/")
    expect(main.locator("[data-ec-statements]")).to_contain_text(DEFENCE)
    decide = main.locator("[data-ec-step-form=decide]")
    expect(decide.get_by_label("认定的事实")).to_have_value(FACTS)
    expect(decide.get_by_label("处理或处分 1")).to_have_value("warning")
    remedy = decide.get_by_label("救济途径和期限")
    expect(remedy).to_have_value(
        "如不服本决定，可自收到本决定书之日起30日内向上级教育行政部门（教师申诉）提出复核或申诉。"
    )
    assert fits_width(page)
    screenshot(page, "case-story-decide")
    decide.get_by_role("button", name="作出处理决定").click()
    expect(main).to_contain_text("信用记录已提交审核")
    expect(main.locator("[data-ec-status]")).to_have_attribute("data-ec-status", "decided")
    case.refresh_from_db()
    assert case.record is not None
    lift = add_months(case.decided_on or dt.date.min, 6)
    expect(main.locator("[data-ec-sanction=warning] [data-ec-lift]")).to_have_text(lift.isoformat())
    expect(main.locator("[data-ec-record-status]")).to_have_attribute(
        "data-ec-record-status", CreditRecordStatus.SUBMITTED
    )
    assert fits_width(page)
    screenshot(page, "case-story-decided")
    session_drop(page)
    # Decided but not yet reviewed: nothing restricts her before a second person approves.
    assert title_check(live_server.url, number, key)["verdict"] == "clear"

    # 6. A second reviewer of the county approves the decision's record on the records page.
    sign_in(page, record_reviewer.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="记录审核").click()
    main.get_by_role("link", name=case.record.title).click()
    expect(main).to_contain_text(case.number)
    screenshot(page, "case-story-record-review")
    page.get_by_role("button", name="审核通过").click()
    expect(main).to_contain_text("操作已完成")
    session_drop(page)
    case.record.refresh_from_db()
    assert case.record.status == CreditRecordStatus.EFFECTIVE

    # 7. The teacher reads the decision: every notice of her case generated and read by her.
    sign_in(page, teacher_user.username, landing="/self/")
    page.goto(f"/self/cases/{case.public_id}/")
    main.locator("[data-ec-own-notices]").get_by_role("link", name="处理决定书").click()
    text = main.locator("[data-ec-notice-text]")
    expect(text).to_contain_text(f"{lift.year}年{lift.month}月{lift.day}日起期满自动解除")
    expect(text).to_contain_text("30日内向上级教育行政部门")
    assert fits_width(page)
    screenshot(page, "case-story-self-decision")
    main.get_by_role("link", name=f"案件 {case.number}").click()
    expect(main.locator("[data-ec-self-appeal]")).to_be_visible()  # inside her 30 days
    session_drop(page)
    notices = list(case.notices.order_by("id"))
    assert [n.kind for n in notices] == [
        CaseNoticeKind.ACCEPTANCE,
        CaseNoticeKind.INTENDED,
        CaseNoticeKind.DECISION,
    ]
    assert all(n.read_at is not None for n in notices)
    assert all(n.delivery == NoticeDelivery.SELF_SERVICE for n in notices)

    # 8. The title evaluation is restricted at once, until the day the warning lifts.
    answer = title_check(live_server.url, number, key)
    assert answer["verdict"] == "restricted", answer
    before_lift = verdict_for(
        teacher, scenario="title_evaluation", as_of=lift - dt.timedelta(days=1)
    )
    assert before_lift.verdict == "restricted"
    assert verdict_for(teacher, scenario="title_evaluation", as_of=lift).verdict == "clear"
