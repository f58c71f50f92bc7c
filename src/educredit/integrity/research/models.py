"""Research activity records (科研活动记录): who runs which project, when, and where its data
is kept and until when (domain rules §6.4: responsible parties commit to research integrity
before research activities; the data kept is what an investigation reads)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.integrity.research.choices import ResearchActivityStatus


class ResearchActivity(AuditedModel):
    """One research activity (a project) of an institution, entered by the institution's staff.

    ``retention_until`` (保存期限) is never before ``ends_on``: the data outlives the project.
    ``commitment_code`` is the 承诺编码 of the responsible person's 科研诚信承诺, when one was
    signed (a code, not a key: the commitment lives in the commitments app).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        related_name="research_activities",
        verbose_name=_("承担单位"),
    )
    responsible_person = models.ForeignKey(
        "subjects.Person",
        on_delete=models.PROTECT,
        related_name="research_activities",
        verbose_name=_("项目负责人"),
    )
    project_name = models.CharField(_("项目名称"), max_length=200)
    project_number = models.CharField(_("项目编号"), max_length=60)
    funder = models.CharField(_("资助或立项单位"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    data_location = models.CharField(_("数据存储位置"), max_length=300)
    retention_until = models.DateField(_("数据保存期限"))
    commitment_code = models.CharField(_("科研诚信承诺编码"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ResearchActivityStatus.choices,
        default=ResearchActivityStatus.PLANNED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("科研活动记录")
        verbose_name_plural = _("科研活动记录")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "project_number"], name="uniq_research_project_number"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="research_activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(retention_until__gte=models.F("ends_on")),
                name="research_data_kept_past_the_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_number} {self.project_name}"
