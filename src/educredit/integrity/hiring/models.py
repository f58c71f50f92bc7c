"""A hiring check (入职查询): the platform's answer and the statutory check, kept together."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.integrity.hiring.choices import HiringCheckPurpose, StatutoryOutcome


def _attachment_path(instance: HiringCheck, filename: str) -> str:
    return f"hiring/{instance.public_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class HiringCheck(AuditedModel):
    """One check of a person by a school before hiring, before a teacher qualification or at
    the yearly re-check: the ``staff_hiring`` screening answer as it was given (verdict, data
    version, the ``ScreeningCheck`` that logged it, the measures) and the record of the
    separate statutory check against the 性侵违法犯罪信息 database (who, when, outcome,
    reference, attachment). Complete only when both parts are there."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        related_name="hiring_checks",
        verbose_name=_("学校"),
    )
    person = models.ForeignKey(
        "subjects.Person",
        on_delete=models.PROTECT,
        related_name="hiring_checks",
        verbose_name=_("人员"),
    )
    purpose = models.CharField(_("查询事由"), max_length=20, choices=HiringCheckPurpose.choices)
    checked_on = models.DateField(_("查询日期"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("查询人")
    )
    # The platform's answer, as given (sanctions.screening.screen, scenario staff_hiring).
    verdict = models.CharField(_("平台核查结论"), max_length=20)
    subject_found = models.BooleanField(_("平台有记录"), default=False)
    name_match = models.CharField(max_length=20, blank=True)
    data_version = models.PositiveBigIntegerField(_("数据版本"))
    screening_check = models.UUIDField(_("核查日志编号"))
    measures = models.JSONField(default=list, blank=True)
    # The separate statutory check (性侵违法犯罪信息查询), recorded by the school.
    statutory_checked_by = models.CharField(_("查询经办人"), max_length=100, blank=True)
    statutory_checked_on = models.DateField(_("查询日期"), null=True, blank=True)
    statutory_outcome = models.CharField(
        _("查询结果"), max_length=20, choices=StatutoryOutcome.choices, blank=True
    )
    statutory_reference = models.CharField(_("查询编号"), max_length=100, blank=True)
    statutory_attachment = models.FileField(
        _("查询结果附件"), upload_to=_attachment_path, blank=True
    )
    statutory_attachment_sha256 = models.CharField(max_length=64, blank=True)
    statutory_recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    complete = models.BooleanField(_("已完成"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("入职查询")
        verbose_name_plural = _("入职查询")
        indexes = [
            models.Index(fields=["school", "checked_on"], name="hiring_school_day"),
            models.Index(fields=["person", "checked_on"], name="hiring_person_day"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}:{self.person_id}:{self.checked_on}"
