"""Issue 6's "done" story in a real browser (phone and laptop), as new users would try it.

A teacher objects to a wrong record through self-service and sees it marked 异议中 at once;
a reviewer of the county corrects it within the deadline and the teacher reads the written
reason. A training institution repairs a penalty after its minimum disclosure period, and a
business system's check that answered "restricted" answers "clear" right after the grant.
The institution downloads its credit report and a third party verifies the file on the
portal.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from educredit.audit.verification import verify_audit_log
from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.rights.models import Objection, RepairApplication
from educredit.rights.tests.factories import make_county, make_subject_user, make_teacher
from educredit.rights.tests.test_repair import penalty
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.testing.browser import fits_width, session_drop, sign_in
from educredit.testing.factories import make_api_client
from educredit.testing.screening import simplified_approval_verdict

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_PROOF = b"%PDF-1.4\n% receipt of the fine paid\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_objection_repair_report_and_verification(
    browser_page: Any, screenshot: Any, viewport: Any
) -> None:
    from playwright.sync_api import expect
    from pypdf import PdfReader

    shipped_measure_list()
    county = make_county()
    teacher = make_teacher(county, name="张明")
    wrong = make_record(
        actor=county.clerk,
        reviewer=county.reviewer,
        catalog_item=make_catalog_item(subject_type=SubjectType.PERSON),
        person=teacher,
        title="体罚学生（误录）",
        status=CreditRecordStatus.EFFECTIVE,
    )
    teacher_user = make_subject_user(actor=county.clerk, person=teacher)
    training = county.school
    fine = penalty(county, training)
    officer = make_subject_user(actor=county.clerk, institution=training)
    _client, key = make_api_client(
        organisation=county.county, name="民办培训审批系统", scopes=["sanctions:check"]
    )
    page = browser_page
    main = page.locator("main")

    # 1. The teacher objects to the wrong record; it is marked 异议中 at once.
    sign_in(page, teacher_user.username, landing="/self/")
    row = page.locator(f"[data-ec-record='{wrong.public_id}']")
    expect(row).to_contain_text("体罚学生（误录）")
    row.get_by_role("link", name="提出异议").click()
    page.get_by_label("异议理由").fill("当天本人在外地培训，有培训签到表为证，记录主体录错。")
    page.get_by_role("button", name="提交异议").click()
    expect(main).to_contain_text("受理")
    assert fits_width(page)
    screenshot(page, "rights-objection-filed")
    page.goto("/self/")
    expect(row.locator("[data-ec-status]")).to_have_text("异议中")
    objection = Objection.objects.get(record=wrong)
    assert objection.due_on > objection.received_on
    session_drop(page)

    # 2. The county's reviewer corrects it within the deadline, with a written reason.
    sign_in(page, county.reviewer.username)
    page.goto("/rights/objections/")
    page.get_by_role("link", name=objection.number).click()
    decide = page.locator("form[data-ec-action='decide']")
    decide.get_by_label("处理结果").select_option("corrected")
    decide.get_by_label("更正后的事由").fill("未按规定参加继续教育")
    decide.get_by_label("处理理由（书面告知信用主体）").fill(
        "经核查，原记录事由录入有误，已按决定书原文更正。"
    )
    decide.get_by_role("button", name="办结").click()
    expect(main).to_contain_text("已办结")
    wrong.refresh_from_db()
    assert wrong.title == "未按规定参加继续教育"
    assert wrong.status == CreditRecordStatus.EFFECTIVE
    objection.refresh_from_db()
    assert objection.decided_at is not None and objection.decided_at.date() <= objection.due_on
    session_drop(page)

    # 3. The teacher reads the outcome and its reason.
    sign_in(page, teacher_user.username, landing="/self/")
    page.goto("/self/objections/")
    page.get_by_role("link", name=objection.number).click()
    expect(main).to_contain_text("经核查，原记录事由录入有误")
    screenshot(page, "rights-objection-decided")
    session_drop(page)

    # 4. The training institution repairs its penalty; the business system's check clears.
    assert simplified_approval_verdict(training.uscc or "", key) == "restricted"
    sign_in(page, officer.username, landing="/self/")
    page.get_by_role("link", name="信用修复").first.click()
    page.goto(f"/self/repairs/new/?record={fine.public_id}")
    expect(page.locator("[data-ec-eligibility]")).to_have_attribute(
        "data-ec-eligibility", "eligible"
    )
    page.get_by_label("纠正失信行为情况说明").fill("罚款已缴清，已停止超范围培训并完成整改。")
    page.get_by_label("本人已阅读并作出上述信用修复承诺").check()
    page.get_by_label("履行证明（法定责任和义务履行完毕的证明材料）").set_input_files(
        files=[{"name": "缴款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF_PROOF}]
    )
    page.get_by_role("button", name="提交申请").click()
    application = RepairApplication.objects.get(record=fine)
    expect(main).to_contain_text(application.number)
    screenshot(page, "rights-repair-applied")
    session_drop(page)

    sign_in(page, county.reviewer.username)
    page.goto("/rights/repairs/")
    page.get_by_role("link", name=application.number).click()
    page.get_by_role("button", name="受理").click()
    page.get_by_label("审核意见").fill("材料齐全，罚款已缴清。")
    page.get_by_role("button", name="准予修复").click()
    expect(main).to_contain_text("准予修复")
    fine.refresh_from_db()
    assert fine.status == CreditRecordStatus.REPAIRED
    assert simplified_approval_verdict(training.uscc or "", key) == "clear"
    session_drop(page)

    # 5. The institution downloads its credit report; a third party verifies the file.
    sign_in(page, officer.username, landing="/self/")
    page.goto("/self/reports/")
    page.get_by_role("button", name="出具本人信用报告").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").first.click()
    pdf_path = download.value.path()
    with open(pdf_path, "rb") as handle:
        pdf_bytes = handle.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert training.name in text
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text)
    assert code is not None, "the report prints its verification code"
    # The repaired penalty has left the shared record (终止公示、停止共享).
    assert "超出核准范围开展学科类培训" not in text
    session_drop(page)

    page.goto("/verify/")
    page.get_by_label("验证码").fill(code.group(0))
    page.get_by_label("报告文件（可选）").set_input_files(pdf_path)
    page.get_by_role("button", name="核验").click()
    expect(main).to_contain_text("内容完整")
    expect(main).to_contain_text("文件与签发时一致")
    assert fits_width(page)
    screenshot(page, "rights-report-verified")
    assert CreditRecord.objects.filter(pk=fine.pk, status=CreditRecordStatus.REPAIRED).exists()
    # Every step above went through its service: the audit log accounts for every row.
    verification = verify_audit_log()
    assert verification.ok, (verification.problems[:3], verification.row_problems[:3])
