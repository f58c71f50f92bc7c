"""The regimes of misconduct cases: one table per rule, each step citing its article.

A case runs ONE procedure (``procedure.py``); what differs by rule — who decides, which steps
it has (a hearing or not), the deadline of each step in calendar or working days, the appeal
window, the sanctions it may impose and the catalog item its finding becomes — is data here.
A case follows the regime edition in force on the day the case was reported
(``regime_in_force``), so a later rule never changes a case already under way, and every clock
is the case's own: an appeal window of 教育部令第40号 never runs on a 2022 research case.

Deadlines the published texts give are marked as such in ``source``; where the reference
(domain-rules §6, §12) found none, the value is a local choice kept in the setting
``EDUCREDIT_CASE_DEADLINES`` (``{"regime.step": days}``), flagged [U] for the provincial office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import OrganisationKind as K

BUREAUS = (K.PROVINCIAL_DEPARTMENT, K.CITY_BUREAU, K.COUNTY_BUREAU)
# Where the reference names a step but not its article: said so, never a guessed number.
UNNUMBERED = "（条文序号待核对）"


@dataclass(frozen=True)
class Deadline:
    """``days`` after the step's start, in calendar or working days, and where it comes from."""

    days: int
    working: bool
    source: str
    confirmed: bool = True  # False: a local choice, [U] in domain-rules §12


@dataclass(frozen=True)
class Regime:
    """One rule's procedure: bodies, steps with their articles, deadlines, sanctions, record."""

    code: str
    name: str | Promise
    basis: str  # the rule's own title and number, as published
    effective_from: dt.date
    deciding_kinds: tuple[str, ...]  # organisation kinds that may open and decide its cases
    subject_note: str | Promise  # whom it covers
    # Step → article (the steps of ``procedure.STEPS`` this regime has).
    articles: dict[str, str]
    # Step → the time the body (or the person, for ``defence`` and ``appeal``) has.
    deadlines: dict[str, Deadline]
    sanction_set: str  # ``clock.SANCTION_SETS`` key
    record_item: str  # the catalog item the finding becomes
    misconduct_types: tuple[str, ...]
    hearing: bool = False
    appeal_body: str | Promise = ""
    # What the decision cites for a teacher's 处分 and 其他处理 under this rule (the clock's
    # shared wording names both teacher-ethics 办法).
    sanction_basis: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def has_hearing(self) -> bool:
        return self.hearing

    def deadline(self, step: str) -> Deadline | None:
        """The step's deadline, a configured local value overriding an unconfirmed one."""
        chosen = self.deadlines.get(step)
        configured: dict[str, Any] = getattr(settings, "EDUCREDIT_CASE_DEADLINES", {}) or {}
        days = configured.get(f"{self.code}.{step}")
        if chosen is not None and days is not None and not chosen.confirmed:
            return replace(chosen, days=int(days))
        return chosen


def _local(days: int, *, working: bool = True) -> Deadline:
    return Deadline(
        days, working, "本地设定，待省教育厅确认（domain-rules §12 [U]）", confirmed=False
    )


ETHICS_TYPES_SCHOOL = (
    "在教育教学活动中及学生管理、评价中违背社会主义核心价值观",
    "损害党中央权威、违背党的路线方针政策的言行",
    "违反教学纪律，敷衍教学，或擅自从事影响教育教学本职工作的兼职兼薪行为",
    "歧视、侮辱学生，虐待、伤害学生",
    "对学生实施性骚扰或者与学生发生不正当关系",
    "在招生、考试、推优、保送及绩效考核、岗位聘用、职称评聘、评优评奖等工作中徇私舞弊、弄虚作假",
    "索要、收受学生及家长财物或者参加由学生及家长付费的宴请、旅游、娱乐休闲等活动",
    "组织、参与有偿补课，或为校外培训机构和他人介绍生源、提供相关信息",
    "其他违反职业道德的行为",
)
ETHICS_TYPES_KINDERGARTEN = (
    "在保育教育活动中违背社会主义核心价值观",
    "损害党中央权威、违背党的路线方针政策的言行",
    "在工作期间玩忽职守、消极怠工，或空岗、未经批准找人替班，利用职务之便兼职兼薪",
    "在保育教育过程中不尊重幼儿人格，存在歧视、侮辱幼儿，体罚和变相体罚、殴打、推搡等行为",
    "对幼儿实施猥亵、性骚扰等行为",
    "在入园招生、绩效考核、岗位聘用、职称评聘、评优评奖等工作中徇私舞弊、弄虚作假",
    "索要、收受幼儿家长财物或参加由家长付费的宴请、旅游、娱乐休闲等活动",
    "组织幼儿参加以营利为目的的表演、竞赛等活动，或泄露幼儿与家长的信息",
    "违反政治纪律的言论或行为",
    "不按规定安全管理，致使幼儿受到伤害",
    "其他违反职业道德的行为",
)
ACADEMIC_TYPES = (
    "剽窃、抄袭、侵占他人学术成果",
    "篡改他人研究成果",
    "伪造科研数据、资料、文献、注释，或者捏造事实、编造虚假研究成果",
    "不当署名",
    "提供虚假学术信息",
    "买卖论文、由他人代写或者为他人代写论文",
    "其他学术不端行为",
)
RESEARCH_TYPES = (
    "抄袭剽窃、侵占他人研究成果或项目申请书",
    "编造研究过程、伪造或篡改研究数据和结论",
    "买卖、代写、代投论文或项目申报验收材料",
    "以不正当手段获得科研活动审批、项目、经费、奖励、荣誉",
    "弄虚作假获得科技伦理审查批准",
    "违反署名规范",
    "违反学术出版规范",
    "其他科研失信行为",
)
# Aggravating circumstances (从重情节): the list of 教育部令第40号 §28 (verified); the 2022 research
# rules' own list is [R] in the reference, so the same words stand for it until confirmed.
RESEARCH_AGGRAVATING = (
    "造成恶劣影响",
    "利益输送或者利益交换",
    "对举报人进行打击报复",
    "有组织实施",
    "多次实施",
    "其他造成严重后果的情形",
)
DEGREE_TYPES = (
    "剽窃、抄袭、侵占他人学术成果",
    "伪造科研数据、资料、文献、注释，或者捏造事实、编造虚假研究成果",
    "买卖论文、由他人代写或者为他人代写论文",
)
EXAM_TYPES = ("违纪", "作弊", "由他人代考或代替他人参加考试", "组织作弊", "冒名顶替入学")

SCHOOL_ETHICS_BASIS = "《中小学教师违反职业道德行为处理办法（2018年修订）》（教师〔2018〕19号）"
KINDERGARTEN_ETHICS_BASIS = "《幼儿园教师违反职业道德行为处理办法》（教师〔2018〕19号）"
UNIVERSITY_ETHICS_BASIS = "《教育部关于高校教师师德失范行为处理的指导意见》（教师〔2018〕17号）"
ACADEMIC_BASIS = "《高等学校预防与处理学术不端行为办法》（教育部令第40号）"
RESEARCH_BASIS = "《科研失信行为调查处理规则》（国科发监〔2022〕221号）"
DEGREE_BASIS = "《中华人民共和国学位法》"
EXAM_BASIS = (
    "《国家教育考试违规处理办法》（教育部令第33号）；《中华人民共和国教育法》第七十七条、第七十九条"
)
TEACHER_APPEAL = "教师可依《中华人民共和国教师法》第三十九条向教育行政部门提出申诉"

# The reference gives the procedure as 第五条至第十一条 [R] without the article of each step.
_ETHICS_ARTICLES = {
    "accept": f"第五条至第十一条：调查核实{UNNUMBERED}",
    "investigate": f"第五条至第十一条：调查核实{UNNUMBERED}",
    "notify": f"第五条至第十一条：告知拟处理决定及事实、理由、依据{UNNUMBERED}",
    "defence": f"第五条至第十一条：听取陈述和申辩{UNNUMBERED}",
    "decide": "第三条（处分与其他处理）；第五条至第十一条："
    f"书面决定，载明事实、理由、依据、期限及救济途径{UNNUMBERED}",
    "appeal": "《中华人民共和国教师法》第三十九条（申诉）",
    "appeal_decide": "《中华人民共和国教师法》第三十九条（接到申诉的三十日内作出处理）",
}
# The kindergarten 办法's §3 is the school one's twin; the reference numbers no other article.
_KINDERGARTEN_ARTICLES = {
    **{step: text.split("：", 1)[-1] for step, text in _ETHICS_ARTICLES.items()},
    "decide": "第三条（处分与其他处理）；"
    f"书面决定，载明事实、理由、依据、期限及救济途径{UNNUMBERED}",
    "appeal": _ETHICS_ARTICLES["appeal"],
    "appeal_decide": _ETHICS_ARTICLES["appeal_decide"],
}
_ETHICS_DEADLINES = {
    "accept": _local(10),
    "investigate": _local(60),
    "defence": _local(5),
    "decide": _local(10),
    "appeal": _local(30, working=False),
    # 教师法 §39's 30 days are the education department's; the teacher's filing window is local.
    "appeal_decide": Deadline(
        30, False, "《中华人民共和国教师法》第三十九条：接到申诉的三十日内作出处理"
    ),
}

REGIMES: tuple[Regime, ...] = (
    Regime(
        code="ethics_school",
        name=_("中小学教师师德失范"),
        basis=SCHOOL_ETHICS_BASIS,
        effective_from=dt.date(2018, 11, 8),
        deciding_kinds=(K.SCHOOL, K.VOCATIONAL_SCHOOL, *BUREAUS),
        subject_note=_("普通中小学、中等职业学校、特殊教育学校等的教师（含民办学校）"),
        articles=_ETHICS_ARTICLES,
        deadlines=_ETHICS_DEADLINES,
        sanction_set="teacher_ethics",
        sanction_basis=f"{SCHOOL_ETHICS_BASIS}第三条",
        record_item="JY-SD-02",
        misconduct_types=ETHICS_TYPES_SCHOOL,
        appeal_body=_("上级教育行政部门（教师申诉）"),
        notes=(TEACHER_APPEAL,),
    ),
    Regime(
        code="ethics_kindergarten",
        name=_("幼儿园教师师德失范"),
        basis=KINDERGARTEN_ETHICS_BASIS,
        effective_from=dt.date(2018, 11, 8),
        deciding_kinds=(K.KINDERGARTEN, *BUREAUS),
        subject_note=_("公办、民办幼儿园教师"),
        articles=_KINDERGARTEN_ARTICLES,
        deadlines=_ETHICS_DEADLINES,
        sanction_set="teacher_ethics",
        sanction_basis=f"{KINDERGARTEN_ETHICS_BASIS}第三条",
        record_item="JY-SD-02",
        misconduct_types=ETHICS_TYPES_KINDERGARTEN,
        appeal_body=_("上级教育行政部门（教师申诉）"),
        notes=(TEACHER_APPEAL,),
    ),
    Regime(
        code="ethics_university",
        name=_("高校教师师德失范"),
        basis=UNIVERSITY_ETHICS_BASIS,
        effective_from=dt.date(2018, 11, 8),
        deciding_kinds=(K.UNIVERSITY, K.PROVINCIAL_DEPARTMENT),
        subject_note=_("高等学校教师，含研究生导师；师德考核实行一票否决"),
        articles={
            "accept": f"调查核实{UNNUMBERED}",
            "investigate": f"调查核实{UNNUMBERED}",
            "notify": f"告知拟处理意见{UNNUMBERED}",
            "defence": f"听取陈述申辩{UNNUMBERED}",
            "decide": "情节较轻的给予批评教育、诫勉谈话、责令检查、通报批评并取消相关资格；"
            "情节较重的给予处分；"
            "研究生导师限制招生名额、停止招生资格直至取消导师资格",
            "appeal": "《中华人民共和国教师法》第三十九条（申诉）",
            "appeal_decide": "《中华人民共和国教师法》第三十九条（接到申诉的三十日内作出处理）",
        },
        deadlines=_ETHICS_DEADLINES,
        sanction_set="teacher_ethics_university",
        sanction_basis=f"{UNIVERSITY_ETHICS_BASIS}；《事业单位工作人员处分规定》（2023年）",
        record_item="JY-SD-02",
        misconduct_types=ETHICS_TYPES_SCHOOL,
        appeal_body=_("学校教师申诉委员会或教育行政部门"),
        notes=("取消相关资格的执行期限不少于24个月",),
    ),
    Regime(
        code="academic_misconduct",
        name=_("高等学校学术不端"),
        basis=ACADEMIC_BASIS,
        effective_from=dt.date(2016, 9, 1),
        deciding_kinds=(K.UNIVERSITY,),
        subject_note=_("高等学校教学科研人员、管理人员和学生"),
        articles={
            "report": "第十三条（举报一般应以书面、实名方式提出）",
            "accept": f"受理{UNNUMBERED}",
            "investigate": f"调查、认定{UNNUMBERED}",
            "notify": f"告知拟处理意见{UNNUMBERED}",
            "defence": f"听取陈述和申辩{UNNUMBERED}",
            "decide": "第二十七条至第三十条（行为类型、情节严重、处理措施；"
            "处理决定书载明事实、处理意见和依据、救济途径和期限）",
            "appeal": "第三十三条（收到决定之日起30日内书面提出异议或者复核申请）",
            "appeal_accept": "第三十四条（15日内决定是否受理）",
        },
        deadlines={
            "accept": _local(15),
            "investigate": _local(90),
            "defence": _local(5),
            "decide": _local(15),
            "appeal": Deadline(30, False, "教育部令第40号第三十三条"),
            "appeal_accept": Deadline(15, False, "教育部令第40号第三十四条"),
            "appeal_decide": _local(30, working=False),
        },
        sanction_set="academic",
        record_item="JY-XS-01",
        misconduct_types=ACADEMIC_TYPES,
        appeal_body=_("学校学术委员会（复核）；不服的可向省级教育行政部门申诉"),
        notes=("异议不影响处理决定的执行（第三十三条）",),
    ),
    Regime(
        code="research_misconduct",
        name=_("科研失信行为"),
        basis=RESEARCH_BASIS,
        effective_from=dt.date(2022, 9, 14),
        deciding_kinds=(K.UNIVERSITY, K.OTHER, *BUREAUS),
        subject_note=_("科研人员、科研机构及其他参与科技活动的主体"),
        articles={
            "report": f"举报{UNNUMBERED}",
            "accept": f"受理{UNNUMBERED}",
            "investigate": f"调查{UNNUMBERED}",
            "notify": f"告知拟处理决定{UNNUMBERED}",
            "defence": f"听取陈述申辩{UNNUMBERED}",
            "hearing": f"听证{UNNUMBERED}",
            "decide": f"第二条（失信行为类型）；处理措施及从重情节{UNNUMBERED}",
            "appeal": f"申诉复查{UNNUMBERED}",
        },
        deadlines={
            "accept": _local(15),
            "investigate": _local(120),
            "defence": _local(10),
            "decide": _local(15),
            "appeal": _local(15),
            "appeal_accept": _local(15),
            "appeal_decide": _local(30),
        },
        sanction_set="research",
        record_item="JY-KY-01",
        misconduct_types=RESEARCH_TYPES,
        hearing=True,
        appeal_body=_("作出处理决定的单位（复查）"),
        notes=("惩戒档次（≤3年、3–5年、≥5年）与申诉期限待核对官方文本（domain-rules §12 [U]）",),
    ),
    Regime(
        code="degree_revocation",
        name=_("学位论文学术不端与撤销学位"),
        basis=DEGREE_BASIS,
        effective_from=dt.date(2025, 1, 1),
        deciding_kinds=(K.UNIVERSITY,),
        subject_note=_("学位申请人和学位获得者"),
        articles={
            "accept": "第三十七条",
            "investigate": "第三十七条第（一）项"
            "（学位论文或实践成果存在代写、剽窃、伪造等学术不端行为）",
            "notify": "第三十九条（告知拟作出决定的内容及事实、理由、依据）",
            "defence": "第三十九条（听取陈述和申辩）",
            "decide": "第三十七条（学位评定委员会决议不授予或撤销学位）",
            "appeal": "第四十一条（申请复核）",
            "appeal_decide": "第四十一条（受理之日起30日内作出复核决定）",
        },
        deadlines={
            "accept": _local(15),
            "investigate": _local(90),
            "defence": _local(5),
            "decide": _local(30, working=False),
            "appeal": _local(30, working=False),
            "appeal_accept": _local(15, working=False),
            "appeal_decide": Deadline(30, False, "《中华人民共和国学位法》第四十一条"),
        },
        sanction_set="degree",
        record_item="JY-XS-01",
        misconduct_types=DEGREE_TYPES,
        appeal_body=_("学位授予单位（复核）"),
    ),
    Regime(
        code="exam_violation",
        name=_("国家教育考试违规"),
        basis=EXAM_BASIS,
        effective_from=dt.date(2012, 9, 1),
        deciding_kinds=(K.OTHER, *BUREAUS),
        subject_note=_("国家教育考试的考生；由教育考试机构或教育行政部门认定和处理"),
        articles={
            "accept": f"考试机构认定{UNNUMBERED}",
            "investigate": f"考试机构认定{UNNUMBERED}",
            "notify": f"告知违规事实、处理依据和结论及陈述申辩权利{UNNUMBERED}",
            "defence": f"陈述申辩{UNNUMBERED}",
            "decide": f"违纪、作弊的认定与处理{UNNUMBERED}；"
            "《中华人民共和国教育法》第七十七条、第七十九条（停考期限）",
            "appeal": f"申请复核{UNNUMBERED}",
        },
        deadlines={
            "accept": _local(5),
            "investigate": _local(30),
            "defence": _local(3),
            "decide": _local(10),
            "appeal": _local(15, working=False),
            "appeal_accept": _local(5),
            "appeal_decide": _local(30, working=False),
        },
        sanction_set="exam",
        record_item="JY-KS-01",
        misconduct_types=EXAM_TYPES,
        appeal_body=_("处理机关的上一级教育考试机构或教育行政部门"),
    ),
)

BY_CODE: dict[str, Regime] = {regime.code: regime for regime in REGIMES}


def regime_in_force(code: str, on: dt.date) -> Regime | None:
    """The regime with this code in force on a day (``None``: unknown, or not yet in force)."""
    regime = BY_CODE.get(code)
    if regime is None or on < regime.effective_from:
        return None
    return regime


def regimes_for_kind(kind: str) -> list[Regime]:
    """The regimes an organisation of this kind may open cases under."""
    return [regime for regime in REGIMES if kind in regime.deciding_kinds]
