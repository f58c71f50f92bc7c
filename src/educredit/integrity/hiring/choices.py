"""Enumerations of hiring checks (入职查询)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HiringCheckPurpose(models.TextChoices):
    """Why the school checks the person (高检发〔2020〕14号, 教师函〔2023〕1号, 未成年人保护法)."""

    HIRING = "hiring", _("入职")
    QUALIFICATION = "qualification", _("教师资格认定")
    ANNUAL = "annual", _("年度复查")


class StatutoryOutcome(models.TextChoices):
    """The result of the separate statutory check against the 性侵违法犯罪信息 database."""

    NOT_FOUND = "not_found", _("未发现")
    FOUND = "found", _("发现相关记录")
    INCOMPLETE = "incomplete", _("查询未完成")


# The outcomes with which the statutory check was made (查询未完成 is not a check made).
STATUTORY_DONE = frozenset({StatutoryOutcome.NOT_FOUND, StatutoryOutcome.FOUND})
