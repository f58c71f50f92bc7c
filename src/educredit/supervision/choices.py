"""Choices of the graded supervision policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GradePolicyMeasure(models.TextChoices):
    """The Henan measure a grade's supervision applies (条例 §30(四), §32(五))."""

    # 守信 (§30(四)): 日常监管中减少检查频次.
    FEWER_CHECKS = "fewer_checks", _("守信：减少检查频次")
    # Neither: the baseline rate and frequency.
    BASELINE = "baseline", _("常规比例和频次")
    # 失信 (§32(五)): 列为重点监管对象，增加监管频次.
    KEY_TARGET = "key_target", _("失信：列为重点监管对象、增加监管频次")


class MandatoryClassCode(models.TextChoices):
    """The classes every plan inspects in full (100 %), whatever their grade's rate."""

    LOWEST_GRADE = "lowest_grade", _("最低信用等级")
    COMPLAINT_HOTSPOT = "complaint_hotspot", _("投诉集中")
    EARLY_WARNING = "early_warning", _("失信预警")
