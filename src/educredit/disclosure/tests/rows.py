"""Valid national rows to start tests from (copy, then change what the test is about)."""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2026, 4, 20)

SCHOOL_USCC = "91410100MA44BCDE15"
SOLE_TRADER_USCC = "92410100MA9ABCDE0D"
BUREAU_USCC = "11410102005566778A"  # 郑州市中原区教育局 (a made-up but valid code)
RESIDENT_ID = "41010519900307123X"


def penalty_row(**changes: str) -> dict[str, str]:
    """A valid 行政处罚 row about an organisation, fined."""
    row = {
        "CF_XDR_MC": "郑州市某某培训学校有限公司",
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": SCHOOL_USCC,
        "CF_FRDB": "张三",
        "CF_WSH": "郑中教罚〔2026〕12号",
        "CF_WFXW": "未经批准擅自举办培训机构",
        "CF_SY": "2026年3月经检查发现当事人未取得办学许可证开展学科类培训。",
        "CF_YJ": "《中华人民共和国民办教育促进法》第六十四条",
        "CF_CFLB": "警告;罚款",
        "CF_NR": "警告；罚款3.5万元",
        "CF_NR_FK": "3.5",
        "CF_JDRQ": "2026-04-01",
        "CF_YXQ": "2027-04-01",
        "CF_CFJG": "郑州市中原区教育局",
        "CF_CFJGDM": BUREAU_USCC,
        "CF_SJLY": "郑州市中原区教育局",
        "CF_SJLYDM": BUREAU_USCC,
    }
    row.update(changes)
    return row


def licence_row(**changes: str) -> dict[str, str]:
    """A valid 行政许可 row about an organisation."""
    row = {
        "XK_XDR_MC": "郑州市某某培训学校有限公司",
        "XK_XDR_LB": "法人及非法人组织",
        "XK_XDR_SHXYM": SCHOOL_USCC,
        "XK_FRDB": "张三",
        "XK_XKWS": "民办学校办学许可决定书",
        "XK_WSH": "郑中教许〔2026〕3号",
        "XK_XKLB": "普通",
        "XK_XKZS": "民办学校办学许可证",
        "XK_XKBH": "教民141010270000123号",
        "XK_NR": "准予设立民办非学历文化教育培训学校",
        "XK_JDRQ": "2026/04/01",
        "XK_YXQZ": "2026/04/01",
        "XK_YXQZI": "2099/12/31",
        "XK_XKJG": "郑州市中原区教育局",
        "XK_XKJGDM": BUREAU_USCC,
        "XK_ZT": "1",
        "XK_LYDW": "郑州市中原区教育局",
        "XK_LYDWDM": BUREAU_USCC,
    }
    row.update(changes)
    return row
