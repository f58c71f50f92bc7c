"""Issue 16's "done" story in a real browser, as new users would try it.

A private school applying for a change of its licence (CN-MB-02, 审批替代型, checked by 网络核验)
signs the commitment in self-service and the county bureau accepts it. After the check's
deadline the daily 网络核验 finds the promised licence missing: the commitment is 全部未履行 and
its breach record (JY-CN-03) goes to a reviewer of the bureau, who approves it. The breach shows
in the school's archive and in its credit report; the approval system's check (over HTTP, on the
live server) answers "review" in the 告知承诺 scenario, citing JY-CJ-026. Once the shortest
disclosure period has passed the school applies for credit repair, the bureau grants it, and
the same check answers "clear"; the repair commitment made in the application is a commitment of
its own. The provincial platform's simulator received the commitment as made (监管中), its
fulfilment (监管完成 / 全部未履行) and the repair commitment, validated, nothing refused.

The clock is moved the way other tests move it: ``core.clock.now`` patched (the live server
runs in this process, so its pages see the same day). The whole story runs on both viewports:
10–25 s each on SQLite or PostgreSQL on the shared two-core machine, plus the live server's
database setup (10–20 s, once per process).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import urllib.request
from typing import Any

import pytest
from django.core.management import call_command

from educredit.accounts.choices import UserRole
from educredit.audit.verification import verify_audit_log
from educredit.commitments.choices import CommitmentFulfilment, CommitmentSupervisionState
from educredit.commitments.models import Commitment
from educredit.core import clock
from educredit.core.workdays import add_working_days
from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.worker import outbox_send_due
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.rights.models import RepairApplication
from educredit.rights.tests.factories import make_subject_user
from educredit.subjects.choices import InstitutionKind, InstitutionOwnership
from educredit.subjects.tests.factories import make_institution
from educredit.testing import factories
from educredit.testing.browser import fits_width, open_menu, session_drop, sign_in
from educredit.testing.factories import make_api_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOL_NAME = "郑州市中原区明德实验学校"
MATTER = "CN-MB-02"
PDF_PROOF = b"%PDF-1.4\n% the changed licence, obtained late\n%%EOF\n"
CODE = re.compile(r"^410102\d{14}$")  # the bureau's region, the date made, a serial


@pytest.fixture(autouse=True)
def _media_and_exchange(settings: Any, tmp_path: Any, platform: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EDUCREDIT_EXCHANGE_URL = platform.batch_url
    settings.EDUCREDIT_EXCHANGE_TIMEOUT = 5


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Beijing's clock reads ``day`` (10:00) for the services and for the live server's pages."""
    moment = dt.datetime(day.year, day.month, day.day, 10, tzinfo=clock.BEIJING)
    monkeypatch.setattr(clock, "now", lambda: moment)


def approval_check(base_url: str, uscc: str, key: str) -> dict[str, Any]:
    """What the approval system's check answers: a real HTTP call to the live server."""
    body = json.dumps(
        {"uscc": uscc, "scenario": "simplified_approval", "reference": "MB-BG-2026-016"}
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


def deliver(platform: Any) -> None:
    """The outbox worker's pass: everything due goes to the simulator, nothing is refused."""
    result = outbox_send_due()
    assert result.rejected == 0, platform.state.stored
    refused = OutboxItem.objects.exclude(status=OutboxStatus.DELIVERED)
    assert not refused.exists(), list(refused.values("key", "status", "last_error"))


def test_licence_change_commitment_breached_screened_repaired_and_shared(
    browser_page: Any,
    screenshot: Any,
    viewport: Any,
    live_server: Any,
    platform: Any,
    shipped: Any,
    body: Any,
    approver: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    school = make_institution(
        supervisor=body,
        name=SCHOOL_NAME,
        serial=316,
        kind=InstitutionKind.SECONDARY_SCHOOL,
        ownership=InstitutionOwnership.PRIVATE,
    )
    school_user = make_subject_user(actor=approver, institution=school)
    reviewer = factories.make_user(
        organisation=body, username="zy.shenhe", full_name="中原审核员", roles=[UserRole.REVIEWER]
    )
    _client, key = make_api_client(
        organisation=body, name="民办学校审批系统", scopes=["sanctions:check"]
    )
    uscc = school.uscc or ""
    page = browser_page
    main = page.locator("main")
    assert approval_check(live_server.url, uscc, key)["verdict"] == "clear"

    # 1. The school reads the letter of the licence change and signs it in self-service.
    sign_in(page, school_user.username, landing="/self/")
    page.locator(".ec-self-nav").get_by_role("link", name="我的信用承诺").click()
    expect(main).to_contain_text("您还没有作出信用承诺")
    page.get_by_role("link", name="作出信用承诺").click()
    page.get_by_label("承诺事项").select_option(MATTER)
    expect(page.get_by_label("承诺受理单位")).to_have_value(str(body.public_id))
    page.get_by_role("button", name="阅读承诺书").click()
    letter = main.locator("[data-ec-letter-text]")
    expect(letter).to_contain_text(SCHOOL_NAME)
    expect(letter).to_contain_text(body.name)
    shown = letter.inner_text()
    assert fits_width(page)
    screenshot(page, "commitment-story-letter")
    page.locator("form[data-ec-sign]").get_by_role("button", name="签署").click()
    expect(main).to_contain_text("承诺已签署，待受理单位受理")
    expect(main.locator("[data-ec-state]")).to_have_text("待受理")
    commitment = Commitment.objects.get(institution=school)
    code = commitment.code or ""
    assert CODE.match(code), code
    expect(page.get_by_role("heading", level=2).first).to_contain_text(code)
    # The text as signed is the text that was read, with its digest.
    assert main.locator("[data-ec-signed-text]").inner_text() == shown
    expect(main.locator("[data-ec-sha256]")).to_have_text(commitment.signed_text_sha256)
    # The school is told how and by when its promise is checked.
    expect(main.locator("[data-ec-check-note]")).to_contain_text("“网络核验”")
    expect(main.locator("[data-ec-check-note]")).to_contain_text("承诺作出之日起 20 个工作日")
    assert fits_width(page)
    screenshot(page, "commitment-story-signed")
    session_drop(page)

    # 2. The county bureau accepts it (受理): recorded as JY-CN-01, under supervision.
    sign_in(page, approver.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="信用承诺", exact=True).click()
    page.get_by_label("状态").select_option(label="待受理")
    page.get_by_role("button", name="筛选").click()
    row = main.locator(f"[data-ec-commitment='{commitment.public_id}']")
    expect(row.locator("[data-ec-state]")).to_have_text("待受理")
    row.get_by_role("link", name=code).click()
    page.locator("form[data-ec-accept]").get_by_role("button", name="受理").click()
    expect(main).to_contain_text("已受理该承诺")
    expect(main.locator("[data-ec-state]")).to_have_text("监管中")
    assert fits_width(page)
    screenshot(page, "commitment-story-accepted")
    session_drop(page)
    commitment.refresh_from_db()
    assert commitment.credit_record is not None
    assert commitment.credit_record.status == CreditRecordStatus.EFFECTIVE
    deliver(platform)
    assert platform.stored_keys() == [f"CN|{code}|1"]
    # Accepted, the school's page gives the day its promise is checked by.
    due = add_working_days(commitment.signed_on, commitment.matter.check_due_working_days).date
    sign_in(page, school_user.username, landing="/self/")
    page.goto(f"/self/commitments/{commitment.public_id}/")
    expect(main.locator("[data-ec-check-note]")).to_contain_text(f"核查期限为 {due:%Y-%m-%d}")
    expect(main.locator("[data-ec-state]")).to_have_text("监管中")
    session_drop(page)

    # 3. The check's deadline passes without the changed licence: the daily 网络核验 decides.
    day_after = due + dt.timedelta(days=1)
    _on(monkeypatch, day_after)
    out = io.StringIO()
    call_command("commitments", "check-online", "--date", day_after.isoformat(), stdout=out)
    assert "违诺 1" in out.getvalue(), out.getvalue()
    commitment.refresh_from_db()
    assert commitment.supervision_state == CommitmentSupervisionState.COMPLETED
    assert commitment.fulfilment == CommitmentFulfilment.UNFULFILLED
    assert commitment.fulfilment_decided_on == day_after
    breach = CreditRecord.objects.get(institution=school, catalog_item__code="JY-CN-03")
    assert breach.status == CreditRecordStatus.SUBMITTED
    # Not in force until a person reviews it: the approval system still sees nothing.
    assert approval_check(live_server.url, uscc, key)["verdict"] == "clear"

    # 4. A reviewer of the bureau (not the check that submitted it) approves the breach record.
    sign_in(page, reviewer.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="记录审核").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待审核记录")
    main.get_by_role("link", name=breach.title).click()
    expect(main).to_contain_text("信用承诺未履行（违诺）信息")
    assert fits_width(page)
    screenshot(page, "commitment-story-breach-review")
    page.get_by_role("button", name="审核通过").click()
    expect(main).to_contain_text("操作已完成")
    expect(main.locator(".badge", has_text="生效")).to_be_visible()
    session_drop(page)
    breach.refresh_from_db()
    assert breach.status == CreditRecordStatus.EFFECTIVE
    assert breach.repair_allowed_from is not None

    # 5. The school sees the breach in its archive, its commitment decided, and in its report.
    sign_in(page, school_user.username, landing="/self/")
    own = main.locator(f"[data-ec-record='{breach.public_id}']")
    expect(own).to_contain_text(code)
    expect(own).to_contain_text("信用承诺未履行（违诺）信息")
    expect(own.locator("[data-ec-status]")).to_have_text("生效")
    assert fits_width(page)
    screenshot(page, "commitment-story-archive")
    page.goto("/self/commitments/")
    mine = main.locator(f"[data-ec-commitment='{commitment.public_id}']")
    expect(mine.locator("[data-ec-state]")).to_have_text("监管完成")
    expect(mine).to_contain_text("全部未履行")
    mine.get_by_role("link", name=code).click()
    expect(main).to_contain_text("未查到承诺取得的")
    expect(main.locator("[data-ec-check-note]")).to_have_count(0)  # decided: no longer supervised
    screenshot(page, "commitment-story-decided")
    page.goto("/self/reports/")
    page.get_by_role("button", name="出具本人信用报告").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").first.click()
    with open(download.value.path(), "rb") as handle:
        report = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    flat = re.sub(r"\s+", "", report)  # the PDF's table cells wrap their text
    assert SCHOOL_NAME in flat
    assert f"信用承诺未履行（违诺）信息民办学校变更办学许可证（告知承诺）（承诺编码{code}）" in flat
    assert f"{code}-JY-CN-03" in flat
    session_drop(page)

    # 6. The approval system's check in the 告知承诺 scenario: review, citing JY-CJ-026.
    answer = approval_check(live_server.url, uscc, key)
    assert answer["verdict"] == "review", answer
    assert "JY-CJ-026" in [m["code"] for m in answer["measures"]], answer["measures"]

    # 7. After the shortest disclosure period the school applies for repair; the bureau grants.
    _on(monkeypatch, breach.repair_allowed_from)
    sign_in(page, school_user.username, landing="/self/")
    own.get_by_role("link", name="信用修复").click()
    expect(page.locator("[data-ec-eligibility]")).to_have_attribute(
        "data-ec-eligibility", "eligible"
    )
    page.get_by_label("纠正失信行为情况说明").fill(
        "已于承诺期满后取得变更后的办学许可证，并对逾期情况完成整改。"
    )
    page.get_by_label("本人已阅读并作出上述信用修复承诺").check()
    page.get_by_label("履行证明（法定责任和义务履行完毕的证明材料）").set_input_files(
        files=[{"name": "办学许可证.pdf", "mimeType": "application/pdf", "buffer": PDF_PROOF}]
    )
    page.get_by_role("button", name="提交申请").click()
    application = RepairApplication.objects.get(record=breach)
    expect(main).to_contain_text(application.number)
    assert fits_width(page)
    screenshot(page, "commitment-story-repair-applied")
    session_drop(page)

    sign_in(page, reviewer.username)
    open_menu(page, viewport)
    page.locator("#ec-nav").get_by_role("link", name="信用修复", exact=True).click()
    page.get_by_role("link", name=application.number).click()
    page.get_by_role("button", name="受理").click()
    page.get_by_label("审核意见").fill("已取得变更后的办学许可证，整改到位。")
    page.get_by_role("button", name="准予修复").click()
    expect(main).to_contain_text("准予修复")
    screenshot(page, "commitment-story-repaired")
    session_drop(page)
    breach.refresh_from_db()
    assert breach.status == CreditRecordStatus.REPAIRED
    answer = approval_check(live_server.url, uscc, key)
    assert answer["verdict"] == "clear", answer
    # The repair commitment the school made in its application is a commitment of its own
    # (信用修复型, exempt from checks, breached only if the bureau finds it broken).
    repair = Commitment.objects.get(institution=school, commitment_type="信用修复型")
    repair_code = repair.code or ""
    assert CODE.match(repair_code) and repair_code != code, repair_code
    sign_in(page, school_user.username, landing="/self/")
    page.goto("/self/commitments/")
    pledged = main.locator(f"[data-ec-commitment='{repair.public_id}']")
    expect(pledged).to_contain_text(repair_code)
    expect(pledged.locator("[data-ec-state]")).to_have_text("监管中")
    expect(main.locator(f"[data-ec-commitment='{commitment.public_id}']")).to_contain_text(
        "全部未履行"
    )
    session_drop(page)

    # 8. The platform received the commitment as made and its fulfilment, each validated.
    deliver(platform)
    made_key, decided_key = f"CN|{code}|1", f"CN|{code}|2"
    repair_key = f"CN|{repair_code}|1"
    assert [k for k in platform.stored_keys() if k.startswith("CN|")] == [
        made_key,
        decided_key,
        repair_key,
    ]
    pledge = platform.state.stored[repair_key]["row"]
    assert (pledge["commitmentTypeId"], pledge["superviseStatus"]) == ("信用修复型", "监管中")
    made, decided = platform.state.stored[made_key], platform.state.stored[decided_key]
    assert (made["operation"], made["row"]["superviseStatus"]) == ("add", "监管中")
    assert not made["row"].get("fulfillmentStatus")
    assert (decided["operation"], decided["row"]["superviseStatus"]) == ("change", "监管完成")
    assert decided["row"]["fulfillmentStatus"] == "全部未履行"
    assert decided["row"]["fulfillmentStatusDate"] == day_after.isoformat()
    assert "未查到" in decided["row"]["unperformedCommitmentContent"]
    # Every step above went through its service: the audit log accounts for every row.
    verification = verify_audit_log()
    assert verification.ok, (verification.problems[:3], verification.row_problems[:3])
