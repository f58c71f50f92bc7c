"""The life cycle of a credit record: ONE table of allowed transitions.

草稿 → 待审核 → 生效 → (异议中 ↔ 生效) → 已修复 / 已撤销 / 已届满; a repaired record whose subject
breaches the repair commitment goes back to 生效 (shown for its longest window). Records are
never deleted: a draft nobody wants is revoked. A reviewer may return (退回) a submitted record
to draft, with a reason. Services consult ``transition_for`` and nothing else decides what is
allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import UserRole
from educredit.records.choices import CreditRecordStatus as S

# The daily job acts as this role (never held by a user).
SYSTEM = "system"

CLERKS = frozenset({UserRole.CLERK, UserRole.ADMIN})
REVIEWERS = frozenset({UserRole.REVIEWER, UserRole.ADMIN})
ANY_STAFF_WRITER = CLERKS | REVIEWERS


@dataclass(frozen=True)
class Transition:
    """One allowed step: from, to, the action's name, who may take it, whether a reason is due."""

    action: str
    from_status: str
    to_status: str
    roles: frozenset[str]
    reason_required: bool
    label: str | Promise


TRANSITIONS: tuple[Transition, ...] = (
    # A system actor submits what it recorded on a body's behalf (``credit_record_create``).
    Transition("submit", S.DRAFT, S.SUBMITTED, CLERKS | {SYSTEM}, False, _("提交审核")),
    Transition("revoke", S.DRAFT, S.REVOKED, CLERKS, True, _("撤销")),
    Transition("approve", S.SUBMITTED, S.EFFECTIVE, REVIEWERS, False, _("审核通过")),
    Transition("return", S.SUBMITTED, S.DRAFT, REVIEWERS, True, _("退回")),
    Transition("revoke", S.SUBMITTED, S.REVOKED, REVIEWERS, True, _("撤销")),
    # The objection service marks as ``system:objection`` once it has checked who filed.
    Transition(
        "mark_objection",
        S.EFFECTIVE,
        S.UNDER_OBJECTION,
        ANY_STAFF_WRITER | {SYSTEM},
        True,
        _("标记异议"),
    ),
    Transition(
        "clear_objection", S.UNDER_OBJECTION, S.EFFECTIVE, REVIEWERS, True, _("异议处理完毕")
    ),
    Transition("revoke", S.UNDER_OBJECTION, S.REVOKED, REVIEWERS, True, _("撤销")),
    Transition("revoke", S.EFFECTIVE, S.REVOKED, REVIEWERS, True, _("撤销")),
    Transition("mark_repaired", S.EFFECTIVE, S.REPAIRED, REVIEWERS, True, _("信用修复")),
    Transition(
        "restore_after_breach",
        S.REPAIRED,
        S.EFFECTIVE,
        REVIEWERS,
        True,
        _("违背修复承诺，恢复公示"),
    ),
    Transition("expire", S.EFFECTIVE, S.EXPIRED, frozenset({SYSTEM}), False, _("公示期届满")),
)

_BY_KEY = {(t.action, t.from_status): t for t in TRANSITIONS}

# Steps taken only through the objection and repair procedures (the ``rights`` app), which
# check who asked, keep the file and write the subject's notices; never from the record page.
PROCEDURE_STEPS = frozenset(
    {"mark_objection", "clear_objection", "mark_repaired", "restore_after_breach"}
)

# Statuses no transition leaves.
FINAL_STATUSES = frozenset({S.REVOKED, S.EXPIRED})


def transition_for(action: str, from_status: str) -> Transition | None:
    """The transition ``action`` takes from ``from_status``, or None when it is not allowed."""
    return _BY_KEY.get((action, from_status))


def transitions_from(from_status: str) -> list[Transition]:
    """Every transition leaving ``from_status``, in table order."""
    return [t for t in TRANSITIONS if t.from_status == from_status]


def transitions_for_roles(from_status: str, roles: set[str] | frozenset[str]) -> list[Transition]:
    """The transitions leaving ``from_status`` that someone holding ``roles`` may take."""
    return [t for t in transitions_from(from_status) if t.roles & set(roles)]
