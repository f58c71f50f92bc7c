"""The one sanction clock (处分期与惩戒期限): every sanction's start, end and legal basis.

Every term a case decides is computed here and nowhere else: the kinds of sanction and
measure with their statutory durations (``RULES``), which kinds each regime may impose
(``SANCTION_SETS``), and ``sanction_terms``, which turns a decision's requested sanctions into
terms — refusing a duration its rule does not allow, executing only the heaviest of several
disciplinary sanctions of different kinds, combining several of the same kind within the
statutory bounds, and keeping a person's overlapping disciplinary sanctions under the
48-month cap where the law caps them (政务处分法 §15).

Ends are exclusive: a term lifts ON its end day (``ends_on`` is the first day free), which is
how ``sanctions.Restriction`` reads the dates the decision's record carries. A demotion or a
removal from post lifts on its day but is not undone (政务处分法 §26): ``reverses`` says what
the lift restores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from educredit.records.windows import add_months

CAP_MONTHS = 48  # 政务处分法 §15
GOVERNMENT_SANCTIONS = "《中华人民共和国公职人员政务处分法》"
TEACHER_QUAL = "《教师资格条例》"


def in_chinese(text: str | Promise) -> str:
    """A label as the written decision and the record carry it: in Chinese, whatever the
    language of the page the decision was taken on."""
    with translation.override("zh-hans"):
        return str(text)


@dataclass(frozen=True)
class TermRule:
    """One kind of sanction or measure and the term its rule gives it."""

    kind: str
    label: str | Promise
    basis: str
    months: int | None = None  # a fixed term
    min_months: int | None = None  # a term the decision chooses within bounds
    max_months: int | None = None
    permanent: bool = False
    disciplinary: bool = False  # a 处分: heaviest-only and the cap apply
    rank: int = 0  # among disciplinary sanctions, the heavier the higher
    reverses: bool = True  # whether lifting restores what the sanction took

    @property
    def instant(self) -> bool:
        """A measure taken once, with no term to run (批评教育, 撤销学位)."""
        return (
            not self.permanent
            and self.months is None
            and self.min_months is None
            and self.max_months is None
        )

    @property
    def chooses_months(self) -> bool:
        return self.months is None and (self.min_months is not None or self.max_months is not None)

    def bounds_text(self) -> str:
        if self.months is not None:
            return gettext("%(months)s个月") % {"months": self.months}
        low, high = self.min_months, self.max_months
        if low is not None and high is not None:
            return gettext("%(low)s至%(high)s个月") % {"low": low, "high": high}
        if low is not None:
            return gettext("不少于%(low)s个月") % {"low": low}
        return gettext("不超过%(high)s个月") % {"high": high}


ETHICS = (
    "《中小学教师违反职业道德行为处理办法（2018年修订）》第三条；"
    "《幼儿园教师违反职业道德行为处理办法》第三条"
)
UNIVERSITY = "《教育部关于高校教师师德失范行为处理的指导意见》"
ACADEMIC = "《高等学校预防与处理学术不端行为办法》第二十九条"
RESEARCH = "《科研失信行为调查处理规则》（国科发监〔2022〕221号）"
RESEARCH_TIERS = "惩戒档次（≤3年、3–5年、≥5年）待核对官方文本（domain-rules §12 [U]）"
DEGREE = "《中华人民共和国学位法》第三十七条"
EDUCATION_LAW = "《中华人民共和国教育法》"

_RULES: tuple[TermRule, ...] = (
    # 其他处理 — no term to run, or a disqualification of at least 24 months.
    TermRule("criticism", _("批评教育"), ETHICS),
    TermRule("admonition", _("诫勉谈话"), ETHICS),
    TermRule("self_examination", _("责令检查"), ETHICS),
    TermRule("circulated_criticism", _("通报批评"), ETHICS),
    TermRule(
        "disqualification",
        _("取消评奖评优、职务晋升、职称评定、岗位聘用、工资晋级、申报人才计划等资格"),
        f"{ETHICS}（取消资格执行期限不得少于24个月）；{UNIVERSITY}",
        min_months=24,
    ),
    # 处分 of teachers (师德失范 办法 §3; 事业单位工作人员处分规定).
    TermRule("warning", _("警告"), ETHICS, months=6, disciplinary=True, rank=1),
    TermRule("demerit", _("记过"), ETHICS, months=12, disciplinary=True, rank=2),
    TermRule(
        "demotion_or_removal",
        _("降低岗位等级或撤职"),
        ETHICS,
        months=24,
        disciplinary=True,
        rank=4,
        reverses=False,
    ),
    TermRule("dismissal", _("开除"), ETHICS, permanent=True, disciplinary=True, rank=9),
    # 政务处分 of managers in public schools (政务处分法 §8, §20).
    TermRule(
        "gov_warning",
        _("警告（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条",
        months=6,
        disciplinary=True,
        rank=1,
    ),
    TermRule(
        "gov_demerit",
        _("记过（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条",
        months=12,
        disciplinary=True,
        rank=2,
    ),
    TermRule(
        "gov_major_demerit",
        _("记大过（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条",
        months=18,
        disciplinary=True,
        rank=3,
    ),
    TermRule(
        "gov_demotion",
        _("降级（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条、第二十六条",
        months=24,
        disciplinary=True,
        rank=4,
        reverses=False,
    ),
    TermRule(
        "gov_removal",
        _("撤职（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条、第二十六条",
        months=24,
        disciplinary=True,
        rank=5,
        reverses=False,
    ),
    TermRule(
        "gov_dismissal",
        _("开除（政务处分）"),
        f"{GOVERNMENT_SANCTIONS}第八条",
        permanent=True,
        disciplinary=True,
        rank=9,
    ),
    # Graduate supervisors (高校师德 指导意见).
    TermRule(
        "supervisor_quota",
        _("限制研究生招生名额"),
        UNIVERSITY,
        min_months=24,
    ),
    TermRule(
        "supervisor_suspension",
        _("停止研究生招生资格"),
        UNIVERSITY,
        min_months=24,
    ),
    TermRule("supervisor_revocation", _("取消研究生导师资格"), UNIVERSITY, permanent=True),
    # Teacher qualification (教师资格条例 §18, §19).
    TermRule(
        "qualification_revocation",
        _("撤销教师资格（5年内不得重新申请认定）"),
        f"{TEACHER_QUAL}第十九条",
        months=60,
    ),
    TermRule(
        "qualification_loss",
        _("丧失教师资格（不能重新取得）"),
        f"《中华人民共和国教师法》第十四条；{TEACHER_QUAL}第十八条",
        permanent=True,
    ),
    # Academic misconduct (教育部令第40号 §29).
    TermRule("project_termination", _("终止或者撤销相关科研项目"), ACADEMIC),
    TermRule(
        "application_ban",
        _("一定期限内取消科研项目申请资格"),
        f"{ACADEMIC}第（二）项",
        min_months=1,
    ),
    TermRule("award_revocation", _("撤销学术奖励或者荣誉称号"), ACADEMIC),
    TermRule("contract_termination", _("辞退或者解聘"), ACADEMIC),
    # Research misconduct (国科发监〔2022〕221号): the three tiers of the ban [U].
    TermRule("research_admonition", _("科研诚信诫勉谈话"), RESEARCH),
    TermRule(
        "research_suspension",
        _("暂停财政性资金支持的科技活动，限期整改"),
        RESEARCH,
    ),
    TermRule(
        "research_ban_light",
        _("禁止承担或参与财政性资金支持的科技活动（情节较轻）"),
        f"{RESEARCH}；{RESEARCH_TIERS}",
        min_months=1,
        max_months=36,
    ),
    TermRule(
        "research_ban_heavy",
        _("禁止承担或参与财政性资金支持的科技活动（情节较重）"),
        f"{RESEARCH}；{RESEARCH_TIERS}",
        min_months=36,
        max_months=60,
    ),
    TermRule(
        "research_ban_grave",
        _("禁止承担或参与财政性资金支持的科技活动（情节严重）"),
        f"{RESEARCH}；{RESEARCH_TIERS}",
        min_months=60,
    ),
    # Degrees (学位法 §37).
    TermRule("degree_deferral", _("暂缓授予学位"), DEGREE),
    TermRule("degree_refusal", _("不授予学位"), DEGREE),
    TermRule("degree_revocation", _("撤销学位"), DEGREE),
    # National education exams (教育部令第33号; 教育法 §77, §79; 教师资格条例 §20).
    TermRule("score_void_subject", _("该科目考试成绩无效"), "《国家教育考试违规处理办法》（违纪）"),
    TermRule("score_void_all", _("当次考试各科成绩无效"), "《国家教育考试违规处理办法》（作弊）"),
    TermRule(
        "exam_ban",
        _("停止参加相关国家教育考试（1年以上3年以下）"),
        f"{EDUCATION_LAW}第七十九条",
        min_months=12,
        max_months=36,
    ),
    TermRule(
        "exam_ban_impersonation",
        _("停止参加相关国家教育考试（冒名顶替，2年以上5年以下）"),
        f"{EDUCATION_LAW}第七十七条",
        min_months=24,
        max_months=60,
    ),
    TermRule(
        "teacher_exam_ban",
        _("3年内不得再次参加教师资格考试"),
        f"{TEACHER_QUAL}第二十条",
        months=36,
    ),
    TermRule("admission_revocation", _("撤销入学资格"), f"{EDUCATION_LAW}第七十七条"),
)
RULES: dict[str, TermRule] = {rule.kind: rule for rule in _RULES}

_TEACHER = (
    "criticism",
    "admonition",
    "self_examination",
    "circulated_criticism",
    "disqualification",
    "warning",
    "demerit",
    "demotion_or_removal",
    "dismissal",
    "qualification_revocation",
    "qualification_loss",
)
_GOVERNMENT = (
    "gov_warning",
    "gov_demerit",
    "gov_major_demerit",
    "gov_demotion",
    "gov_removal",
    "gov_dismissal",
)
SANCTION_SETS: dict[str, tuple[str, ...]] = {
    "teacher_ethics": _TEACHER,
    "teacher_ethics_university": (
        *_TEACHER,
        "supervisor_quota",
        "supervisor_suspension",
        "supervisor_revocation",
    ),
    "academic": (
        "circulated_criticism",
        "project_termination",
        "application_ban",
        "award_revocation",
        "contract_termination",
        "warning",
        "demerit",
        "demotion_or_removal",
        "dismissal",
        "degree_deferral",
        "degree_refusal",
        "degree_revocation",
    ),
    "research": (
        "research_admonition",
        "circulated_criticism",
        "research_suspension",
        "project_termination",
        "award_revocation",
        "research_ban_light",
        "research_ban_heavy",
        "research_ban_grave",
        "supervisor_suspension",
        "degree_revocation",
    ),
    "degree": ("degree_deferral", "degree_refusal", "degree_revocation"),
    "exam": (
        "score_void_subject",
        "score_void_all",
        "exam_ban",
        "exam_ban_impersonation",
        "teacher_exam_ban",
        "admission_revocation",
    ),
}
# The qualification measures a case records as their own JY-ZG records (教师资格限制库).
QUALIFICATION_ITEMS = {"qualification_revocation": "JY-ZG-01", "qualification_loss": "JY-ZG-02"}
# Managers of public schools are sanctioned under 政务处分法 (§20), capped at 48 months (§15).
CAPPED_KINDS = frozenset(_GOVERNMENT)


def kinds_for(sanction_set: str, *, public_official: bool) -> tuple[str, ...]:
    """The kinds a case may impose: its regime's set, plus 政务处分 for public officials."""
    kinds = SANCTION_SETS[sanction_set]
    return (*kinds, *_GOVERNMENT) if public_official else kinds


@dataclass(frozen=True)
class Requested:
    """One sanction a decision asks for: its kind and, where the rule lets it choose, months."""

    kind: str
    months: int | None = None


@dataclass(frozen=True)
class Term:
    """A sanction as the clock runs it."""

    kind: str
    label: str
    basis: str
    starts_on: dt.date
    ends_on: dt.date | None  # exclusive; None: permanent, or no term to run
    months: int | None
    permanent: bool = False
    absorbed: bool = False  # a lighter 处分 of a different kind: the heaviest is executed
    capped: bool = False  # cut at the 48-month cap with earlier overlapping sanctions
    reverses: bool = True

    def in_force(self, day: dt.date) -> bool:
        if self.absorbed or day < self.starts_on:
            return False
        if self.permanent:
            return True
        return self.ends_on is not None and day < self.ends_on


@dataclass(frozen=True)
class EarlierTerm:
    """A person's earlier capped sanction, as the clock needs it for the cap."""

    starts_on: dt.date
    ends_on: dt.date | None


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="sanction_term")


def _months_for(rule: TermRule, months: int | None) -> int | None:
    """The term's months, refused when the rule does not allow it."""
    if rule.permanent or rule.instant:
        if months:
            raise _refuse(
                gettext("“%(kind)s”没有执行期限，不能指定月数（%(basis)s）")
                % {"kind": rule.label, "basis": rule.basis}
            )
        return None
    if rule.months is not None:
        if months not in (None, rule.months):
            raise _refuse(
                gettext("“%(kind)s”的期限为%(bounds)s，不能改为%(months)s个月（%(basis)s）")
                % {
                    "kind": rule.label,
                    "bounds": rule.bounds_text(),
                    "months": months,
                    "basis": rule.basis,
                }
            )
        return rule.months
    if months is None or months <= 0:
        raise _refuse(
            gettext("请填写“%(kind)s”的期限（%(bounds)s，%(basis)s）")
            % {"kind": rule.label, "bounds": rule.bounds_text(), "basis": rule.basis}
        )
    too_short = rule.min_months is not None and months < rule.min_months
    too_long = rule.max_months is not None and months > rule.max_months
    if too_short or too_long:
        raise _refuse(
            gettext("“%(kind)s”的期限应为%(bounds)s，%(months)s个月不符合规定（%(basis)s）")
            % {
                "kind": rule.label,
                "bounds": rule.bounds_text(),
                "months": months,
                "basis": rule.basis,
            }
        )
    return months


def _term(rule: TermRule, start: dt.date, months: int | None) -> Term:
    return Term(
        kind=rule.kind,
        label=in_chinese(rule.label),
        basis=rule.basis,
        starts_on=start,
        ends_on=None if months is None else add_months(start, months),
        months=months,
        permanent=rule.permanent,
        reverses=rule.reverses,
    )


def _chain_start(start: dt.date, earlier: Iterable[EarlierTerm]) -> dt.date:
    """The start of the run of overlapping capped sanctions the new one joins."""
    chain = start
    for term in sorted(earlier, key=lambda t: t.starts_on, reverse=True):
        if term.starts_on <= chain and (term.ends_on is None or term.ends_on > chain):
            chain = term.starts_on
    return chain


def sanction_terms(
    *,
    allowed: Sequence[str],
    start: dt.date,
    requested: Sequence[Requested],
    combined_months: int | None = None,
    earlier_capped: Iterable[EarlierTerm] = (),
) -> list[Term]:
    """The terms a decision imposes, or ``ValidationError`` naming the rule it breaks.

    - every kind must be one the regime allows, at most once unless it is a 处分 combined;
    - a term within its rule's bounds (fixed terms cannot be changed);
    - several 处分 of different kinds: only the heaviest runs, the others are kept as absorbed;
    - several of the same kind (政务处分法 §15): one term of ``combined_months``, at least one
      period and at most their sum and 48 months;
    - 政务处分 overlapping the person's earlier ones: the run ends at most 48 months after it
      began.
    """
    if not requested:
        raise _refuse(gettext("处理决定至少应有一项处理或处分"))
    unknown = [item.kind for item in requested if item.kind not in allowed]
    if unknown:
        labels = "、".join(str(RULES[k].label) if k in RULES else k for k in unknown)
        raise _refuse(gettext("本案适用的规定不能作出以下处理：%(kinds)s") % {"kinds": labels})
    terms: list[Term] = []
    disciplinary: list[tuple[TermRule, Requested]] = []
    seen: set[str] = set()
    for item in requested:
        rule = RULES[item.kind]
        if rule.disciplinary:
            disciplinary.append((rule, item))
            continue
        if item.kind in seen:
            raise _refuse(gettext("“%(kind)s”重复") % {"kind": rule.label})
        seen.add(item.kind)
        terms.append(_term(rule, start, _months_for(rule, item.months)))
    if disciplinary:
        terms = (
            _disciplinary_terms(disciplinary, start, combined_months, list(earlier_capped)) + terms
        )
    return terms


def _disciplinary_terms(
    chosen: list[tuple[TermRule, Requested]],
    start: dt.date,
    combined_months: int | None,
    earlier: list[EarlierTerm],
) -> list[Term]:
    heaviest = max(rule.rank for rule, _item in chosen)
    executed = [(rule, item) for rule, item in chosen if rule.rank == heaviest]
    absorbed = [
        Term(
            kind=rule.kind,
            label=in_chinese(rule.label),
            basis=f"{GOVERNMENT_SANCTIONS}第十五条：执行其中最重的处分",
            starts_on=start,
            ends_on=start,
            months=None,
            absorbed=True,
            reverses=rule.reverses,
        )
        for rule, _item in chosen
        if rule.rank != heaviest
    ]
    rule = executed[0][0]
    months = _months_for(rule, executed[0][1].months)
    if len(executed) > 1:
        months = _combined(rule, len(executed), combined_months)
    elif combined_months is not None:
        raise _refuse(gettext("只有一项处分时不填写合并执行期限"))
    term = _term(rule, start, months)
    if rule.kind in CAPPED_KINDS and term.ends_on is not None:
        ceiling = add_months(_chain_start(start, earlier), CAP_MONTHS)
        if ceiling <= start:
            raise _refuse(
                gettext("与尚在执行的政务处分合并已满48个月，不能再确定处分期（%(basis)s第十五条）")
                % {"basis": GOVERNMENT_SANCTIONS}
            )
        if term.ends_on > ceiling:
            term = Term(
                kind=term.kind,
                label=term.label,
                basis=f"{term.basis}；{GOVERNMENT_SANCTIONS}第十五条（合并不超过48个月）",
                starts_on=start,
                ends_on=ceiling,
                months=months,
                capped=True,
                reverses=term.reverses,
            )
    return [term, *absorbed]


def _combined(rule: TermRule, count: int, combined: int | None) -> int | None:
    """政务处分法 §15: several of the same kind run one period, within one period and the sum."""
    if rule.permanent:
        return None
    if rule.kind not in CAPPED_KINDS:
        raise _refuse(
            gettext("“%(kind)s”不能在一个决定中重复给予（%(basis)s）")
            % {"kind": rule.label, "basis": rule.basis}
        )
    single = rule.months or 0
    high = min(single * count, CAP_MONTHS)
    if combined is None or not single <= combined <= high:
        raise _refuse(
            gettext(
                "%(count)s项“%(kind)s”合并执行，期限应在%(low)s至%(high)s个月之间"
                "（%(basis)s第十五条：一个处分期以上、多个处分期之和以下，最长不得超过48个月）"
            )
            % {
                "count": count,
                "kind": rule.label,
                "low": single,
                "high": high,
                "basis": GOVERNMENT_SANCTIONS,
            }
        )
    return combined
