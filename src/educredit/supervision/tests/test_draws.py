"""The 双随机一公开 draw: committed before the seed, refused on bad input, explained per target,
with 回避, and redone by the published standard-library script outside the product."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from educredit.core import draws as sampler
from educredit.supervision import draws

PUBLIC = [("中国福利彩票双色球2026143期开奖号码", "03 07 12 19 25 31 + 09")]
SECRET = "市场监管局提交的随机数 7f3a"
A = tuple(f"A{n:03d}" for n in range(12))
D = tuple(f"D{n:03d}" for n in range(30))
STRATA = [draws.Stratum("A", A, 2), draws.Stratum("D", D, 6)]
INSPECTORS = [
    draws.Inspector("ZF-001", institution="county"),
    draws.Inspector("ZF-002", institution="county", relations=frozenset({"D001"})),
    draws.Inspector("ZF-003", institution="city"),
    draws.Inspector("ZF-004", institution="D002"),
    draws.Inspector("ZF-005", last_inspected=frozenset({"D003", "A001"})),
    draws.Inspector("ZF-006"),
]
INSTITUTIONS = {target: target for target in A + D}


def seed() -> str:
    return draws.seed_of(PUBLIC, secret=SECRET)


def test_a_plan_commits_to_its_pools_strata_and_public_value_before_the_draw() -> None:
    commitment = draws.plan_commitment(
        strata=STRATA,
        inspectors=INSPECTORS,
        per_target=2,
        public_value=PUBLIC[0][0],
        fallback="深证成份指数当日收盘点位",
        secret_commitment=draws.secret_commitment(SECRET),
    )
    assert commitment.target_pool == sampler.pool_digest(A + D)
    assert commitment.strata[1] == ("D", sampler.pool_digest(D), 6)
    larger = draws.plan_commitment(
        strata=[STRATA[0], draws.Stratum("D", D, 7)],
        inspectors=INSPECTORS,
        per_target=2,
        public_value=PUBLIC[0][0],
        fallback="深证成份指数当日收盘点位",
    )
    assert larger.digest() != commitment.digest()


@pytest.mark.parametrize(
    ("strata", "per_target", "public", "fallback", "code"),
    [
        ([draws.Stratum("A", (), 1)], 2, "双色球", "指数", "empty_stratum"),
        ([draws.Stratum("A", A, 13)], 2, "双色球", "指数", "stratum_size"),
        ([draws.Stratum("A", A, 0)], 2, "双色球", "指数", "stratum_size"),
        (STRATA, 1, "双色球", "指数", "per_target"),
        (STRATA, 2, "双色球", "", "public_value"),
    ],
)
def test_a_plan_that_cannot_be_drawn_is_refused(
    strata: list[draws.Stratum], per_target: int, public: str, fallback: str, code: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        draws.plan_commitment(
            strata=strata,
            inspectors=INSPECTORS,
            per_target=per_target,
            public_value=public,
            fallback=fallback,
        )
    assert refused.value.code == code


def test_no_draw_before_the_public_value_exists() -> None:
    with pytest.raises(ValidationError, match="尚未公布"):
        draws.seed_of([(PUBLIC[0][0], " ")])
    with pytest.raises(ValidationError, match="尚未公布"):
        draws.seed_of([])


def test_the_revealed_secret_matches_its_commitment_and_changes_the_seed() -> None:
    assert draws.secret_commitment(SECRET) == draws.secret_commitment(SECRET)
    assert draws.seed_of(PUBLIC) != seed()


def test_each_stratum_draws_its_lowest_tickets_and_each_target_sees_why() -> None:
    a, d = draws.draw_targets(seed(), STRATA)
    assert list(d.drawn) == sampler.ranked(seed(), D)[:6]
    assert d.cutoff == sampler.ticket(seed(), d.drawn[-1])
    left_out = sampler.ranked(seed(), D)[6]
    assert "已被抽中" in draws.why(seed(), d, d.drawn[0])
    assert "未被抽中" in draws.why(seed(), d, left_out)
    assert sampler.ticket(seed(), left_out)[:16] in draws.why(seed(), d, left_out)
    assert len(a.drawn) == 2


def test_inspectors_are_drawn_by_ticket_passing_over_conflicts() -> None:
    for target in ("D001", "D002", "D003", "A001"):
        got = draws.draw_inspectors(
            seed(), target=target, target_institution=target, inspectors=INSPECTORS, per_target=2
        )
        assert len(got.inspectors) == 2 == len(set(got.inspectors))
        assert not any(
            next(i for i in INSPECTORS if i.id == chosen).recuses(target, target)
            for chosen in got.inspectors
        )
    # ZF-002 declared a relation to D001, ZF-004 works at D002, ZF-005 inspected D003 last time.
    assert (
        "ZF-002"
        not in draws.draw_inspectors(
            seed(), target="D001", target_institution="D001", inspectors=INSPECTORS, per_target=5
        ).inspectors
    )
    assert (
        "ZF-004"
        not in draws.draw_inspectors(
            seed(), target="D002", target_institution="D002", inspectors=INSPECTORS, per_target=5
        ).inspectors
    )
    assert (
        "ZF-005"
        not in draws.draw_inspectors(
            seed(), target="D003", target_institution="D003", inspectors=INSPECTORS, per_target=5
        ).inspectors
    )


def test_too_few_inspectors_after_recusal_is_refused() -> None:
    own = [draws.Inspector("ZF-101", institution="D010"), draws.Inspector("ZF-102")]
    with pytest.raises(ValidationError, match="不足2名"):
        draws.draw_inspectors(
            seed(), target="D010", target_institution="D010", inspectors=own, per_target=2
        )


def test_the_published_script_redoes_the_draw_outside_the_product(tmp_path: Path) -> None:
    python = shutil.which("python3") or "/usr/bin/python3"
    inputs = {
        "public_values": [list(value) for value in PUBLIC],
        "secret": SECRET,
        "per_target": 2,
        "strata": [{"code": s.code, "targets": list(s.targets), "size": s.size} for s in STRATA],
        "inspectors": [
            {
                "id": i.id,
                "institution": i.institution,
                "relations": sorted(i.relations),
                "last_inspected": sorted(i.last_inspected),
            }
            for i in INSPECTORS
        ],
        "institutions": INSTITUTIONS,
    }
    (tmp_path / "in.json").write_text(json.dumps(inputs, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "redo.py").write_text(draws.REPRODUCE_SCRIPT, encoding="utf-8")
    # -I: isolated from this project's environment, as an outsider would run it.
    done = subprocess.run(  # noqa: S603
        [python, "-I", "redo.py", "in.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    ours = draws.draw_plan(
        seed(), strata=STRATA, inspectors=INSPECTORS, institutions=INSTITUTIONS, per_target=2
    )
    assert json.loads(done.stdout) == ours


def test_the_refusals_and_the_one_line_read_in_english() -> None:
    from django.utils import translation

    _a, d = draws.draw_targets(seed(), STRATA)
    with translation.override("en"):
        assert draws.why(seed(), d, d.drawn[0]).startswith("Your ticket")
        with pytest.raises(ValidationError, match="not been published"):
            draws.seed_of([])
