"""Reads of the graded supervision policy: the edition in force, and the sample sizes a plan
commits to per stratum (grade or mandatory class), ready for ``supervision.draws``."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from educredit.core import draws as core_draws
from educredit.editions.selectors import edition_in_force
from educredit.supervision import draws
from educredit.supervision.choices import MandatoryClassCode
from educredit.supervision.models import GradePolicy, SupervisionPolicy
from educredit.supervision.services import minimum_check, rate_check


def supervision_policy_in_force(as_of: datetime.date | None = None) -> SupervisionPolicy | None:
    """The policy edition in force on ``as_of`` (today by default), or None before the first."""
    return edition_in_force(SupervisionPolicy, as_of)


def _rules(policy: SupervisionPolicy) -> tuple[dict[str, GradePolicy], set[str], set[str]]:
    """The policy's grade rules by letter, its enabled and its disabled mandatory class codes."""
    grades = {row.grade: row for row in policy.grades.all()}
    enabled: set[str] = set()
    disabled: set[str] = set()
    for row in policy.mandatory_classes.all():
        (enabled if row.enabled else disabled).add(row.code)
    return grades, enabled, disabled


def stratum_sizes(policy: SupervisionPolicy, counts: Mapping[str, int]) -> dict[str, int]:
    """How many targets each stratum draws, from its number of eligible targets.

    A stratum is a grade of the policy (``rate`` per cent rounded up, at least its minimum, at
    most all, through ``core.draws.sample_size``) or an enabled mandatory class (all of it).
    A grade marked mandatory, and the lowest grade while the ``lowest_grade`` class is enabled,
    take all their targets. Refused: a grade or class the policy does not know (or a class not
    enabled), a negative count, a rate outside 0–100, a minimum below zero.
    """
    grades, enabled, disabled = _rules(policy)
    lowest = max(grades) if grades else ""
    sizes: dict[str, int] = {}
    for code, eligible in counts.items():
        if eligible < 0:
            raise ValidationError(
                _("抽查层“%(code)s”的检查对象数不能小于0") % {"code": code}, code="count"
            )
        if code in grades:
            rule = grades[code]
            rate_check(rule.sampling_rate)
            minimum_check(rule.minimum_count)
            takes_all = rule.mandatory or (
                code == lowest and MandatoryClassCode.LOWEST_GRADE in enabled
            )
            sizes[code] = (
                eligible
                if takes_all
                else core_draws.sample_size(
                    eligible, rule.sampling_rate, minimum=rule.minimum_count
                )
            )
        elif code in enabled:
            sizes[code] = eligible
        elif code in disabled:
            raise ValidationError(
                _("全部检查类别“%(code)s”在第%(number)s版政策中未启用")
                % {"code": code, "number": policy.number},
                code="class_disabled",
            )
        else:
            raise ValidationError(
                _("第%(number)s版分级分类监管政策没有信用等级或全部检查类别“%(code)s”")
                % {"code": code, "number": policy.number},
                code="unknown_grade",
            )
    return sizes


def strata_for(
    policy: SupervisionPolicy, targets_by_grade: Mapping[str, Sequence[str]]
) -> list[draws.Stratum]:
    """The strata of a plan, ready for ``draws.plan_commitment``: each grade's (or class's)
    targets and its size by ``stratum_sizes``, in code order. A stratum that draws nobody (no
    targets, or a rate and minimum of 0) is left out, since a draw stratum draws at least one."""
    pools = {code: tuple(sorted(set(targets))) for code, targets in targets_by_grade.items()}
    sizes = stratum_sizes(policy, {code: len(pool) for code, pool in pools.items()})
    return [
        draws.Stratum(code=code, targets=pools[code], size=sizes[code])
        for code in sorted(pools)
        if sizes[code] > 0
    ]


def floor_shortfall(
    policy: SupervisionPolicy, counts: Mapping[str, int], sizes: Mapping[str, int]
) -> int:
    """How many more targets a plan must draw to reach the policy's floor over all its
    supervised subjects (镇平县 2022: at least 5 %); 0 when the strata's sizes reach it."""
    total = sum(max(0, eligible) for eligible in counts.values())
    required = -(-total * policy.floor_rate // 100)
    return max(0, required - sum(sizes.values()))
