"""Enumerations of the measure list (信用激励和惩戒措施清单)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.editions.models import EditionStatus


class MeasureDirection(models.TextChoices):
    """Whether a measure punishes dishonesty or rewards trustworthiness."""

    PUNISHMENT = "punishment", _("失信惩戒")
    REWARD = "reward", _("守信激励")


class MeasurePart(models.TextChoices):
    """The three parts of the 全国失信惩戒措施基础清单 (punishments only)."""

    RIGHTS_REDUCING = "rights_reducing", _("减损权益或增加义务的措施")
    MANAGEMENT = "management", _("相关管理措施")
    OTHER_ORGANISATIONS = "other_organisations", _("其他组织自主实施的措施")


class MeasureVerdict(models.TextChoices):
    """What a screening hit on the measure tells the business system."""

    RESTRICTED = "restricted", _("限制")
    REVIEW = "review", _("重点审查")
    REWARD = "reward", _("激励")


class DurationKind(models.TextChoices):
    """How long a measure applies after the record or list entry that triggers it."""

    FIXED_TERM = "fixed_term", _("自决定之日起固定期限")
    RECORD_DATE = "record_date", _("以决定载明日期为准")
    UNTIL_REPAIR = "until_repair", _("至信用修复")
    UNTIL_LIST_EXIT = "until_list_exit", _("至名单移出")
    PERMANENT = "permanent", _("永久")


# The statuses of every edition (``editions.models.EditionStatus``), under the name
# this app's code has always used.
MeasureListVersionStatus = EditionStatus
