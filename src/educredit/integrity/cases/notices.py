"""The case's written notices (文书), generated from the case and kept as issued.

A notice is plain text in Chinese — the language of the legal document the person receives —
built only from what the case holds, so what was told can be shown again word for word; its
SHA-256 is kept with it and in the audit entry of the step that issued it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from educredit.integrity.cases.choices import AppealOutcome, CaseNoticeKind
from educredit.integrity.cases.clock import in_chinese
from educredit.integrity.cases.regimes import Deadline, Regime

if TYPE_CHECKING:
    from educredit.integrity.cases.clock import Term
    from educredit.integrity.cases.models import Case

TITLES = {
    CaseNoticeKind.ACCEPTANCE: "立案调查通知书",
    CaseNoticeKind.INTENDED: "拟处理决定告知书",
    CaseNoticeKind.HEARING: "听证通知书",
    CaseNoticeKind.DECISION: "处理决定书",
    CaseNoticeKind.NO_MISCONDUCT: "调查结论通知书",
    CaseNoticeKind.APPEAL_ACCEPTED: "复核受理通知书",
    CaseNoticeKind.APPEAL_REJECTED: "复核不予受理通知书",
    CaseNoticeKind.APPEAL_DECISION: "复核决定书",
}
OUTCOMES: dict[str, str] = {
    AppealOutcome.UPHELD: "维持原处理决定",
    AppealOutcome.CHANGED: "变更原处理决定",
    AppealOutcome.REVOKED: "撤销原处理决定",
}


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def period_text(deadline: Deadline | None) -> str:
    """ "5个工作日" / "30日"; the person reads the unit the rule counts in."""
    if deadline is None:
        return ""
    return f"{deadline.days}个工作日" if deadline.working else f"{deadline.days}日"


def _day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _header(case: Case, regime: Regime, title: str) -> list[str]:
    return [
        title,
        f"案件编号：{case.number}",
        "",
        f"{case.person.name}：",
    ]


def _footer(case: Case, day: dt.date) -> list[str]:
    return ["", case.organisation.name, _day(day)]


def term_text(term: Term) -> str:
    """One sanction as the decision states it: what, from when, until when, on what basis."""
    if term.absorbed:
        return f"{term.label}（依{term.basis}，不另行执行）"
    if term.permanent:
        return f"{term.label}，自{_day(term.starts_on)}起执行，不设期限（{term.basis}）"
    if term.ends_on is None:
        return f"{term.label}（{term.basis}）"
    lift = f"，{_day(term.ends_on)}起期满自动解除"
    if not term.reverses:
        lift += "（期满解除后不恢复原岗位等级或职务）"
    if term.capped:
        lift += "（与尚在执行的处分合并不超过48个月）"
    months = f"，期限{term.months}个月" if term.months else ""
    return f"{term.label}，自{_day(term.starts_on)}起执行{months}{lift}（{term.basis}）"


def acceptance(case: Case, regime: Regime, day: dt.date) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind.ACCEPTANCE]
    lines = [
        *_header(case, regime, title),
        f"本单位于{_day(case.reported_on)}收到反映你的问题：{case.allegation}",
        f"根据{regime.basis}（{regime.articles.get('accept', '')}），"
        f"本单位已于{_day(day)}受理并立案调查。",
        "调查期间你有权了解调查的依据，并可提供说明和材料；作出处理决定前，本单位将书面告知拟处理决定及其事实、理由和依据，"
        "并听取你的陈述和申辩。",
        *_footer(case, day),
    ]
    return title, "\n".join(lines)


def intended(case: Case, regime: Regime, terms: Sequence[Term], day: dt.date) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind.INTENDED]
    window = period_text(regime.deadline("defence"))
    lines = [
        *_header(case, regime, title),
        "经调查，本单位拟对你作出处理。现将拟处理决定及其事实、理由和依据告知如下：",
        f"一、认定的事实：{case.facts}",
        f"二、理由：{case.reasons}",
        f"三、依据：{case.basis}",
        "四、拟作出的处理：",
        *[f"    {index}. {term_text(term)}" for index, term in enumerate(terms, start=1)],
        f"根据{regime.basis}（{regime.articles.get('defence', '')}），你有权进行陈述和申辩。"
        f"请自收到本告知书之日起{window}内提出；逾期未提出的，视为放弃陈述和申辩。",
    ]
    if regime.has_hearing:
        lines.append(f"你有权在上述期限内要求听证（{regime.articles.get('hearing', '')}）。")
    lines += [
        "你可以在教育信用信息平台的自助服务中阅读本告知书并提交陈述申辩。",
        *_footer(case, day),
    ]
    return title, "\n".join(lines)


def hearing(case: Case, regime: Regime, day: dt.date) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind.HEARING]
    lines = [
        *_header(case, regime, title),
        f"你于{_day(day)}要求听证。本单位将另行通知听证的时间和地点；听证由未参与调查的人员主持。",
        *_footer(case, day),
    ]
    return title, "\n".join(lines)


def decision(case: Case, regime: Regime, terms: Sequence[Term], day: dt.date) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind.DECISION]
    lines = [
        *_header(case, regime, title),
        f"一、认定的事实：{case.facts}",
        f"二、理由：{case.reasons}",
        f"三、依据：{case.basis}；{regime.basis}（{regime.articles.get('decide', '')}）",
        "四、处理决定：",
        *[f"    {index}. {term}" for index, term in enumerate(map(term_text, terms), start=1)],
        f"五、救济途径和期限：{case.remedy}",
        "本决定载入你的信用档案；处理期满后按规定解除，你可依法申请信用修复。",
        *_footer(case, day),
    ]
    return title, "\n".join(lines)


def no_misconduct(case: Case, regime: Regime, reason: str, day: dt.date) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind.NO_MISCONDUCT]
    lines = [
        *_header(case, regime, title),
        f"经调查，反映你的问题不构成失信行为：{reason}",
        "本案不作处理。你可以要求本单位在适当范围内为你澄清事实、消除影响。",
        *_footer(case, day),
    ]
    return title, "\n".join(lines)


def appeal_answer(
    case: Case, regime: Regime, kind: str, reason: str, day: dt.date
) -> tuple[str, str]:
    title = TITLES[CaseNoticeKind(kind)]
    body = {
        CaseNoticeKind.APPEAL_ACCEPTED: f"你于{_day(case.appeal_filed_on)}提出的复核申请已受理。"
        f"复核由{in_chinese(regime.appeal_body)}办理，期限{period_text(regime.deadline('appeal_decide'))}。"
        "复核期间原处理决定不停止执行。",
        CaseNoticeKind.APPEAL_REJECTED: (
            f"你于{_day(case.appeal_filed_on)}提出的复核申请不予受理：{reason}"
        ),
        CaseNoticeKind.APPEAL_DECISION: (
            f"经复核，{OUTCOMES.get(case.appeal_outcome, '')}：{reason}"
        ),
    }[CaseNoticeKind(kind)]
    lines = [*_header(case, regime, title), body, *_footer(case, day)]
    return title, "\n".join(lines)
