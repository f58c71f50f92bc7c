"""The shipped evaluation standards (edition 1 of each subject kind), loaded by
``evaluation_standards_seed``.

Source: domain-rules §7.1 (Tianjin 《天津市学科类校外培训机构信用监管暂行办法》, 2022-12: 1 000
points, A 980–1000, B 950–979, C 900–949, D 800–899, E ≤ 799; "上一年度年度检查合格 40") and §12
("Grades": red-line events cap the grade whatever the score; missing the 年检 counts as 不合格).
Every number not in the reference is a named constant here and marked [U] in its note, for the
provincial office to confirm; the grading of schools and teachers is [U] throughout (the
reference gives no education-sector example for them).
"""

from __future__ import annotations

import datetime
from typing import Any

EFFECTIVE = datetime.date(2026, 1, 1)

TIANJIN = "《天津市学科类校外培训机构信用监管暂行办法》（2022-12，domain-rules §7.1）"
# §7.1's wording of the deductions the shipped count rules follow.
PER_OCCURRENCE = "§7.1 按次扣分：“广告合规 30（−10/次）”“按合同退费 100（−10/人次）”"
U = "[U] 参考资料未给出该分值，待省教育厅确认"

# --- training institutions: the Tianjin-style 1 000-point A–E standard (§7.1) ----------------
TRAINING_MAX = 1000
TRAINING_BANDS = [
    ("A", "优秀", 980),
    ("B", "良好", 950),
    ("C", "中等", 900),
    ("D", "较差", 800),
    ("E", "差", 0),
]
ANNUAL_INSPECTION_POINTS = 40  # §7.1: 上一年度年度检查合格 40
PENALTY_GENERAL_POINTS, PENALTY_GENERAL_DEDUCT = 100, 20  # [U]
PENALTY_SERIOUS_POINTS, PENALTY_SERIOUS_DEDUCT = 100, 50  # [U]
PENALTY_MINOR_POINTS, PENALTY_MINOR_DEDUCT = 30, 10  # [U]
BREACH_POINTS, BREACH_DEDUCT = 60, 30  # [U]
COMPLAINT_POINTS, COMPLAINT_DEDUCT = 50, 10  # [U], as §7.1's −10 per occurrence
PUBLIC_GRADE_POINTS = 100  # [U]
WINDOW_MONTHS = 12  # §12 red line "a serious penalty in 12 months"; the indicators' window [U]

TRAINING_INDICATORS: list[dict[str, Any]] = [
    {
        "code": "PX-01",
        "name": "上一年度年度检查合格",
        "points": ANNUAL_INSPECTION_POINTS,
        "rule": {
            "input": "annual_inspection",
            "map": {"优秀": 40, "合格": 40, "基本合格": 20, "不合格": 0, "未参加": 0},
        },
        "notes": f"{TIANJIN}：“上一年度年度检查合格 40”；基本合格 20 分为 [U]；"
        "未参加年检按不合格计（§12，湖北）。取最近一次 JY-NJ-01 年检结果。",
    },
    {
        "code": "PX-02",
        "name": "行政处罚（一般失信）",
        "points": PENALTY_GENERAL_POINTS,
        "rule": {
            "items": ["JY-CF-02"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": PENALTY_GENERAL_DEDUCT,
            "cap": PENALTY_GENERAL_POINTS,
        },
        "notes": f"{U}；依 {PER_OCCURRENCE} 的做法。",
    },
    {
        "code": "PX-03",
        "name": "行政处罚（严重失信）",
        "points": PENALTY_SERIOUS_POINTS,
        "rule": {
            "items": ["JY-CF-03"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": PENALTY_SERIOUS_DEDUCT,
            "cap": PENALTY_SERIOUS_POINTS,
        },
        "notes": f"{U}；依 {PER_OCCURRENCE} 的做法；另见红线 PX-R2（§12：红线事件限定等级）。",
    },
    {
        "code": "PX-04",
        "name": "行政处罚（轻微失信）",
        "points": PENALTY_MINOR_POINTS,
        "rule": {
            "items": ["JY-CF-01"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": PENALTY_MINOR_DEDUCT,
            "cap": PENALTY_MINOR_POINTS,
            "decay": {"half_life_months": 6},
        },
        "notes": f"{U}；依 {PER_OCCURRENCE} 的做法；轻微失信按半衰期 6 个月递减 [U]。",
    },
    {
        "code": "PX-05",
        "name": "违背信用承诺",
        "points": BREACH_POINTS,
        "rule": {
            "items": ["JY-CN-03", "JY-CN-04"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": BREACH_DEDUCT,
            "cap": BREACH_POINTS,
        },
        "notes": f"{U}；§7.1 天津指标表无违诺一项，依 {PER_OCCURRENCE} 的做法。",
    },
    {
        "code": "PX-06",
        "name": "投诉举报经核查属实",
        "points": COMPLAINT_POINTS,
        "rule": {
            "items": ["JY-TS-01"],
            "where": {"finding": ["属实", "部分属实"]},
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": COMPLAINT_DEDUCT,
            "cap": COMPLAINT_POINTS,
        },
        "notes": f"{U}；依 {PER_OCCURRENCE} 的做法；核查中、不属实的不计。",
    },
    {
        "code": "PX-07",
        "name": "公共信用综合评价等级",
        "points": PUBLIC_GRADE_POINTS,
        "rule": {"input": "public_grade", "map": {"A": 100, "B": 80, "C": 50, "D": 0}},
        "notes": "[R] 导入的公共信用综合评价等级 A/B/C/D（§7.3，未经标准原文核实）；§7.1 天津指标表"
        "无此项，分值 [U]；§7.3 设计：最终等级综合公共信用综合评价与行业评价。",
    },
]
TRAINING_NOTES = (
    f"依据 {TIANJIN}（domain-rules §7.1）：满分 1000 分，A ≥ 980、B 950–979、C 900–949、"
    "D 800–899、E ≤ 799。本版只收录可由信用记录计分的指标；天津指标表中由现场检查评分的其余指标"
    "（证照公示、收费、合同、退费等）尚未收录，其分值未分配 [U]。重大安全事故的红线待目录"
    "设立相应条目后加入 [U]（现行目录第 1 版无此条目）。"
)
TRAINING_RED_LINES: list[dict[str, Any]] = [
    {
        "code": "PX-R1",
        "name": "列入严重失信主体名单",
        "rule": {"list": "serious"},
        "cap_grade": "E",
        "notes": "§12：红线事件不论得分限定等级（北京做法）；§7.3：严重失信名单 ⇒ 最低等级。",
    },
    {
        "code": "PX-R2",
        "name": "12 个月内受到严重失信行政处罚",
        "rule": {"items": ["JY-CF-03"], "window_months": WINDOW_MONTHS},
        "cap_grade": "D",
        "notes": "§12：红线事件限定等级；至多 D 级为 [U]。",
    },
]

# --- public schools and universities: a 100-point A–D standard [U] ---------------------------
SCHOOL_MAX = 100
SCHOOL_BANDS = [("A", "优秀", 90), ("B", "良好", 80), ("C", "中等", 60), ("D", "较差", 0)]  # [U]
SCHOOL_INDICATORS: list[dict[str, Any]] = [
    {
        "code": "XX-01",
        "name": "行政处罚（一般失信）",
        "points": 20,
        "rule": {
            "items": ["JY-CF-02"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": 10,
            "cap": 20,
        },
        "notes": U,
    },
    {
        "code": "XX-02",
        "name": "行政处罚（严重失信）",
        "points": 20,
        "rule": {
            "items": ["JY-CF-03"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": 20,
            "cap": 20,
        },
        "notes": U,
    },
    {
        "code": "XX-03",
        "name": "违背信用承诺",
        "points": 15,
        "rule": {
            "items": ["JY-CN-03", "JY-CN-04"],
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": 10,
            "cap": 15,
        },
        "notes": U,
    },
    {
        "code": "XX-04",
        "name": "投诉举报经核查属实",
        "points": 15,
        "rule": {
            "items": ["JY-TS-01"],
            "where": {"finding": ["属实", "部分属实"]},
            "window_months": WINDOW_MONTHS,
            "aggregate": "count",
            "deduct_per": 5,
            "cap": 15,
        },
        "notes": U,
    },
    {
        "code": "XX-05",
        "name": "公共信用综合评价等级",
        "points": 20,
        "rule": {"input": "public_grade", "map": {"A": 20, "B": 16, "C": 10, "D": 0}},
        "notes": "[R] 公共信用综合评价等级（§7.3）；分值 [U]。",
    },
    {
        "code": "XX-06",
        "name": "表彰奖励",
        "points": 10,
        "rule": {
            "items": ["JY-BZ-01"],
            "where": {"level": ["国家级", "省级", "市级"]},
            "window_months": 36,
            "aggregate": "count",
            "award_per": 5,
            "cap": 10,
        },
        "notes": f"{U}；市级以上表彰每项加 5 分，至多 10 分。",
    },
]
SCHOOL_RED_LINES: list[dict[str, Any]] = [
    {
        "code": "XX-R1",
        "name": "列入严重失信主体名单",
        "rule": {"list": "serious"},
        "cap_grade": "D",
        "notes": "§12、§7.3：严重失信名单 ⇒ 最低等级。",
    },
]

# --- teachers: 师德 veto, honours as plus points, misconduct deductions [U] ------------------
TEACHER_MAX = 100
TEACHER_BANDS = [("A", "优秀", 90), ("B", "良好", 75), ("C", "合格", 60), ("D", "不合格", 0)]
# 处分 among JY-SD-02's handlings (批评教育 … 通报批评 are not 处分).
SANCTIONS = ["警告", "记过", "记大过", "降低岗位等级或撤职", "开除"]
TEACHER_INDICATORS: list[dict[str, Any]] = [
    {
        "code": "JS-01",
        "name": "师德考核优秀",
        "points": 10,
        "rule": {
            "items": ["JY-SD-01"],
            "where": {"grade": ["优秀"]},
            "window_months": WINDOW_MONTHS,
            "aggregate": "exists",
            "award_per": 10,
        },
        "notes": U,
    },
    {
        "code": "JS-02",
        "name": "师德失范行为处理",
        "points": 25,
        "rule": {
            "items": ["JY-SD-02"],
            "window_months": 24,
            "aggregate": "count",
            "deduct_per": 15,
            "cap": 25,
        },
        "notes": f"{U}；给予处分的另见红线 JS-R2。",
    },
    {
        "code": "JS-03",
        "name": "学术不端行为",
        "points": 25,
        "rule": {
            "items": ["JY-XS-01"],
            "window_months": 36,
            "aggregate": "count",
            "deduct_per": 25,
            "cap": 25,
        },
        "notes": U,
    },
    {
        "code": "JS-04",
        "name": "科研失信行为",
        "points": 25,
        "rule": {
            "items": ["JY-KY-01"],
            "window_months": 36,
            "aggregate": "count",
            "deduct_per": 25,
            "cap": 25,
        },
        "notes": U,
    },
    {
        "code": "JS-05",
        "name": "表彰奖励",
        "points": 15,
        "rule": {
            "items": ["JY-BZ-01"],
            "window_months": 36,
            "aggregate": "count",
            "award_per": 5,
            "cap": 15,
        },
        "notes": f"{U}；每项表彰加 5 分，至多 15 分。",
    },
]
TEACHER_RED_LINES: list[dict[str, Any]] = [
    {
        "code": "JS-R1",
        "name": "师德考核不合格",
        "rule": {"items": ["JY-SD-01"], "where": {"grade": ["不合格"]}, "window_months": 12},
        "cap_grade": "D",
        "notes": "师德一票否决：生效的师德考核不合格 ⇒ 最低等级；12 个月与师德考核否决期一致 [U]。",
    },
    {
        "code": "JS-R2",
        "name": "因师德失范受到处分",
        "rule": {"items": ["JY-SD-02"], "where": {"handling": SANCTIONS}},
        "cap_grade": "D",
        "notes": "师德一票否决：处分期内（sanction_until 前）的 JY-SD-02 处分 ⇒ 最低等级 [U]。",
    },
]

STANDARDS: list[dict[str, Any]] = [
    {
        "subject_kind": "training",
        "title": "民办学校和培训机构信用评价标准",
        "max_points": TRAINING_MAX,
        "notes": TRAINING_NOTES,
        "indicators": TRAINING_INDICATORS,
        "bands": TRAINING_BANDS,
        "red_lines": TRAINING_RED_LINES,
    },
    {
        "subject_kind": "school",
        "title": "公办学校和高等学校信用评价标准",
        "max_points": SCHOOL_MAX,
        "notes": "[U] 参考资料未给出学校的行业信用评价标准；"
        "沿用培训机构标准的记录指标，满分 100 分。",
        "indicators": SCHOOL_INDICATORS,
        "bands": SCHOOL_BANDS,
        "red_lines": SCHOOL_RED_LINES,
    },
    {
        "subject_kind": "teacher",
        "title": "教师信用评价标准",
        "max_points": TEACHER_MAX,
        "notes": "[U] 师德一票否决、表彰加分、学术不端和科研失信扣分；分值待省教育厅确认。",
        "indicators": TEACHER_INDICATORS,
        "bands": TEACHER_BANDS,
        "red_lines": TEACHER_RED_LINES,
    },
]
