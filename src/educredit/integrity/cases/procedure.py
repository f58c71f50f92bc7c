"""The case procedure: ONE table of steps shared by every regime (like the record life cycle).

举报/线索 → 受理 → 调查 → 拟处理决定告知（事实、理由、依据）→ 陈述申辩（规则规定的，听证）→ 书面决定
（处理、救济途径和期限）→ 复核/申诉 → 结案. A regime (``regimes.py``) says which optional steps
it has and how long each may take; ``step_for`` is the only place that decides what may follow what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import UserRole
from educredit.integrity.cases.choices import CaseStatus as S

STAFF = frozenset({UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN})
DECIDERS = frozenset({UserRole.REVIEWER, UserRole.ADMIN})
SUBJECT = "subject"  # the person concerned, in self-service


@dataclass(frozen=True)
class Step:
    """One allowed step: its action, from and to, who may take it, and its deadline's key."""

    action: str
    from_status: str
    to_status: str
    roles: frozenset[str]
    label: str | Promise
    # The regime deadline that runs once this step is taken (what the next step must meet).
    starts_clock: str = ""
    hearing_only: bool = False


STEPS: tuple[Step, ...] = (
    Step("accept", S.REPORTED, S.INVESTIGATING, STAFF, _("受理并立案调查"), "investigate"),
    Step("reject", S.REPORTED, S.NOT_ACCEPTED, DECIDERS, _("不予受理")),
    Step("clear", S.INVESTIGATING, S.NO_MISCONDUCT, DECIDERS, _("认定不构成失信")),
    Step("notify", S.INVESTIGATING, S.NOTIFIED, STAFF, _("告知拟处理决定"), "defence"),
    Step("defend", S.NOTIFIED, S.HEARD, STAFF | {SUBJECT}, _("陈述和申辩"), "decide"),
    Step(
        "request_hearing",
        S.NOTIFIED,
        S.HEARING,
        STAFF | {SUBJECT},
        _("申请听证"),
        "decide",
        hearing_only=True,
    ),
    Step("hold_hearing", S.HEARING, S.HEARD, STAFF, _("记录听证"), "decide"),
    Step("decide", S.HEARD, S.DECIDED, DECIDERS, _("作出处理决定"), "appeal"),
    # After the defence window has passed with nothing said (视为放弃陈述申辩).
    Step("decide", S.NOTIFIED, S.DECIDED, DECIDERS, _("作出处理决定"), "appeal"),
    Step("appeal", S.DECIDED, S.APPEALED, STAFF | {SUBJECT}, _("申请复核或申诉"), "appeal_accept"),
    Step("appeal_accept", S.APPEALED, S.APPEAL_REVIEW, DECIDERS, _("受理复核"), "appeal_decide"),
    Step("appeal_reject", S.APPEALED, S.CLOSED, DECIDERS, _("复核不予受理")),
    Step("appeal_decide", S.APPEAL_REVIEW, S.CLOSED, DECIDERS, _("作出复核决定")),
    Step("close", S.DECIDED, S.CLOSED, STAFF, _("结案（复核期限届满）")),
)

FINAL = frozenset({S.NOT_ACCEPTED, S.NO_MISCONDUCT, S.CLOSED})
# Statuses in which the person, not the body, is the one whose time runs.
PERSON_WAITS = frozenset({S.NOTIFIED, S.DECIDED})


def step_for(action: str, from_status: str) -> Step | None:
    """The step ``action`` from ``from_status``, or None when the procedure does not allow it."""
    for step in STEPS:
        if step.action == action and step.from_status == from_status:
            return step
    return None


def steps_from(from_status: str, *, hearing: bool) -> list[Step]:
    """The steps that may follow a status under a regime with or without a hearing."""
    seen: set[str] = set()
    steps = []
    for step in STEPS:
        if step.from_status != from_status or step.action in seen:
            continue
        if step.hearing_only and not hearing:
            continue
        seen.add(step.action)
        steps.append(step)
    return steps
