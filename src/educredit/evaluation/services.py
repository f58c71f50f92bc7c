"""Writes of the evaluation standards: a draft edition per subject kind, its indicators, bands
and red lines (each checked on entry), publication (every check again, on the editions
machinery) and the seed of the shipped standards (``evaluation.data``).

Refusals are ``ValidationError`` with ``Bilingual`` messages naming the indicator or red line
and the rule; each service is one transaction, so nothing is half-written.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from educredit.audit.services import audit_append
from educredit.catalog.services import catalog_editor, catalog_version_seed
from educredit.core.i18n import Bilingual
from educredit.editions.services import edition_create, edition_publish, edition_require_draft
from educredit.evaluation.models import (
    STANDARD_MODELS,
    EvaluationStandard,
    GradeBand,
    Indicator,
    RedLine,
    SubjectKind,
)
from educredit.evaluation.rules import indicator_rule_problems, red_line_rule_problems

Actor = Any
PREFIX = "evaluation.standard"
DRAFT_ONLY = Bilingual(
    "只能修改草稿版本的评价标准", "only a draft evaluation standard can be changed"
)
EMPTY = Bilingual(
    "没有指标的评价标准不能发布", "an evaluation standard without indicators cannot be published"
)


def _require_editor(actor: Actor) -> None:
    if not catalog_editor(actor):
        raise PermissionDenied(
            Bilingual(
                "只有省教育厅管理员可以修改信用评价标准",
                "only provincial administrators may change the evaluation standards",
            )
        )


def _refuse(problems: list[Bilingual], code: str) -> None:
    if problems:
        raise ValidationError([ValidationError(p, code=code) for p in problems])


def _locked_draft(standard: EvaluationStandard) -> EvaluationStandard:
    locked = EvaluationStandard.objects.select_for_update().get(pk=standard.pk)
    edition_require_draft(locked, DRAFT_ONLY)
    return locked


def _indicator_who(code: str, name: str) -> Bilingual:
    return Bilingual(f"指标 {code}（{name}）", f"indicator {code} ({name})")


def _red_line_who(code: str, name: str) -> Bilingual:
    return Bilingual(f"红线 {code}（{name}）", f"red line {code} ({name})")


def _points_problems(standard: EvaluationStandard, extra: int = 0) -> list[Bilingual]:
    total = sum(standard.indicators.values_list("points", flat=True)) + extra
    if total > standard.max_points:
        return [
            Bilingual(
                f"指标分值合计 {total} 超过满分 {standard.max_points}",
                f"the indicators' points total {total}, above the maximum {standard.max_points}",
            )
        ]
    return []


def _band_problems(standard: EvaluationStandard) -> list[Bilingual]:
    """Bands must start at 0, have distinct minima, and the top one lie within the maximum."""
    minima = sorted(standard.bands.values_list("min_points", flat=True))
    if not minima or minima[0] != 0:
        return [
            Bilingual(
                "评价等级须从 0 分起覆盖到满分", "the grade bands must cover 0 up to the maximum"
            )
        ]
    if len(set(minima)) != len(minima):
        return [
            Bilingual("评价等级的最低分重复，区间重叠", "two grade bands start at the same points")
        ]
    if minima[-1] > standard.max_points:
        return [
            Bilingual(
                f"评价等级的最低分 {minima[-1]} 超过满分 {standard.max_points}，区间未覆盖",
                f"a grade band starts at {minima[-1]}, above the maximum {standard.max_points}",
            )
        ]
    return []


@transaction.atomic
def evaluation_standard_create(
    *,
    actor: Actor,
    subject_kind: str,
    title: str,
    effective_from: datetime.date,
    max_points: int,
    notes: str = "",
) -> EvaluationStandard:
    """A new draft edition of the standard of ``subject_kind``, numbered within the kind."""
    _require_editor(actor)
    if subject_kind not in SubjectKind.values:
        raise ValidationError(
            {
                "subject_kind": [
                    Bilingual(
                        f"未知的评价对象 {subject_kind}", f"unknown subject kind {subject_kind}"
                    )
                ]
            }
        )
    if max_points <= 0:
        raise ValidationError(
            {"max_points": [Bilingual("满分须为正整数", "the maximum must be positive")]}
        )
    model = STANDARD_MODELS[subject_kind]
    standard = edition_create(
        actor=actor,
        model=model,
        title=title,
        effective_from=effective_from,
        notes=notes,
        action_prefix=PREFIX,
    )
    if standard.max_points != max_points:
        before = standard.audit_snapshot()
        standard.max_points = max_points
        standard.save(update_fields=["max_points"])
        audit_append(actor=actor, action=f"{PREFIX}_update", target=standard, before=before)
    return standard


@transaction.atomic
def indicator_create(
    *,
    actor: Actor,
    standard: EvaluationStandard,
    code: str,
    name: str,
    points: int,
    rule: dict[str, Any],
    order: int = 0,
    notes: str = "",
) -> Indicator:
    """An indicator of a draft standard; its rule is checked against the catalog in force on
    the standard's effective date and the points against the standard's maximum."""
    _require_editor(actor)
    standard = _locked_draft(standard)
    code = code.strip()
    who = _indicator_who(code, name)
    if not code or standard.indicators.filter(code=code).exists():
        raise ValidationError(
            {
                "code": [
                    Bilingual(
                        f"指标编码为空或重复：{code}", f"blank or duplicate indicator code {code}"
                    )
                ]
            }
        )
    _refuse(indicator_rule_problems(rule, standard.effective_from, who), "invalid_rule")
    _refuse(
        [
            Bilingual(f"{who.zh}：{p.zh}", f"{who.en}: {p.en}")
            for p in _points_problems(standard, points)
        ],
        "points_exceed_max",
    )
    indicator = Indicator.objects.create(
        standard=standard, code=code, name=name, points=points, order=order, rule=rule, notes=notes
    )
    audit_append(actor=actor, action="evaluation.indicator_create", target=indicator, before=None)
    return indicator


@transaction.atomic
def grade_band_create(
    *, actor: Actor, standard: EvaluationStandard, grade: str, label: str, min_points: int
) -> GradeBand:
    """A grade band of a draft standard, from ``min_points`` inclusive."""
    _require_editor(actor)
    standard = _locked_draft(standard)
    grade = grade.strip()
    if not grade or standard.bands.filter(grade=grade).exists():
        raise ValidationError(
            {"grade": [Bilingual(f"等级为空或重复：{grade}", f"blank or duplicate grade {grade}")]}
        )
    band = GradeBand.objects.create(
        standard=standard, grade=grade, label=label, min_points=min_points
    )
    audit_append(actor=actor, action="evaluation.band_create", target=band, before=None)
    return band


@transaction.atomic
def red_line_create(
    *,
    actor: Actor,
    standard: EvaluationStandard,
    code: str,
    name: str,
    rule: dict[str, Any],
    cap_grade: str,
    notes: str = "",
) -> RedLine:
    """A red line of a draft standard: when its rule holds, ``cap_grade`` at best."""
    _require_editor(actor)
    standard = _locked_draft(standard)
    code = code.strip()
    who = _red_line_who(code, name)
    if not code or standard.red_lines.filter(code=code).exists():
        raise ValidationError(
            {
                "code": [
                    Bilingual(
                        f"红线编码为空或重复：{code}", f"blank or duplicate red line code {code}"
                    )
                ]
            }
        )
    _refuse(red_line_rule_problems(rule, standard.effective_from, who), "invalid_rule")
    line = RedLine.objects.create(
        standard=standard, code=code, name=name, rule=rule, cap_grade=cap_grade, notes=notes
    )
    audit_append(actor=actor, action="evaluation.red_line_create", target=line, before=None)
    return line


def evaluation_standard_problems(standard: EvaluationStandard) -> list[Bilingual]:
    """Every check of a standard: each rule against the catalog in force on its effective
    date, the points against the maximum, the bands covering 0 to the maximum, each red line's
    grade one of the bands."""
    day = standard.effective_from
    problems: list[Bilingual] = []
    for indicator in standard.indicators.all():
        who = _indicator_who(indicator.code, indicator.name)
        problems += indicator_rule_problems(indicator.rule, day, who)
    problems += _points_problems(standard)
    problems += _band_problems(standard)
    grades = set(standard.bands.values_list("grade", flat=True))
    for line in standard.red_lines.all():
        who = _red_line_who(line.code, line.name)
        problems += red_line_rule_problems(line.rule, day, who)
        if line.cap_grade not in grades:
            problems.append(
                Bilingual(
                    f"{who.zh}：最高等级 {line.cap_grade} 不是本标准的等级",
                    f"{who.en}: grade {line.cap_grade} is not one of the standard's grades",
                )
            )
    return problems


def _check(standard: EvaluationStandard) -> None:
    _refuse(evaluation_standard_problems(standard), "invalid_standard")


@transaction.atomic
def evaluation_standard_publish(
    *, actor: Actor, standard: EvaluationStandard, reason: str = ""
) -> EvaluationStandard:
    """Publish a draft standard from its effective date, every check run again; the kind's
    edition in force before it retires from that day."""
    _require_editor(actor)
    model = STANDARD_MODELS[standard.subject_kind]
    edition = model._default_manager.get(pk=standard.pk)
    return edition_publish(
        actor=actor,
        edition=edition,
        rows=edition.indicators.all(),
        action_prefix=PREFIX,
        empty_message=EMPTY,
        draft_message=DRAFT_ONLY,
        reason=reason,
        check=_check,
    )


@transaction.atomic
def evaluation_standards_seed(*, actor: Actor) -> list[EvaluationStandard]:
    """Load the shipped standards (``evaluation.data``) as edition 1 of each subject kind that
    has none; idempotent. Seeds the shipped catalog first (the rules name its items)."""
    from educredit.evaluation import data

    catalog_version_seed(actor=actor)
    loaded = []
    for shipped in data.STANDARDS:
        model = STANDARD_MODELS[shipped["subject_kind"]]
        existing = model._default_manager.order_by("number").first()
        if existing is not None:
            loaded.append(existing)
            continue
        standard = evaluation_standard_create(
            actor=actor,
            subject_kind=shipped["subject_kind"],
            title=shipped["title"],
            effective_from=data.EFFECTIVE,
            max_points=shipped["max_points"],
            notes=shipped["notes"],
        )
        for order, attributes in enumerate(shipped["indicators"], start=1):
            indicator_create(actor=actor, standard=standard, order=order, **attributes)
        for grade, label, minimum in shipped["bands"]:
            grade_band_create(
                actor=actor, standard=standard, grade=grade, label=label, min_points=minimum
            )
        for attributes in shipped["red_lines"]:
            red_line_create(actor=actor, standard=standard, **attributes)
        loaded.append(
            evaluation_standard_publish(
                actor=actor,
                standard=standard,
                reason="随系统发布的信用评价标准第 1 版 / evaluation standard edition 1 as shipped",
            )
        )
    return loaded
