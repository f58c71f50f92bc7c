"""The graded supervision policy (分级分类监管): one edition of sampling rates per credit grade
and the classes inspected in full, on the edition base (ADR 0045)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.editions.models import Edition
from educredit.supervision.choices import GradePolicyMeasure, MandatoryClassCode


class SupervisionPolicy(Edition):
    """One edition of the graded supervision policy (分级分类监管抽查比例)."""

    # The education floor over all supervised subjects (镇平县教育体育局 2022, engineering
    # anchors §4): at least this per cent of them, at least this many visits a year.
    floor_rate = models.PositiveSmallIntegerField(
        _("最低抽查比例（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    floor_visits_per_year = models.PositiveSmallIntegerField(_("每年至少检查次数"), default=0)

    class Meta(Edition.Meta):
        verbose_name = _("分级分类监管政策版本")
        verbose_name_plural = _("分级分类监管政策版本")


class GradePolicy(AuditedModel):
    """A grade's sampling rule: rate, minimum per plan, visits a year, the measure it applies."""

    policy = models.ForeignKey(SupervisionPolicy, on_delete=models.PROTECT, related_name="grades")
    grade = models.CharField(_("信用等级"), max_length=4)
    label = models.CharField(_("等级名称"), max_length=40)
    sampling_rate = models.PositiveSmallIntegerField(
        _("抽查比例（%）"), validators=[MaxValueValidator(100)]
    )
    minimum_count = models.PositiveIntegerField(_("每次计划最少抽取数"), default=0)
    visits_per_year = models.PositiveSmallIntegerField(_("每年检查次数"), default=1)
    mandatory = models.BooleanField(_("全部检查"), default=False)
    measure = models.CharField(_("监管措施"), max_length=20, choices=GradePolicyMeasure.choices)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["policy", "grade"]
        verbose_name = _("信用等级抽查规则")
        verbose_name_plural = _("信用等级抽查规则")
        constraints = [
            models.UniqueConstraint(fields=["policy", "grade"], name="uniq_grade_in_policy")
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.label}"


class MandatoryClass(AuditedModel):
    """A class of targets inspected in full (100 %) while ``enabled``."""

    policy = models.ForeignKey(
        SupervisionPolicy, on_delete=models.PROTECT, related_name="mandatory_classes"
    )
    code = models.CharField(_("类别编码"), max_length=40, choices=MandatoryClassCode.choices)
    name = models.CharField(_("类别名称"), max_length=100)
    enabled = models.BooleanField(_("启用"), default=True)
    # Complaint hot-spots: at least ``complaint_count`` complaints in ``complaint_months`` months.
    complaint_count = models.PositiveSmallIntegerField(_("投诉次数"), null=True, blank=True)
    complaint_months = models.PositiveSmallIntegerField(_("统计月数"), null=True, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["policy", "code"]
        verbose_name = _("全部检查类别")
        verbose_name_plural = _("全部检查类别")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "code"], name="uniq_mandatory_class_in_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
