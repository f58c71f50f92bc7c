"""The sanction clock: every duration at its boundary days, the heaviest-only rule and the
48-month cap of 政务处分法 §15 with several and with overlapping sanctions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from django.core.exceptions import ValidationError

from educredit.integrity.cases.clock import (
    SANCTION_SETS,
    EarlierTerm,
    Requested,
    Term,
    kinds_for,
    sanction_terms,
)

D = dt.date
ALL = tuple(kind for kinds in SANCTION_SETS.values() for kind in kinds) + kinds_for(
    "teacher_ethics", public_official=True
)


def one(
    kind: str, start: dt.date, months: int | None = None, earlier: Sequence[EarlierTerm] = ()
) -> Term:
    requested = [Requested(kind, months)]
    return sanction_terms(allowed=ALL, start=start, requested=requested, earlier_capped=earlier)[0]


@pytest.mark.parametrize(
    ("kind", "months"),
    [
        ("warning", 6),
        ("demerit", 12),
        ("demotion_or_removal", 24),
        ("gov_warning", 6),
        ("gov_demerit", 12),
        ("gov_major_demerit", 18),
        ("gov_demotion", 24),
        ("gov_removal", 24),
        ("qualification_revocation", 60),
        ("teacher_exam_ban", 36),
    ],
)
def test_a_fixed_term_lifts_on_its_end_day(kind: str, months: int) -> None:
    start = D(2026, 3, 10)
    term = one(kind, start)
    end = D(2026 + (3 + months - 1) // 12, (3 + months - 1) % 12 + 1, 10)
    assert term.ends_on == end
    assert term.in_force(start)
    assert term.in_force(end - dt.timedelta(days=1))
    assert not term.in_force(end)
    assert not term.in_force(start - dt.timedelta(days=1))


def test_a_term_started_at_a_month_end_ends_at_the_shorter_months_end() -> None:
    assert one("warning", D(2026, 8, 31)).ends_on == D(2027, 2, 28)
    assert one("gov_major_demerit", D(2026, 8, 31)).ends_on == D(2028, 2, 29)


def test_a_fixed_term_cannot_be_changed() -> None:
    with pytest.raises(ValidationError, match="警告"):
        one("warning", D(2026, 1, 5), 12)
    with pytest.raises(ValidationError, match="第十九条"):
        one("qualification_revocation", D(2026, 1, 5), 48)


def test_demotion_and_removal_lift_but_are_not_undone() -> None:
    assert not one("gov_demotion", D(2026, 1, 5)).reverses
    assert not one("demotion_or_removal", D(2026, 1, 5)).reverses
    assert one("gov_warning", D(2026, 1, 5)).reverses


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [
        ("disqualification", 24, None),
        ("supervisor_suspension", 24, None),
        ("research_ban_light", 1, 36),
        ("research_ban_heavy", 36, 60),
        ("research_ban_grave", 60, None),
        ("exam_ban", 12, 36),
        ("exam_ban_impersonation", 24, 60),
    ],
)
def test_a_chosen_term_is_refused_outside_its_bounds(kind: str, low: int, high: int | None) -> None:
    start = D(2026, 5, 20)
    assert one(kind, start, low).months == low
    if low > 1:
        with pytest.raises(ValidationError, match="不符合规定"):
            one(kind, start, low - 1)
    if high is not None:
        assert one(kind, start, high).months == high
        with pytest.raises(ValidationError, match="不符合规定"):
            one(kind, start, high + 1)
    with pytest.raises(ValidationError, match="请填写"):
        one(kind, start)


def test_loss_and_dismissal_are_permanent_and_instant_measures_run_no_term() -> None:
    start = D(2026, 5, 20)
    lost = one("qualification_loss", start)
    assert lost.permanent and lost.ends_on is None
    assert lost.in_force(D(2099, 1, 1))
    assert one("dismissal", start).permanent
    with pytest.raises(ValidationError, match="没有执行期限"):
        one("degree_revocation", start, 12)


def test_of_several_sanctions_of_different_kinds_only_the_heaviest_runs() -> None:
    terms = sanction_terms(
        allowed=ALL,
        start=D(2026, 4, 1),
        requested=[Requested("warning"), Requested("demerit"), Requested("disqualification", 24)],
    )
    running = {t.kind: t for t in terms if not t.absorbed}
    absorbed = [t.kind for t in terms if t.absorbed]
    assert set(running) == {"demerit", "disqualification"}
    assert absorbed == ["warning"]
    assert running["demerit"].ends_on == D(2027, 4, 1)


def test_several_of_the_same_kind_combine_within_one_period_and_their_sum() -> None:
    start = D(2026, 4, 1)
    two = [Requested("gov_major_demerit"), Requested("gov_major_demerit")]
    assert (
        sanction_terms(allowed=ALL, start=start, requested=two, combined_months=18)[0].months == 18
    )
    assert (
        sanction_terms(allowed=ALL, start=start, requested=two, combined_months=36)[0].months == 36
    )
    for months in (17, 37, None):
        with pytest.raises(ValidationError, match="合并执行"):
            sanction_terms(allowed=ALL, start=start, requested=two, combined_months=months)


def test_combining_never_exceeds_48_months() -> None:
    start = D(2026, 4, 1)
    three = [Requested("gov_demotion")] * 3  # a sum of 72 months
    term = sanction_terms(allowed=ALL, start=start, requested=three, combined_months=48)[0]
    assert term.ends_on == D(2030, 4, 1)
    with pytest.raises(ValidationError, match="48"):
        sanction_terms(allowed=ALL, start=start, requested=three, combined_months=49)


def test_a_teacher_ethics_sanction_is_not_given_twice_in_one_decision() -> None:
    with pytest.raises(ValidationError, match="重复"):
        sanction_terms(
            allowed=ALL, start=D(2026, 4, 1), requested=[Requested("warning"), Requested("warning")]
        )


def test_overlapping_government_sanctions_are_capped_48_months_after_the_first_began() -> None:
    first = EarlierTerm(D(2026, 1, 1), D(2028, 1, 1))  # 降级, 24 months
    second = EarlierTerm(D(2027, 12, 1), D(2029, 12, 1))  # 撤职 during it
    # A third one during the second: the run began 2026-01-01, so it lifts by 2030-01-01.
    third = one("gov_removal", D(2029, 6, 1), earlier=[first, second])
    assert third.ends_on == D(2030, 1, 1)
    assert third.capped
    assert third.in_force(D(2029, 12, 31))
    assert not third.in_force(D(2030, 1, 1))
    # Inside the cap: not cut.
    inside = one("gov_warning", D(2027, 6, 1), earlier=[first])
    assert inside.ends_on == D(2027, 12, 1) and not inside.capped
    # Starting on the day the run ended: a new run, not capped.
    fresh = one("gov_removal", D(2029, 12, 1), earlier=[first, second])
    assert fresh.ends_on == D(2031, 12, 1) and not fresh.capped


def test_a_sanction_after_a_permanent_one_has_no_term_left() -> None:
    dismissed = EarlierTerm(D(2020, 1, 1), None)
    with pytest.raises(ValidationError, match="48"):
        one("gov_warning", D(2026, 1, 1), earlier=[dismissed])


def test_a_kind_the_regime_does_not_allow_is_refused() -> None:
    with pytest.raises(ValidationError, match="不能作出以下处理"):
        sanction_terms(
            allowed=SANCTION_SETS["exam"], start=D(2026, 1, 1), requested=[Requested("warning")]
        )
    assert "gov_major_demerit" not in kinds_for("teacher_ethics", public_official=False)
    assert "gov_major_demerit" in kinds_for("teacher_ethics", public_official=True)
