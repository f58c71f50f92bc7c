"""Commitments reach the platform in the 信用承诺信息 layout: the simulator checks them as the
platform would (domain rules §4.2 and §12) and the outbox delivers them like decisions."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from educredit.exchange import commitment_layout as cn
from educredit.exchange.choices import OutboxStatus
from educredit.exchange.rows import seal_value
from educredit.exchange.services import OutboxError, outbox_enqueue
from educredit.exchange.simulator import PlatformSimulator
from educredit.exchange.tests.factories import BUREAU, T0, uscc
from educredit.exchange.worker import outbox_send_due


def commitment_row(**overrides: Any) -> dict[str, Any]:
    """A 审批替代型 commitment of a private school, as made, under supervision."""
    row: dict[str, Any] = {
        "code": "41010220260302000007",
        "subjectName": "郑州市中原区明理教育培训学校",
        "subjectCategory": "法人及非法人组织",
        "identify": uscc(2001),
        "commitmentTypeId": "审批替代型",
        "reason": "申请变更民办学校办学许可证（办学地址）",
        "content": "本单位承诺新办学场所符合办学条件，于受理后二十个工作日内取得消防验收合格文件。",
        "liabilityBreachCommitment": "承诺不实的，撤销变更许可，记入信用记录。",
        "commitmentDate": "2026-03-02",
        "commitmentValidity": "2026-12-31",
        "superviseStatus": "监管中",
        "acceptanceUnit": "郑州市中原区教育局",
        "acceptanceUnitIdentify": BUREAU,
        "publicationType": "可向社会公开",
    }
    row.update(overrides)
    return row


def _send(sim: PlatformSimulator, *rows: tuple[str, str, dict[str, Any]]) -> list[Any]:
    body = json.dumps(
        {"rows": [{"key": k, "kind": "commitment", "operation": op, "row": r} for k, op, r in rows]}
    ).encode()
    request = urllib.request.Request(sim.batch_url, data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return list(json.loads(response.read())["receipts"])


def _fields(receipt: dict[str, Any]) -> set[str]:
    return {reason["field"] for reason in receipt["reasons"]}


def test_a_commitment_and_its_fulfilment_are_accepted(platform: PlatformSimulator) -> None:
    made = commitment_row()
    kept = commitment_row(
        superviseStatus="监管完成",
        fulfillmentStatus="全部履行",
        fulfillmentStatusDate="2026-04-01",
        acceptanceConfirmUnit="郑州市中原区教育局",
        acceptanceConfirmUnitIdentify=BUREAU,
    )
    receipts = _send(
        platform,
        (cn.commitment_key(made["code"], 1), "add", made),
        (cn.commitment_key(made["code"], 2), "change", kept),
    )
    assert [r["accepted"] for r in receipts] == [True, True], receipts
    assert platform.stored_keys() == ["CN|41010220260302000007|1", "CN|41010220260302000007|2"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # §12: the supervision state is not a fulfilment result.
        ({"fulfillmentStatus": "监管中"}, "fulfillmentStatus"),
        ({"superviseStatus": "全部履行"}, "superviseStatus"),
        # Unfulfilled: what was not done and the liability pursued are required.
        (
            {
                "superviseStatus": "监管完成",
                "fulfillmentStatus": "部分履行",
                "liabilityBreachCommitmentContent": "撤销变更许可",
            },
            "unperformedCommitmentContent",
        ),
        (
            {
                "superviseStatus": "监管完成",
                "fulfillmentStatus": "全部未履行",
                "unperformedCommitmentContent": "未取得消防验收",
            },
            "liabilityBreachCommitmentContent",
        ),
        ({"superviseStatus": "监管完成"}, "fulfillmentStatus"),
        ({"code": "4101022026030200007"}, "code"),  # 19 digits
        ({"code": "41010220261302000007"}, "code"),  # month 13
        ({"code": "41010220260303000007"}, "code"),  # not the date made
        ({"commitmentTypeId": "告知承诺型"}, "commitmentTypeId"),
        ({"publicationType": "公开"}, "publicationType"),
        ({"liabilityBreachCommitment": ""}, "liabilityBreachCommitment"),
        (
            {"acceptanceUnitIdentify": BUREAU[:-1] + ("0" if BUREAU[-1] != "0" else "1")},
            "acceptanceUnitIdentify",
        ),
        ({"commitmentValidity": "2026-01-01"}, "commitmentValidity"),
    ],
)
def test_a_bad_commitment_row_is_refused_naming_its_field(
    platform: PlatformSimulator, changes: dict[str, str], field: str
) -> None:
    (receipt,) = _send(platform, ("CN|x|1", "add", commitment_row(**changes)))
    assert receipt["accepted"] is False
    assert _fields(receipt) == {field}, receipt["reasons"]
    assert platform.stored_keys() == []


def test_a_commitment_cannot_be_revoked_as_a_decision_is(platform: PlatformSimulator) -> None:
    (receipt,) = _send(platform, ("CN|x|1", "revoke", commitment_row()))
    assert receipt["accepted"] is False and _fields(receipt) == {"operation"}


@pytest.mark.django_db
def test_the_outbox_delivers_a_commitment_with_the_persons_number_sealed_until_sent(
    county: Any, platform: PlatformSimulator, settings: Any
) -> None:
    settings.EDUCREDIT_EXCHANGE_URL = platform.batch_url
    row = commitment_row(
        subjectName="张明", subjectCategory="自然人", identify="410105199001011234"
    )
    with pytest.raises(OutboxError, match="sealed"):
        outbox_enqueue(
            kind="commitment",
            operation="add",
            key="CN|a|1",
            row=row,
            organisation=county,
            source=county,
        )
    sealed = {**row, "identify": seal_value(row["identify"])}
    item = outbox_enqueue(
        kind="commitment",
        operation="add",
        key=cn.commitment_key(row["code"], 1),
        row=sealed,
        organisation=county,
        source=county,
        now=T0,
    )
    assert "410105199001011234" not in json.dumps(item.row)
    assert (item.decision_number, item.party_name) == (row["code"], "张明")
    outbox_send_due(now=T0)
    item.refresh_from_db()
    assert item.status == OutboxStatus.DELIVERED, item.last_error
    stored = platform.state.stored[item.key]
    assert stored["kind"] == "commitment"
    assert stored["row"]["identify"] == "410105199001011234"
