"""The graded supervision policy: the shipped edition (idempotent seed), the edition in force on
a day, the sizes a plan commits to per grade at their boundaries, the refusals, and strata that
feed the verifiable draw."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.audit.models import AuditEntry
from educredit.editions.models import EditionStatus
from educredit.supervision import data, draws
from educredit.supervision.choices import GradePolicyMeasure, MandatoryClassCode
from educredit.supervision.models import GradePolicy, SupervisionPolicy
from educredit.supervision.selectors import (
    floor_shortfall,
    strata_for,
    stratum_sizes,
    supervision_policy_in_force,
)
from educredit.supervision.services import (
    grade_policy_create,
    mandatory_class_create,
    supervision_policy_create,
    supervision_policy_publish,
    supervision_policy_seed,
)
from educredit.testing.factories import make_organisation, make_province, make_user

pytestmark = pytest.mark.django_db

SYSTEM = "system:supervision-test"
PUBLIC = [("中国福利彩票双色球2026150期开奖号码", "02 08 14 21 27 33 + 05")]
SECRET = "县市场监管局提交的随机数 91c2"


def policy_with(
    *, rate: int, minimum: int, mandatory: bool = False, grade: str = "C"
) -> SupervisionPolicy:
    policy = supervision_policy_create(
        actor=SYSTEM, title="测试政策", effective_from=datetime.date(2026, 1, 1)
    )
    grade_policy_create(
        actor=SYSTEM,
        policy=policy,
        grade=grade,
        label="中等",
        sampling_rate=rate,
        minimum_count=minimum,
        mandatory=mandatory,
    )
    return policy


def test_the_seed_ships_edition_one_published_and_a_second_run_adds_nothing() -> None:
    out = StringIO()
    call_command("supervision", "seed", stdout=out)
    policy = SupervisionPolicy.objects.get()
    assert policy.status == EditionStatus.PUBLISHED
    assert policy.effective_from == data.EFFECTIVE
    assert (policy.floor_rate, policy.floor_visits_per_year) == (5, 1)
    rates = {row.grade: row.sampling_rate for row in policy.grades.all()}
    assert rates == {"A": 1, "B": 4, "C": 8, "D": 20, "E": 100}
    measures = {row.grade: row.measure for row in policy.grades.all()}
    assert measures["A"] == measures["B"] == GradePolicyMeasure.FEWER_CHECKS
    assert measures["C"] == GradePolicyMeasure.BASELINE
    assert measures["D"] == measures["E"] == GradePolicyMeasure.KEY_TARGET
    assert policy.grades.get(grade="E").mandatory
    classes = {row.code: row for row in policy.mandatory_classes.all()}
    assert classes[MandatoryClassCode.COMPLAINT_HOTSPOT].complaint_count == 3
    assert classes[MandatoryClassCode.COMPLAINT_HOTSPOT].complaint_months == 12
    assert not classes[MandatoryClassCode.EARLY_WARNING].enabled
    assert "河南省市场监管" in policy.grades.get(grade="C").notes
    entries = AuditEntry.objects.filter(action__startswith="supervision.").count()
    assert entries >= 1 + 5 + 3 + 1

    again = supervision_policy_seed(actor=SYSTEM)
    assert again == policy
    assert SupervisionPolicy.objects.count() == 1
    assert GradePolicy.objects.count() == 5
    assert AuditEntry.objects.filter(action__startswith="supervision.").count() == entries
    assert "edition 1" in out.getvalue()


def test_the_edition_in_force_on_a_day_is_the_one_published_for_it() -> None:
    first = supervision_policy_seed(actor=SYSTEM)
    assert supervision_policy_in_force(datetime.date(2025, 12, 31)) is None
    second = policy_with(rate=10, minimum=1)
    assert (
        supervision_policy_in_force(datetime.date(2026, 7, 1)) == first
    )  # a draft answers nothing
    supervision_policy_publish(
        actor=SYSTEM, policy=second, effective_from=datetime.date(2027, 1, 1)
    )
    assert supervision_policy_in_force(datetime.date(2026, 12, 31)) == first
    assert supervision_policy_in_force(datetime.date(2027, 1, 1)) == second


def test_the_shipped_sizes_per_grade() -> None:
    policy = supervision_policy_seed(actor=SYSTEM)
    sizes = stratum_sizes(
        policy,
        {"A": 250, "B": 100, "C": 40, "D": 12, "E": 3, MandatoryClassCode.COMPLAINT_HOTSPOT: 4},
    )
    # A: 1 % of 250 rounded up; B 4 % of 100; C 8 % of 40 = 3.2 → 4; D 20 % of 12 = 2.4 → 3;
    # E and the complaint hot-spots: all of them.
    assert sizes == {"A": 3, "B": 4, "C": 4, "D": 3, "E": 3, "complaint_hotspot": 4}


def test_a_plan_of_mostly_trustworthy_targets_falls_short_of_the_education_floor() -> None:
    policy = supervision_policy_seed(actor=SYSTEM)
    counts = {"A": 300, "B": 100}
    sizes = stratum_sizes(policy, counts)
    assert sizes == {"A": 3, "B": 4}
    # 5 % of 400 supervised subjects is 20: the grades' rates draw 7, 13 short.
    assert floor_shortfall(policy, counts, sizes) == 13
    counts = {"C": 40, "D": 50, "E": 5}
    assert floor_shortfall(policy, counts, stratum_sizes(policy, counts)) == 0


def test_stratum_sizes_at_their_boundaries() -> None:
    assert stratum_sizes(policy_with(rate=8, minimum=1), {"C": 0}) == {"C": 0}
    assert stratum_sizes(policy_with(rate=8, minimum=1), {"C": 1}) == {"C": 1}
    assert stratum_sizes(policy_with(rate=8, minimum=0), {"C": 13}) == {"C": 2}  # 1.04 → 2
    assert stratum_sizes(policy_with(rate=8, minimum=0), {"C": 25}) == {"C": 2}  # exactly 2
    assert stratum_sizes(policy_with(rate=8, minimum=5), {"C": 25}) == {"C": 5}  # minimum wins
    assert stratum_sizes(policy_with(rate=8, minimum=5), {"C": 3}) == {"C": 3}  # never above all
    assert stratum_sizes(policy_with(rate=0, minimum=0), {"C": 40}) == {"C": 0}
    assert stratum_sizes(policy_with(rate=1, minimum=0, mandatory=True), {"C": 40}) == {"C": 40}


def test_a_disabled_class_and_an_unknown_grade_are_refused_with_a_named_rule() -> None:
    policy = supervision_policy_seed(actor=SYSTEM)
    with pytest.raises(ValidationError) as unknown:
        stratum_sizes(policy, {"F": 10})
    assert unknown.value.code == "unknown_grade"
    assert "“F”" in unknown.value.messages[0]
    with pytest.raises(ValidationError) as disabled:
        stratum_sizes(policy, {MandatoryClassCode.EARLY_WARNING: 2})
    assert disabled.value.code == "class_disabled"
    with translation.override("en"), pytest.raises(ValidationError) as english:
        stratum_sizes(policy, {"F": 10})
    assert "does not know" in english.value.messages[0]


def test_a_rate_outside_0_to_100_or_a_negative_minimum_is_refused_and_nothing_written() -> None:
    policy = supervision_policy_create(
        actor=SYSTEM, title="测试政策", effective_from=datetime.date(2026, 1, 1)
    )
    for rate, minimum, field in (
        (101, 0, "sampling_rate"),
        (-1, 0, "sampling_rate"),
        (5, -1, "minimum_count"),
    ):
        with pytest.raises(ValidationError) as refused:
            grade_policy_create(
                actor=SYSTEM,
                policy=policy,
                grade="B",
                label="良好",
                sampling_rate=rate,
                minimum_count=minimum,
            )
        assert field in refused.value.message_dict
    assert not policy.grades.exists()
    with translation.override("en"), pytest.raises(ValidationError) as english:
        grade_policy_create(actor=SYSTEM, policy=policy, grade="B", label="良好", sampling_rate=120)
    assert "between 0 % and 100 %" in english.value.message_dict["sampling_rate"][0]
    # A row changed behind the service's back is refused when sizes are computed.
    GradePolicy.objects.create(
        policy=policy, grade="C", label="中等", sampling_rate=150, measure="baseline"
    )
    with pytest.raises(ValidationError):
        stratum_sizes(policy, {"C": 10})


def test_a_complaint_hot_spot_names_its_numbers_and_a_published_edition_is_not_changed() -> None:
    policy = supervision_policy_seed(actor=SYSTEM)
    draft = policy_with(rate=8, minimum=1)
    with pytest.raises(ValidationError) as refused:
        mandatory_class_create(
            actor=SYSTEM, policy=draft, code=MandatoryClassCode.COMPLAINT_HOTSPOT, name="投诉集中"
        )
    assert refused.value.code == "complaints"
    with pytest.raises(ValidationError) as published:
        grade_policy_create(actor=SYSTEM, policy=policy, grade="F", label="?", sampling_rate=1)
    assert published.value.code == "not_draft"


def test_only_a_provincial_administrator_changes_the_policy() -> None:
    province = make_province()
    admin = make_user(organisation=province, username="province_admin", roles=[UserRole.ADMIN])
    city = make_organisation(
        parent=province, name="南阳市教育局", kind=OrganisationKind.CITY_BUREAU
    )
    county = make_organisation(
        parent=city, name="镇平县教育体育局", kind=OrganisationKind.COUNTY_BUREAU
    )
    clerk = make_user(organisation=county, username="county_clerk", roles=[UserRole.CLERK])
    with pytest.raises(PermissionDenied):
        supervision_policy_create(
            actor=clerk, title="县里的政策", effective_from=datetime.date(2026, 1, 1)
        )
    made = supervision_policy_create(
        actor=admin, title="省级政策", effective_from=datetime.date(2026, 1, 1)
    )
    assert made.is_draft


def test_the_strata_feed_the_plan_commitment_and_the_draw() -> None:
    policy = supervision_policy_seed(actor=SYSTEM)
    directory = {
        "A": [f"A{n:03d}" for n in range(150)],
        "C": [f"C{n:03d}" for n in range(30)],
        "D": [f"D{n:03d}" for n in range(11)],
        "E": ["E001", "E002"],
        "B": [],
    }
    strata = strata_for(policy, directory)
    assert [(stratum.code, stratum.size) for stratum in strata] == [
        ("A", 2),
        ("C", 3),
        ("D", 3),
        ("E", 2),
    ]
    inspectors = [draws.Inspector(f"ZF-{n:03d}") for n in range(4)]
    commitment = draws.plan_commitment(
        strata=strata,
        inspectors=inspectors,
        per_target=2,
        public_value=PUBLIC[0][0],
        fallback="深圳证券交易所成份股价指数当日收盘值",
        secret_commitment=draws.secret_commitment(SECRET),
    )
    assert [row[2] for row in commitment.strata] == [2, 3, 3, 2]
    seed = draws.seed_of(PUBLIC, secret=SECRET)
    drawn = {row.code: row.drawn for row in draws.draw_targets(seed, strata)}
    assert {code: len(targets) for code, targets in drawn.items()} == {
        "A": 2,
        "C": 3,
        "D": 3,
        "E": 2,
    }
    assert set(drawn["E"]) == {"E001", "E002"}
    assert set(drawn["A"]) <= set(directory["A"])
    # The same directory in another order commits to the same plan.
    shuffled = {code: list(reversed(targets)) for code, targets in directory.items()}
    assert strata_for(policy, shuffled) == strata
