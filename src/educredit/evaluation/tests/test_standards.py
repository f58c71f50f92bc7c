"""The evaluation standards as data: the shipped standards, the checks that refuse a bad one,
the edition in force on a day and what one edition changed against another."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from educredit.editions.diff import edition_diff
from educredit.editions.models import EditionStatus
from educredit.editions.selectors import edition_in_force
from educredit.evaluation.models import (
    EvaluationStandard,
    Indicator,
    SchoolStandard,
    TeacherStandard,
    TrainingStandard,
)
from educredit.evaluation.services import (
    evaluation_standard_create,
    evaluation_standard_problems,
    evaluation_standard_publish,
    evaluation_standards_seed,
    grade_band_create,
    indicator_create,
    red_line_create,
)

# The provincial office's administrator acting through the seed and the editing services.
OFFICE = "system:test"
LATER = datetime.date(2027, 1, 1)
COUNT_RULE = {"items": ["JY-CF-02"], "window_months": 12, "aggregate": "count", "deduct_per": 10}

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped() -> list[EvaluationStandard]:
    return evaluation_standards_seed(actor=OFFICE)


@pytest.fixture
def draft(shipped: Any) -> EvaluationStandard:
    return evaluation_standard_create(
        actor=OFFICE,
        subject_kind="school",
        title="学校标准第 2 版",
        effective_from=LATER,
        max_points=100,
    )


def test_seed_loads_the_three_standards_once(shipped: list[EvaluationStandard]) -> None:
    assert [s.subject_kind for s in shipped] == ["training", "school", "teacher"]
    again = evaluation_standards_seed(actor=OFFICE)
    assert [s.pk for s in again] == [s.pk for s in shipped]
    assert EvaluationStandard.objects.count() == 3
    call_command("evaluation", "seed")
    assert EvaluationStandard.objects.count() == 3
    assert all(s.status == EditionStatus.PUBLISHED and s.number == 1 for s in shipped)


def test_each_shipped_standard_validates(shipped: list[EvaluationStandard]) -> None:
    for standard in shipped:
        assert evaluation_standard_problems(standard) == []
        assert standard.indicators.exists() and standard.red_lines.exists()


def test_training_standard_is_the_tianjin_thousand_points(shipped: Any) -> None:
    training = TrainingStandard.objects.get()
    assert training.max_points == 1000
    bands = {b.grade: b.min_points for b in training.bands.all()}
    assert bands == {"A": 980, "B": 950, "C": 900, "D": 800, "E": 0}
    caps = {line.rule.get("list", "penalty"): line.cap_grade for line in training.red_lines.all()}
    assert caps == {"serious": "E", "penalty": "D"}
    assert all("§7.1" in indicator.notes for indicator in training.indicators.all())
    inspection = training.indicators.get(code="PX-01")
    assert inspection.points == 40 and "年度检查合格 40" in inspection.notes


def test_teacher_standard_vetoes_on_integrity(shipped: Any) -> None:
    teacher = TeacherStandard.objects.get()
    lowest = teacher.bands.order_by("min_points").first()
    assert lowest is not None
    items = {tuple(line.rule["items"]): line.cap_grade for line in teacher.red_lines.all()}
    assert items == {("JY-SD-01",): lowest.grade, ("JY-SD-02",): lowest.grade}


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(str(m) for m in error.value.messages)


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({**COUNT_RULE, "items": ["JY-XX-99"]}, "JY-XX-99"),
        ({**COUNT_RULE, "where": {"no_such_field": ["x"]}}, "no_such_field"),
        (
            {"items": ["JY-CF-02"], "aggregate": "sum", "field": "violation_facts"},
            "violation_facts",
        ),
        ({**COUNT_RULE, "aggregate": "average"}, "汇总方式"),
        ({"input": "gossip", "map": {"A": 1}}, "gossip"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_indicator(
    draft: EvaluationStandard, rule: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValidationError) as error:
        indicator_create(
            actor=OFFICE, standard=draft, code="XX-09", name="坏指标", points=10, rule=rule
        )
    assert "XX-09" in _messages(error) and fragment in _messages(error)
    assert not Indicator.objects.filter(standard=draft).exists()


def test_a_sum_over_a_numeric_field_is_accepted(draft: EvaluationStandard) -> None:
    rule = {"items": ["JY-CF-02"], "aggregate": "sum", "field": "fine_amount", "cap": 10}
    indicator_create(actor=OFFICE, standard=draft, code="XX-09", name="罚款", points=10, rule=rule)
    assert draft.indicators.count() == 1


def test_points_above_the_maximum_are_refused(draft: EvaluationStandard) -> None:
    indicator_create(
        actor=OFFICE, standard=draft, code="XX-01", name="处罚", points=90, rule=COUNT_RULE
    )
    with pytest.raises(ValidationError) as error:
        indicator_create(
            actor=OFFICE, standard=draft, code="XX-02", name="再一项", points=20, rule=COUNT_RULE
        )
    assert "XX-02" in _messages(error) and "110" in _messages(error)
    assert list(draft.indicators.values_list("code", flat=True)) == ["XX-01"]


def test_bands_with_a_gap_from_zero_are_refused_at_publication(draft: EvaluationStandard) -> None:
    indicator_create(
        actor=OFFICE, standard=draft, code="XX-01", name="处罚", points=50, rule=COUNT_RULE
    )
    grade_band_create(actor=OFFICE, standard=draft, grade="A", label="优秀", min_points=90)
    grade_band_create(actor=OFFICE, standard=draft, grade="B", label="良好", min_points=60)
    with pytest.raises(ValidationError) as error:
        evaluation_standard_publish(actor=OFFICE, standard=draft)
    assert "0" in _messages(error)
    draft.refresh_from_db()
    assert draft.status == EditionStatus.DRAFT
    assert SchoolStandard.objects.get(number=1).status == EditionStatus.PUBLISHED


def test_a_red_line_on_an_unknown_list_is_refused(draft: EvaluationStandard) -> None:
    with pytest.raises(ValidationError) as error:
        red_line_create(
            actor=OFFICE,
            standard=draft,
            code="XX-R9",
            name="名单",
            rule={"list": "grey"},
            cap_grade="D",
        )
    assert "XX-R9" in _messages(error) and "grey" in _messages(error)
    assert not draft.red_lines.exists()


def _second_edition(draft: EvaluationStandard) -> EvaluationStandard:
    first = SchoolStandard.objects.get(number=1)
    for row in first.indicators.all():
        points = 15 if row.code == "XX-01" else row.points
        rule = row.rule
        if row.code == "XX-06":
            continue
        indicator_create(
            actor=OFFICE, standard=draft, code=row.code, name=row.name, points=points, rule=rule
        )
    indicator_create(
        actor=OFFICE,
        standard=draft,
        code="XX-07",
        name="轻微处罚",
        points=5,
        rule={**COUNT_RULE, "items": ["JY-CF-01"]},
    )
    for band in first.bands.all():
        grade_band_create(
            actor=OFFICE,
            standard=draft,
            grade=band.grade,
            label=band.label,
            min_points=band.min_points,
        )
    for line in first.red_lines.all():
        red_line_create(
            actor=OFFICE,
            standard=draft,
            code=line.code,
            name=line.name,
            rule=line.rule,
            cap_grade=line.cap_grade,
        )
    return evaluation_standard_publish(actor=OFFICE, standard=draft)


def test_the_edition_in_force_on_a_day_per_subject_kind(draft: EvaluationStandard) -> None:
    second = _second_edition(draft)
    assert second.number == 2
    assert edition_in_force(SchoolStandard, datetime.date(2026, 6, 1)).number == 1  # type: ignore[union-attr]
    assert edition_in_force(SchoolStandard, LATER).pk == second.pk  # type: ignore[union-attr]
    # Publishing the schools' second edition leaves the other kinds' standards in force.
    assert edition_in_force(TrainingStandard, LATER).number == 1  # type: ignore[union-attr]
    assert edition_in_force(TeacherStandard, LATER).number == 1  # type: ignore[union-attr]


def test_diff_between_two_editions(draft: EvaluationStandard) -> None:
    second = _second_edition(draft)
    first = SchoolStandard.objects.get(number=1)
    diff = edition_diff(
        first.indicators.all(),
        second.indicators.all(),
        key="code",
        fields=["name", "points", "rule"],
    )
    assert [row.code for row in diff.added] == ["XX-07"]
    assert [row.code for row in diff.removed] == ["XX-06"]
    assert [(c.key, c.fields) for c in diff.changed] == [("XX-01", ("points",))]


def test_the_refusal_reads_in_english(draft: EvaluationStandard) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        indicator_create(
            actor=OFFICE,
            standard=draft,
            code="XX-09",
            name="坏指标",
            points=10,
            rule={**COUNT_RULE, "items": ["JY-XX-99"]},
        )
    with translation.override("en"):
        text = _messages(error)
    assert "indicator XX-09" in text and "not in the catalog in force on 2027-01-01" in text


def test_a_value_the_field_does_not_take_is_refused(draft: EvaluationStandard) -> None:
    rule = {**COUNT_RULE, "items": ["JY-TS-01"], "where": {"finding": ["可能属实"]}}
    with pytest.raises(ValidationError) as error:
        indicator_create(
            actor=OFFICE, standard=draft, code="XX-09", name="投诉", points=5, rule=rule
        )
    assert "可能属实" in _messages(error)


def test_a_red_line_capping_at_an_unknown_grade_is_refused(draft: EvaluationStandard) -> None:
    indicator_create(
        actor=OFFICE, standard=draft, code="XX-01", name="处罚", points=50, rule=COUNT_RULE
    )
    grade_band_create(actor=OFFICE, standard=draft, grade="A", label="优秀", min_points=60)
    grade_band_create(actor=OFFICE, standard=draft, grade="B", label="较差", min_points=0)
    red_line_create(
        actor=OFFICE,
        standard=draft,
        code="XX-R1",
        name="严重失信",
        rule={"list": "serious"},
        cap_grade="E",
    )
    with pytest.raises(ValidationError) as error:
        evaluation_standard_publish(actor=OFFICE, standard=draft)
    assert "XX-R1" in _messages(error) and "E" in _messages(error)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_published_standard_is_never_changed(shipped: list[EvaluationStandard]) -> None:
    with pytest.raises(ValidationError):
        indicator_create(
            actor=OFFICE, standard=shipped[1], code="XX-09", name="追加", points=0, rule=COUNT_RULE
        )
    assert not shipped[1].indicators.filter(code="XX-09").exists()


def test_only_the_provincial_office_edits_standards(shipped: Any) -> None:
    # A district clerk's actor is not a catalog editor.
    with pytest.raises(PermissionDenied):
        evaluation_standard_create(
            actor="clerk:district",
            subject_kind="school",
            title="区里的标准",
            effective_from=LATER,
            max_points=100,
        )
    assert SchoolStandard.objects.count() == 1
