"""Rows and helpers for the exchange tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from educredit.core.clock import BEIJING
from educredit.core.identifiers import uscc_check_character
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import seal_value
from educredit.exchange.services import outbox_enqueue

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)


def uscc(serial: int) -> str:
    """A valid credit code of a 机构编制 body in 郑州 (GB 32100 check character computed)."""
    first17 = f"11410100{serial:09d}"
    return first17 + uscc_check_character(first17)


BUREAU = uscc(1)


def penalty_row(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid penalty row on a company (``person=True`` in overrides: on a natural person)."""
    person = overrides.pop("person", False)
    row: dict[str, Any] = {
        "CF_XDR_MC": f"郑州某培训学校{n}",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": uscc(1000 + n),
        "CF_FRDB": "张三",
        "CF_WSH": f"中原教罚〔2026〕{n}号",
        "CF_WFXW": "未经批准擅自举办校外培训",
        "CF_SY": "经查，当事人未经批准开展学科类培训。",
        "CF_YJ": "《民办教育促进法》第六十四条",
        "CF_CFLB": "警告;罚款",
        "CF_NR": "警告;罚款5000元",
        "CF_NR_FK": "0.500000",
        "CF_JDRQ": "2026-02-27",
        "CF_YXQ": "2027-02-27",
        "CF_CFJG": "郑州市中原区教育局",
        "CF_CFJGDM": BUREAU,
        "CF_SJLY": "郑州市中原区教育局",
        "CF_SJLYDM": BUREAU,
    }
    if person:
        row.update(
            CF_XDR_LB="自然人",
            CF_XDR_SHXYM="",
            CF_FRDB="",
            CF_XDR_ZJLX="身份证",
            CF_XDR_ZJHM=seal_value("410105199001011234"),
        )
    row.update(overrides)
    return row


def enqueue_penalties(
    organisation: Any, count: int, *, start: int = 1, now: dt.datetime = T0, **overrides: Any
) -> list[OutboxItem]:
    return [
        outbox_enqueue(
            kind="penalty",
            operation="add",
            key=f"中原教罚〔2026〕{n}号|{BUREAU}|1",
            row=penalty_row(n, **overrides),
            organisation=organisation,
            source=organisation,
            now=now,
        )
        for n in range(start, start + count)
    ]
