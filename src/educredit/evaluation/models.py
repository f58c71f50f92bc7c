"""Evaluation standards as data (行业信用评价): one edition per subject kind, its indicators,
grade bands and red lines. The scoring that reads them comes later; these rows only say what a
standard is, checked on entry by ``evaluation.services``.

Each subject kind's standards are an edition list of their own: the proxy models
(``TrainingStandard``, ``SchoolStandard``, ``TeacherStandard``) carry a manager limited to the
kind, so the editions machinery (next number, the edition in force, publication retiring the
edition before) works per kind unchanged.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.editions.models import Edition


class SubjectKind(models.TextChoices):
    TRAINING = "training", _("民办学校和培训机构")
    SCHOOL = "school", _("公办学校和高等学校")
    TEACHER = "teacher", _("教师")


class EvaluationStandard(Edition):
    """One edition of the evaluation standard of one subject kind."""

    # Numbered per subject kind (the base's unique number is replaced by the pair below).
    number = models.PositiveIntegerField(_("版本号"))
    subject_kind = models.CharField(_("评价对象"), max_length=20, choices=SubjectKind.choices)
    max_points = models.PositiveIntegerField(_("满分"), default=100)

    class Meta(Edition.Meta):
        verbose_name = _("信用评价标准")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "number"], name="uniq_evaluation_standard_number"
            )
        ]


class _KindManager(models.Manager["EvaluationStandard"]):
    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def get_queryset(self) -> models.QuerySet[EvaluationStandard]:
        return super().get_queryset().filter(subject_kind=self.kind)

    def create(self, **kwargs: Any) -> EvaluationStandard:
        kwargs.setdefault("subject_kind", self.kind)
        return super().create(**kwargs)

    def deconstruct(self) -> tuple[bool, str | None, str | None, tuple[Any, ...], dict[str, Any]]:
        return (False, f"{__name__}._KindManager", None, (self.kind,), {})


class TrainingStandard(EvaluationStandard):
    objects: ClassVar[_KindManager] = _KindManager(SubjectKind.TRAINING)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("培训机构信用评价标准")


class SchoolStandard(EvaluationStandard):
    objects: ClassVar[_KindManager] = _KindManager(SubjectKind.SCHOOL)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("学校信用评价标准")


class TeacherStandard(EvaluationStandard):
    objects: ClassVar[_KindManager] = _KindManager(SubjectKind.TEACHER)  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("教师信用评价标准")


STANDARD_MODELS: dict[str, type[EvaluationStandard]] = {
    SubjectKind.TRAINING: TrainingStandard,
    SubjectKind.SCHOOL: SchoolStandard,
    SubjectKind.TEACHER: TeacherStandard,
}


class Indicator(AuditedModel):
    """One indicator: ``points`` at most, scored by ``rule`` (a records rule
    ``{"items": [...], "where": {...}, "window_months": 12, "aggregate": "count", ...}`` or an
    input rule ``{"input": "public_grade", "map": {...}}``; see ``evaluation.rules``)."""

    standard = models.ForeignKey(
        EvaluationStandard, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField(_("指标编码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=200)
    points = models.PositiveIntegerField(_("分值"))
    order = models.PositiveIntegerField(_("顺序"), default=0)
    rule = models.JSONField(_("计分规则"), default=dict)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["standard", "order", "code"]
        verbose_name = _("评价指标")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="uniq_evaluation_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GradeBand(AuditedModel):
    """A grade: from ``min_points`` (inclusive) up to the next band's minimum."""

    standard = models.ForeignKey(EvaluationStandard, on_delete=models.PROTECT, related_name="bands")
    grade = models.CharField(_("等级"), max_length=2)
    label = models.CharField(_("等级名称"), max_length=40)
    min_points = models.PositiveIntegerField(_("最低分"))

    class Meta:
        ordering = ["standard", "-min_points"]
        verbose_name = _("评价等级")
        constraints = [
            models.UniqueConstraint(fields=["standard", "grade"], name="uniq_evaluation_band")
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_points}"


class RedLine(AuditedModel):
    """A red line: when its ``rule`` holds (``{"list": "serious"}``, or ``{"items": [...],
    "where": {...}, "window_months": 12}``), the grade is ``cap_grade`` at best."""

    standard = models.ForeignKey(
        EvaluationStandard, on_delete=models.PROTECT, related_name="red_lines"
    )
    code = models.CharField(_("红线编码"), max_length=40)
    name = models.CharField(_("红线名称"), max_length=200)
    rule = models.JSONField(_("触发规则"), default=dict)
    cap_grade = models.CharField(_("最高等级"), max_length=2)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["standard", "code"]
        verbose_name = _("评价红线")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="uniq_evaluation_red_line")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
