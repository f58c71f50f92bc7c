"""The annual teacher-ethics appraisal (师德考核) of a teacher by the school, its steps, and the
spreadsheet imports of appraisals."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.integrity.appraisal.choices import (
    EthicsAppraisalGrade,
    EthicsAppraisalSource,
    EthicsAppraisalStatus,
)
from educredit.subjects.models import ImportProgress, ImportRunQuerySet


class EthicsAppraisal(AuditedModel):
    """One teacher's 师德考核 result for one year, entered by the school (the teacher's
    employer) and reviewed by the level above it; once approved it is the credit record
    JY-SD-01 in the teacher's archive (``credit_record``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    teacher = models.ForeignKey(
        "subjects.Person",
        on_delete=models.PROTECT,
        related_name="ethics_appraisals",
        verbose_name=_("教师"),
    )
    school = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        related_name="ethics_appraisals",
        verbose_name=_("学校"),
    )
    year = models.PositiveSmallIntegerField(_("考核年度"))
    grade = models.CharField(_("考核等次"), max_length=10, choices=EthicsAppraisalGrade.choices)
    remarks = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=EthicsAppraisalStatus.choices,
        default=EthicsAppraisalStatus.DRAFT,
    )
    source = models.CharField(
        _("来源"),
        max_length=10,
        choices=EthicsAppraisalSource.choices,
        default=EthicsAppraisalSource.PAGE,
    )
    entered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    credit_record = models.OneToOneField(
        "records.CreditRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ethics_appraisal",
        verbose_name=_("信用记录"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("师德考核")
        verbose_name_plural = _("师德考核")
        ordering = ["-year", "school", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "year"], name="uniq_ethics_appraisal_teacher_year"
            )
        ]
        indexes = [models.Index(fields=["school", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.year} {self.teacher_id} {self.grade}"


class EthicsAppraisalStep(models.Model):
    """One step of an appraisal's workflow: who took it, when, from which status, and why."""

    appraisal = models.ForeignKey(EthicsAppraisal, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, choices=EthicsAppraisalStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=EthicsAppraisalStatus.choices)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appraisal_id} {self.action} {self.from_status}→{self.to_status}"


class EthicsAppraisalImportRun(ImportProgress):
    """One uploaded spreadsheet of a school's appraisals being imported, with its progress
    (the shared run of ``subjects.ImportProgress``, claimed and leased by ``core.jobs``)."""

    school = models.ForeignKey(
        "subjects.Institution", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    file = models.FileField(upload_to="appraisal-imports/%Y/%m/", blank=True)

    objects = ImportRunQuerySet["EthicsAppraisalImportRun"].as_manager()

    class Meta(ImportProgress.Meta):
        verbose_name = _("师德考核导入批次")
        verbose_name_plural = _("师德考核导入批次")


class EthicsAppraisalImportError(models.Model):
    """A rejected row: its number, the column and the reason; the row's values encrypted (they
    hold identity numbers) so that the error report can repeat them for correction."""

    run = models.ForeignKey(
        EthicsAppraisalImportRun, on_delete=models.CASCADE, related_name="row_errors"
    )
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    reason = models.TextField(_("原因"))
    values_cipher = models.TextField(blank=True)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["run", "row_number"], name="appraisal_import_error_row")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"
