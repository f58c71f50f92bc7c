"""Enumerations of research integrity (科研诚信)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResearchActivityStatus(models.TextChoices):
    """Where a research activity stands; the moves allowed are ``services.TRANSITIONS``."""

    PLANNED = "planned", _("未开始")
    ONGOING = "ongoing", _("实施中")
    COMPLETED = "completed", _("已结题")
    TERMINATED = "terminated", _("已终止")
