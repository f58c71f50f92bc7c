"""The edition every versioned table inherits: one numbered version of a list, in force from
its effective date until the next published edition takes over.

An app's edition model inherits ``Edition`` and declares its own ``Meta.verbose_name``; its rows
point at it with a foreign key.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class Edition(AuditedModel):
    """One edition; the edition in force on a day answers "as of" it."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("施行日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=EditionStatus.choices, default=EditionStatus.DRAFT
    )
    notes = models.TextField(_("说明"), blank=True)
    # The day a later published edition took over (the edition answers "as of" dates before it).
    retired_from = models.DateField(_("废止日期"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == EditionStatus.DRAFT

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether this edition answers for ``day``."""
        return (
            self.status != EditionStatus.DRAFT
            and self.effective_from <= day
            and (self.retired_from is None or day < self.retired_from)
        )
