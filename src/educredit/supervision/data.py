"""The shipped graded supervision policy (edition 1), loaded by ``supervision_policy_seed``.

Sources (cited as the references give them):

- Rates by risk class 100 / 20 / 8 / 4 / 1 %: Henan market regulation (2020), which lowered the
  overall rate from 5 % to 4 % (domain-rules §12). **[U]** for education: the provincial
  education office is to confirm them for its own subjects.
- The mapping of grades to intensity: Tianjin 《天津市学科类校外培训机构信用监管暂行办法》
  (2022-12, domain-rules §7.1): A/B 合理降低抽查比例和频次, C 常规比例和频次, D 适当提高抽查比例和
  频次, E 按重点检查事项要求，抽查比例不设上限 (here: all of them).
- The measures: 《河南省社会信用条例》§30(四) 守信 ⇒ 日常监管中减少检查频次; §32(五) 失信 ⇒
  列为重点监管对象，增加监管频次 (domain-rules §7.2).
- The education floor: 镇平县教育体育局 (2022) — at least 5 % of supervised subjects, at least once
  a year, more for frequent complaints or serious violations (engineering anchors §4).
- Complaint hot-spots: no public source gives the numbers; 3 complaints in 12 months is **[U]**.
"""

from __future__ import annotations

import datetime
from typing import Any

from educredit.supervision.choices import GradePolicyMeasure, MandatoryClassCode

EFFECTIVE = datetime.date(2026, 1, 1)
POLICY_TITLE = "河南省教育领域分级分类监管抽查比例（2026年版）"
POLICY_NOTES = (
    "抽查比例按河南省市场监管部门2020年按风险分类确定的100%、20%、8%、4%、1%设置（教育领域待省教育厅确认）；"
    "等级与监管强度的对应参照《天津市学科类校外培训机构信用监管暂行办法》（2022年12月）："
    "A、B级合理降低抽查比例和频次，C级常规比例和频次，D级适当提高抽查比例和频次，E级抽查比例不设上限；"
    "监管措施依据《河南省社会信用条例》第三十条第四项、第三十二条第五项；"
    "最低要求参照镇平县教育体育局（2022年）：抽查比例不低于监管对象的5%，每年至少检查一次。"
)
# The education floor (镇平县教育体育局 2022, engineering anchors §4).
FLOOR_RATE = 5
FLOOR_VISITS_PER_YEAR = 1
# Complaint hot-spots (投诉集中): N complaints within M months. [U] no public source.
COMPLAINT_HOTSPOT_COUNT = 3
COMPLAINT_HOTSPOT_MONTHS = 12

HENAN_RATE_SOURCE = (
    "河南省市场监管部门（2020年）按风险分类抽查比例100%/20%/8%/4%/1%；教育领域待确认"
)

GRADES: list[dict[str, Any]] = [
    {
        "grade": "A",
        "label": "优秀",
        "sampling_rate": 1,
        "minimum_count": 1,
        "visits_per_year": 1,
        "mandatory": False,
        "measure": GradePolicyMeasure.FEWER_CHECKS,
        "notes": f"天津办法：合理降低抽查比例和频次。{HENAN_RATE_SOURCE}",
    },
    {
        "grade": "B",
        "label": "良好",
        "sampling_rate": 4,
        "minimum_count": 1,
        "visits_per_year": 1,
        "mandatory": False,
        "measure": GradePolicyMeasure.FEWER_CHECKS,
        "notes": f"天津办法：合理降低抽查比例和频次。{HENAN_RATE_SOURCE}",
    },
    {
        "grade": "C",
        "label": "中等",
        "sampling_rate": 8,
        "minimum_count": 1,
        "visits_per_year": 1,
        "mandatory": False,
        "measure": GradePolicyMeasure.BASELINE,
        "notes": f"天津办法：常规比例和频次。{HENAN_RATE_SOURCE}",
    },
    {
        "grade": "D",
        "label": "较差",
        "sampling_rate": 20,
        "minimum_count": 1,
        "visits_per_year": 2,
        "mandatory": False,
        "measure": GradePolicyMeasure.KEY_TARGET,
        "notes": (
            "天津办法：适当提高抽查比例和频次，依法依规实行严管；条例第三十二条第五项。"
            f"{HENAN_RATE_SOURCE}；每年检查次数待确认"
        ),
    },
    {
        "grade": "E",
        "label": "差",
        "sampling_rate": 100,
        "minimum_count": 1,
        "visits_per_year": 2,
        "mandatory": True,
        "measure": GradePolicyMeasure.KEY_TARGET,
        "notes": (
            "天津办法：按重点检查事项要求，抽查比例不设上限（全部检查）；条例第三十二条第五项。"
            f"{HENAN_RATE_SOURCE}；每年检查次数待确认"
        ),
    },
]

MANDATORY_CLASSES: list[dict[str, Any]] = [
    {
        "code": MandatoryClassCode.LOWEST_GRADE,
        "name": "最低信用等级（E级）",
        "enabled": True,
        "notes": "天津办法：E级抽查比例不设上限。",
    },
    {
        "code": MandatoryClassCode.COMPLAINT_HOTSPOT,
        "name": "投诉集中",
        "enabled": True,
        "complaint_count": COMPLAINT_HOTSPOT_COUNT,
        "complaint_months": COMPLAINT_HOTSPOT_MONTHS,
        "notes": "镇平县教育体育局（2022年）：投诉频繁的增加检查；次数和月数待确认。",
    },
    {
        "code": MandatoryClassCode.EARLY_WARNING,
        "name": "失信预警",
        "enabled": False,
        "notes": "失信预警规则上线后启用（条例第五十七条 信用风险提示和预警监测）。",
    },
]
