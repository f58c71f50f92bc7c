"""践诺: a private school's 告知承诺 for a licence change, checked online after the deadline,
breached, screened as review in the 告知承诺 scenario, repaired and clear again; the platform
receives the commitment and its fulfilment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.audit.models import AuditEntry
from educredit.commitments.checks.fulfilment import (
    commitment_fulfilment_decide,
    commitment_online_check,
    commitment_online_checks_run,
)
from educredit.commitments.checks.verification import check_due_on
from educredit.commitments.choices import CommitmentFulfilment, CommitmentSupervisionState
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import matter_in_force
from educredit.commitments.services import CommitmentError, commitment_sign
from educredit.core import clock
from educredit.exchange.models import OutboxItem
from educredit.records import services as records
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_reviewer
from educredit.testing.factories import make_api_client
from educredit.testing.screening import simplified_approval_verdict

pytestmark = pytest.mark.django_db


def _sign(approver: Any, school: Any, scan: Any) -> Commitment:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    return commitment_sign(
        actor=approver, matter=matter, institution=school, scan=scan, reason="申请变更办学地址"
    ).commitment


def test_a_breach_found_online_is_screened_as_review_until_repaired(
    shipped: Any, approver: Any, body: Any, school: Any, scan: Any, monkeypatch: Any
) -> None:
    _client, key = make_api_client(
        organisation=body, name="民办学校审批系统", scopes=["sanctions:check"]
    )
    made = _sign(approver, school, scan)
    assert simplified_approval_verdict(school.uscc, key) == "clear"
    due = check_due_on(made)
    assert due > made.signed_on
    # The daily 网络核验 leaves it alone until its due day is over; then the promised licence
    # is missing and the check decides the breach itself, with its finding.
    assert commitment_online_check(made, today=due) is None
    assert commitment_online_checks_run(today=due) == {"kept": 0, "breached": 0, "failed": 0}
    assert commitment_online_checks_run(today=due + dt.timedelta(days=1))["breached"] == 1
    assert commitment_online_checks_run(today=due + dt.timedelta(days=2))["breached"] == 0
    made.refresh_from_db()
    assert made.supervision_state == CommitmentSupervisionState.COMPLETED
    assert made.fulfilment == CommitmentFulfilment.UNFULFILLED
    assert "未查到" in made.unperformed_content
    assert made.liability_pursued == made.matter.breach_measures
    decided = AuditEntry.objects.get(action="commitments.fulfilment_decide")
    assert decided.actor_label == "system:online-check" and "网络核验" in decided.reason
    breach = CreditRecord.objects.get(institution=school, catalog_item__code="JY-CN-03")
    assert breach.status == S.SUBMITTED  # a person of the accepting body reviews it
    assert breach.payload["commitment_number"] == made.code
    assert simplified_approval_verdict(school.uscc, key) == "clear"

    records.credit_record_approve(actor=make_reviewer(organisation=body), record=breach)
    assert simplified_approval_verdict(school.uscc, key) == "review"

    breach.refresh_from_db()
    assert breach.repair_allowed_from is not None
    later = breach.repair_allowed_from
    monkeypatch.setattr(clock, "today", lambda: later)
    records.credit_record_mark_repaired(
        actor=make_reviewer(organisation=body), record=breach, reason="已取得许可并整改到位"
    )
    monkeypatch.undo()
    assert simplified_approval_verdict(school.uscc, key) == "clear"

    # The platform gets the commitment as made, then its fulfilment, each under its own key.
    reports = list(
        OutboxItem.objects.filter(kind="commitment", source_id=str(made.pk)).order_by("pk")
    )
    assert [r.key for r in reports] == [f"CN|{made.code}|1", f"CN|{made.code}|2"]
    assert [(r.operation, r.row["superviseStatus"]) for r in reports] == [
        ("add", "监管中"),
        ("change", "监管完成"),
    ]
    assert "fulfillmentStatus" not in reports[0].row
    assert reports[1].row["fulfillmentStatus"] == "全部未履行"


def test_a_kept_commitment_adds_the_trustworthy_record(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    made = _sign(approver, school, scan)
    commitment_fulfilment_decide(
        actor=approver, commitment=made, result=CommitmentFulfilment.FULFILLED
    )
    kept = CreditRecord.objects.get(institution=school, catalog_item__code="JY-CN-02")
    assert kept.status == S.EFFECTIVE
    assert kept.payload["fulfilment_status"] == "全部履行"


@pytest.mark.parametrize(
    ("result", "unperformed", "liability", "field"),
    [
        ("部分履行", "", "撤销变更决定", "unperformed_content"),
        ("全部未履行", "未取得许可证", "", "liability_pursued"),
        ("监管中", "", "", "fulfilment"),
    ],
)
def test_a_result_without_its_content_is_refused_and_nothing_is_written(
    shipped: Any,
    approver: Any,
    school: Any,
    scan: Any,
    result: str,
    unperformed: str,
    liability: str,
    field: str,
) -> None:
    made = _sign(approver, school, scan)
    records_before = CreditRecord.objects.count()
    outbox_before = OutboxItem.objects.count()
    with pytest.raises(CommitmentError) as refused:
        commitment_fulfilment_decide(
            actor=approver,
            commitment=made,
            result=result,
            unperformed_content=unperformed,
            liability_pursued=liability,
        )
    assert field in refused.value.errors
    made.refresh_from_db()
    assert made.fulfilment == CommitmentFulfilment.UNDECIDED
    assert made.supervision_state == CommitmentSupervisionState.SUPERVISING
    assert CreditRecord.objects.count() == records_before
    assert OutboxItem.objects.count() == outbox_before


def test_a_result_is_decided_once(shipped: Any, approver: Any, school: Any, scan: Any) -> None:
    made = _sign(approver, school, scan)
    commitment_fulfilment_decide(
        actor=approver, commitment=made, result=CommitmentFulfilment.FULFILLED
    )
    with pytest.raises(CommitmentError):
        commitment_fulfilment_decide(
            actor=approver,
            commitment=made,
            result=CommitmentFulfilment.UNFULFILLED,
            unperformed_content="x",
            liability_pursued="y",
        )


def test_the_licence_obtained_in_time_keeps_the_commitment_by_itself(
    shipped: Any, approver: Any, body: Any, school: Any, scan: Any
) -> None:
    from educredit.catalog.selectors import catalog_item_by_code
    from educredit.records.tests.factories import make_record

    made = _sign(approver, school, scan)
    item = catalog_item_by_code("JY-XK-01")
    licence = make_record(
        actor=approver,
        catalog_item=item,
        institution=school,
        status=S.EFFECTIVE,
        reviewer=make_reviewer(organisation=body),
        title="民办学校办学许可证变更",
        decision_date=made.signed_on,
        payload={
            "licence_category": "普通",
            "licence_content": "变更办学许可证（办学地址）",
            "valid_from": made.signed_on.isoformat(),
            "valid_until": "2031-12-31",
        },
    )
    due = check_due_on(made)
    assert commitment_online_checks_run(today=due + dt.timedelta(days=1))["kept"] == 1
    made.refresh_from_db()
    assert made.fulfilment == CommitmentFulfilment.FULFILLED
    kept = CreditRecord.objects.get(institution=school, catalog_item__code="JY-CN-02")
    assert kept.status == S.SUBMITTED  # the body's reviewer confirms what the check found
    decided = AuditEntry.objects.get(action="commitments.fulfilment_decide")
    assert str(licence.public_id) in decided.reason


def test_one_commitment_that_cannot_be_decided_does_not_stop_the_others(
    shipped: Any, approver: Any, school: Any, scan: Any, monkeypatch: Any
) -> None:
    from educredit.commitments.checks import fulfilment
    from educredit.records.services import RecordError

    first, second = _sign(approver, school, scan), _sign(approver, school, scan)
    real = fulfilment.commitment_fulfilment_decide

    def decide(**kwargs: Any) -> Any:
        if kwargs["commitment"].pk == first.pk:
            raise RecordError("该认定单位的此决定文书已录入")
        return real(**kwargs)

    monkeypatch.setattr(fulfilment, "commitment_fulfilment_decide", decide)
    after = check_due_on(first) + dt.timedelta(days=1)
    assert commitment_online_checks_run(today=after) == {"kept": 0, "breached": 1, "failed": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.supervision_state == CommitmentSupervisionState.SUPERVISING
    assert second.fulfilment == CommitmentFulfilment.UNFULFILLED


def test_the_command_runs_the_online_check_for_a_day(
    shipped: Any, approver: Any, school: Any, scan: Any
) -> None:
    import io

    from django.core.management import CommandError, call_command

    made = _sign(approver, school, scan)
    out = io.StringIO()
    after = check_due_on(made) + dt.timedelta(days=1)
    call_command("commitments", "check-online", "--date", after.isoformat(), stdout=out)
    assert "违诺 1" in out.getvalue() and "breached 1" in out.getvalue()
    made.refresh_from_db()
    assert made.fulfilment == CommitmentFulfilment.UNFULFILLED
    with pytest.raises(CommandError):
        call_command("commitments", "check-online", "--date", "2027-13-01")
