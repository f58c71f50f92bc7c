"""The platform simulator, spoken to over real HTTP as the worker does."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from educredit.exchange.simulator import PlatformSimulator
from educredit.exchange.tests.factories import penalty_row, uscc
from educredit.exchange.transports import HttpTransport, SendRow, TransportError


def _send(sim: PlatformSimulator, *rows: SendRow) -> list[dict[str, object]]:
    body = json.dumps({"rows": [r.__dict__ for r in rows]}).encode()
    request = urllib.request.Request(sim.batch_url, data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return list(json.loads(response.read())["receipts"])


def _fields(receipt: dict[str, object]) -> set[str]:
    reasons = receipt["reasons"]
    assert isinstance(reasons, list)
    return {reason["field"] for reason in reasons}


def test_good_rows_are_stored_once_and_a_second_sending_is_already_received(
    platform: PlatformSimulator,
) -> None:
    row = SendRow("k|1", "penalty", "add", penalty_row(1))
    first, again = _send(platform, row)[0], _send(platform, row)[0]
    assert first["accepted"] is True and first["duplicate"] is False
    assert again["accepted"] is True and again["duplicate"] is True
    assert again["reference"] == first["reference"]
    assert platform.stored_keys() == ["k|1"]
    assert platform.received_keys() == ["k|1", "k|1"]


def test_bad_rows_are_refused_with_reasons_and_not_stored(platform: PlatformSimulator) -> None:
    bad_code = uscc(7)[:-1] + ("0" if uscc(7)[-1] != "0" else "1")
    receipts = _send(
        platform,
        SendRow("k|1", "penalty", "add", penalty_row(1, CF_CFJGDM=bad_code)),
        SendRow("k|2", "penalty", "add", penalty_row(2, CF_CFLB="")),
        SendRow("k|3", "penalty", "add", penalty_row(3, CF_NR_FK="")),
        SendRow("k|4", "penalty", "add", penalty_row(4, CF_YXQ="2026-01-01")),
        SendRow("k|5", "penalty", "add", penalty_row(5, CF_XDR_SHXYM="00000000000000000X")),
        SendRow("k|6", "penalty", "add", penalty_row(6)),
    )
    assert [r["accepted"] for r in receipts] == [False] * 5 + [True]
    assert _fields(receipts[0]) == {"CF_CFJGDM"}
    assert "校验码" in str(receipts[0]["reasons"])
    assert _fields(receipts[1]) == {"CF_CFLB"}
    assert _fields(receipts[2]) == {"CF_NR_FK"}
    assert _fields(receipts[3]) == {"CF_YXQ"}
    assert _fields(receipts[4]) == {"CF_XDR_GSZC"}
    assert platform.stored_keys() == ["k|6"]


def test_a_sealed_identity_number_is_refused(platform: PlatformSimulator) -> None:
    receipt = _send(platform, SendRow("k|1", "penalty", "add", penalty_row(1, person=True)))[0]
    assert receipt["accepted"] is False
    assert _fields(receipt) == {"CF_XDR_ZJHM"}


def test_failing_slow_and_down(platform: PlatformSimulator) -> None:
    transport = HttpTransport(platform.batch_url, timeout=0.3)
    rows = [SendRow("k|1", "penalty", "add", penalty_row(1))]
    platform.control(fail=503)
    with pytest.raises(TransportError, match="503"):
        transport.send(rows)
    platform.control(fail=None, delay=1.0)
    with pytest.raises(TransportError):
        transport.send(rows)
    platform.control(delay=0)
    port = platform.port
    platform.go_down()
    with pytest.raises(TransportError, match="unreachable"):
        transport.send(rows)
    platform.come_back()
    assert platform.port == port
    assert transport.send(rows).receipts[0].accepted is True


def test_inbound_grades_and_dishonesty_lists(platform: PlatformSimulator) -> None:
    platform.set_inbound(
        evaluations=[{"uscc": uscc(5), "grade": "B", "evaluated_on": "2026-01-31"}],
        dishonesty=[
            {
                "uscc": uscc(6),
                "name": "某公司",
                "list_name": "拖欠农民工工资失信联合惩戒对象名单",
                "department": "河南省人力资源和社会保障厅",
                "listed_on": "2025-12-01",
            }
        ],
    )
    with urllib.request.urlopen(platform.url + "/api/v1/evaluations", timeout=5) as r:  # noqa: S310
        assert json.loads(r.read())["evaluations"][0]["grade"] == "B"
    with urllib.request.urlopen(platform.url + "/api/v1/dishonesty-lists", timeout=5) as r:  # noqa: S310
        assert json.loads(r.read())["entries"][0]["uscc"] == uscc(6)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(platform.url + "/nothing", timeout=5)  # noqa: S310
