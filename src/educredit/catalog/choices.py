"""Enumerations of the catalog (公共信用信息目录)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.editions.models import EditionStatus


class Severity(models.TextChoices):
    """How an item bears on credit standing: 守信 (positive) or a grade of 失信."""

    TRUSTWORTHY = "trustworthy", _("守信")
    MINOR = "minor", _("轻微失信")
    GENERAL = "general", _("一般失信")
    SERIOUS = "serious", _("严重失信")
    NEUTRAL = "neutral", _("中性")


class DisclosureMode(models.TextChoices):
    """Henan regulation §18: who may see information of this item."""

    PUBLIC = "public", _("公开公示")
    GOVERNMENT = "government", _("政务共享")
    AUTHORISED = "authorised", _("授权查询")


class SubjectType(models.TextChoices):
    """主体类型: which subjects an item is recorded about."""

    INSTITUTION = "institution", _("法人和非法人组织")
    PERSON = "person", _("自然人")
    BOTH = "both", _("法人、非法人组织和自然人")


class SharingAttribute(models.TextChoices):
    """共享属性 of a catalog item."""

    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NOT_SHARED = "not_shared", _("不予共享")


class InfoCategory(models.TextChoices):
    """Henan regulation §12 categories, refined for education (信息类别)."""

    LICENCE = "licence", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COMMITMENT = "commitment", _("信用承诺")
    INSPECTION = "inspection", _("检查与年检")
    COMPLAINT = "complaint", _("投诉举报")
    EVALUATION = "evaluation", _("信用评价")
    ETHICS = "ethics", _("师德师风")
    QUALIFICATION = "qualification", _("教师资格")
    MISCONDUCT = "misconduct", _("学术与科研失信")
    EXAM = "exam", _("考试违规")
    CONTRACT = "contract", _("协议履约")
    AID = "aid", _("学生资助")
    HONOUR = "honour", _("表彰奖励")
    LIST = "list", _("名单")


# The statuses of every edition (``editions.models.EditionStatus``), under the name
# this app's code has always used.
CatalogVersionStatus = EditionStatus
