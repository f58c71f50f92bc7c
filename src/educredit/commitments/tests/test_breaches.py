"""Breaches that reach further (Henan §33(八), the repair commitment): a public commitment not
kept with serious consequences is serious dishonesty (JY-CN-04) and can be proposed for the
serious-dishonesty list; a breached repair commitment restores the repaired record's longest
window."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from educredit.audit.verification import verify_audit_log
from educredit.catalog.selectors import catalog_item_by_code
from educredit.commitments.checks.fulfilment import commitment_fulfilment_decide
from educredit.commitments.choices import (
    CommitmentFulfilment,
    CommitmentSupervisionState,
    CommitmentType,
)
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import matter_in_force
from educredit.commitments.services import CommitmentError, commitment_sign
from educredit.commitments.tests.conftest import PDF
from educredit.core import clock
from educredit.exchange.models import OutboxItem
from educredit.records import services as records
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.demo_data import demo_payload
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.tests.factories import make_record, make_reviewer
from educredit.rights import repair
from educredit.rights.choices import RepairStatus
from educredit.rights.tests.factories import make_subject_user
from educredit.testing.factories import make_api_client, make_user
from educredit.testing.screening import simplified_approval_verdict

pytestmark = pytest.mark.django_db

BREACH = {
    "unperformed_content": "承诺期限届满仍未取得变更后的办学许可证",
    "liability_pursued": "撤销变更决定，责令停止在新址办学",
}
SERIOUS = "未经许可在新址招收学员 300 余人，学员无法继续学业"


def _sign(actor: Any, code: str, school: Any) -> Commitment:
    matter = matter_in_force(code)
    assert matter is not None
    scan = io.BytesIO(PDF)
    scan.name = "承诺书.pdf"
    return commitment_sign(actor=actor, matter=matter, institution=school, scan=scan).commitment


def test_a_public_commitment_breached_with_serious_consequences_can_be_proposed_for_listing(
    shipped: Any, approver: Any, school: Any, body: Any
) -> None:
    made = _sign(approver, "CN-MB-02", school)  # 可向社会公开
    decided = commitment_fulfilment_decide(
        actor=approver,
        commitment=made,
        serious_consequences=SERIOUS,
        result=CommitmentFulfilment.UNFULFILLED,
        unperformed_content=BREACH["unperformed_content"],
        liability_pursued=BREACH["liability_pursued"],
    )
    record = decided.fulfilment_record
    assert record is not None and record.catalog_item.code == "JY-CN-04"
    assert record.severity == "serious" and record.status == S.SUBMITTED  # two people decide
    assert record.payload["serious_consequences"] == SERIOUS
    records.credit_record_approve(actor=make_reviewer(organisation=body), record=record)
    # Its measures reach screening: no simplified procedure until repaired (JY-CJ-026).
    client_key = make_api_client(organisation=body, scopes=["sanctions:check"])[1]
    assert simplified_approval_verdict(school.uscc, client_key) == "review"

    client = Client()
    client.force_login(approver)
    detail = client.get(f"/commitments/{made.public_id}/").content.decode()
    assert SERIOUS in detail
    link = re.search(r'href="([^"]+)" data-ec-propose-listing', detail)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    checked = re.search(rf'value="{record.public_id}"[^>]*checked', html)
    assert checked is not None, "the breach record is the proposal's basis"
    assert "第三十三条第（八）项" in html
    proposed = client.post(
        url.split("?")[0],
        {
            "institution": str(school.public_id),
            "kind": CreditListKind.SERIOUS,
            "basis_records": [str(record.public_id)],
            "reason": f"违背公开信用承诺（{made.code}）造成严重后果",
            "legal_basis": "《河南省社会信用条例》第三十三条第（八）项",
            "measures": "依法实施联合惩戒",
            "exit_conditions": "公示期满且已履行相关义务",
            "notice_date": clock.today().isoformat(),
            "objection_days": 5,
        },
    )
    assert proposed.status_code == 302, proposed.content.decode()[:2000]
    entry = CreditListEntry.objects.get(kind=CreditListKind.SERIOUS)
    assert entry.status == ListEntryStatus.NOTICE
    assert list(entry.basis_records.all()) == [record]


def test_serious_consequences_need_a_public_commitment_that_was_not_kept(
    shipped: Any, approver: Any, school: Any
) -> None:
    kept = _sign(approver, "CN-MB-02", school)
    with pytest.raises(CommitmentError):
        commitment_fulfilment_decide(
            actor=approver,
            commitment=kept,
            result=CommitmentFulfilment.FULFILLED,
            serious_consequences=SERIOUS,
        )
    limited = _sign(approver, "CN-TJ-01", school)  # 特定范围内公开
    with pytest.raises(CommitmentError) as refused:
        commitment_fulfilment_decide(
            actor=approver,
            commitment=limited,
            serious_consequences=SERIOUS,
            result=CommitmentFulfilment.UNFULFILLED,
            unperformed_content=BREACH["unperformed_content"],
            liability_pursued=BREACH["liability_pursued"],
        )
    assert "第三十三条" in str(refused.value)
    for made in (kept, limited):
        made.refresh_from_db()
        assert made.fulfilment == "" and made.fulfilment_record is None
    assert not CreditRecord.objects.filter(catalog_item__code="JY-CN-04").exists()
    client = Client()
    client.force_login(approver)
    field = 'name="serious_consequences"'
    assert field in client.get(f"/commitments/{kept.public_id}/").content.decode()
    assert field not in client.get(f"/commitments/{limited.public_id}/").content.decode()


@pytest.fixture
def granted(shipped: Any, body: Any, school: Any, settings: Any, tmp_path: Any) -> Any:
    """A penalty on the school, repaired on the school's own application."""
    settings.MEDIA_ROOT = tmp_path / "media"
    clerk = make_user(organisation=body, username="zy.clerk", roles=["clerk"])
    reviewer = make_reviewer(organisation=body)
    decided = clock.today() - dt.timedelta(days=150)
    item = catalog_item_by_code("JY-CF-02", decided)
    assert item is not None
    record = make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item,
        institution=school,
        title="超出核准范围开展学科类培训",
        issuing_body=body.name,
        decision_date=decided,
        payload=demo_payload(item, decided, school),
        status=S.EFFECTIVE,
    )
    officer = make_subject_user(actor=clerk, institution=school)
    application = repair.repair_apply(
        actor=officer,
        record=record,
        statement="已缴清罚款，停止违规培训并完成整改",
        commitment_accepted=True,
        materials=[
            (
                repair.Material.PROOF,
                SimpleUploadedFile("缴款收据.pdf", PDF, content_type="application/pdf"),
            )
        ],
    )
    application = repair.repair_accept(actor=reviewer, application=application)
    application = repair.repair_grant(actor=reviewer, application=application)
    return application, record, reviewer


def test_a_granted_repair_records_its_commitment_and_its_breach_restores_the_longest_window(
    granted: Any,
) -> None:
    application, record, reviewer = granted
    commitment = Commitment.objects.get(repair_application=application)
    assert commitment.commitment_type == CommitmentType.CREDIT_REPAIR
    assert commitment.matter.code == "CN-XF-01" and len(str(commitment.code)) == 20
    assert commitment.signed_text == application.commitment_text
    assert commitment.supervision_state == CommitmentSupervisionState.SUPERVISING
    assert commitment.credit_record is not None
    assert commitment.credit_record.catalog_item.code == "JY-CN-01"
    assert OutboxItem.objects.filter(key__startswith=f"CN|{commitment.code}|").exists()
    record.refresh_from_db()
    assert record.status == S.REPAIRED

    commitment_fulfilment_decide(
        actor=reviewer,
        commitment=commitment,
        result=CommitmentFulfilment.UNFULFILLED,
        unperformed_content="修复后再次超范围开展学科类培训",
        liability_pursued="按最长公示期限重新公示，恢复惩戒措施",
    )
    application.refresh_from_db()
    record.refresh_from_db()
    assert application.status == RepairStatus.BREACHED
    assert application.breach_reason == "修复后再次超范围开展学科类培训"
    assert record.status == S.EFFECTIVE and record.public_until is not None
    assert record.public_until > clock.today()  # shown again for its longest window
    audit = verify_audit_log()
    assert audit.ok, (audit.problems[:3], audit.row_problems[:3])


def test_the_repair_pages_link_each_other_and_the_breach_is_decided_on_the_commitment(
    granted: Any,
) -> None:
    application, _record, reviewer = granted
    commitment = Commitment.objects.get(repair_application=application)
    client = Client()
    client.force_login(reviewer)
    detail = client.get(f"/commitments/{commitment.public_id}/").content.decode()
    assert f"/rights/repairs/{application.public_id}/" in detail
    page = client.get(f"/rights/repairs/{application.public_id}/").content.decode()
    assert f"/commitments/{commitment.public_id}/" in page
    assert f"/rights/repairs/{application.public_id}/breach/" not in page
