"""Enumerations of the annual teacher-ethics appraisal (师德考核)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EthicsAppraisalGrade(models.TextChoices):
    """考核等次: the values are those of JY-SD-01's ``grade`` field (the record's payload)."""

    EXCELLENT = "优秀", _("优秀")
    QUALIFIED = "合格", _("合格")
    BASICALLY_QUALIFIED = "基本合格", _("基本合格")
    UNQUALIFIED = "不合格", _("不合格")


# The grades whose facts the school must state (说明): the level above reviews them on them.
GRADES_NEEDING_FACTS = frozenset(
    {EthicsAppraisalGrade.BASICALLY_QUALIFIED, EthicsAppraisalGrade.UNQUALIFIED}
)


class EthicsAppraisalStatus(models.TextChoices):
    """草稿 → 待审核 → 已通过 / 已退回 (a returned one is corrected and submitted again)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    RETURNED = "returned", _("已退回")


class EthicsAppraisalSource(models.TextChoices):
    """How an appraisal reached the platform."""

    PAGE = "page", _("页面录入")
    IMPORT = "import", _("表格导入")
