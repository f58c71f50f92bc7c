"""Enumerations of credit records and lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditRecordStatus(models.TextChoices):
    """Life cycle of a credit record; transitions live in ``records.lifecycle``."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    EFFECTIVE = "effective", _("生效")
    UNDER_OBJECTION = "under_objection", _("异议中")
    REPAIRED = "repaired", _("已修复")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已届满")


class CreditRecordSource(models.TextChoices):
    """How a record entered the platform."""

    PAGE = "page", _("页面录入")
    IMPORT = "import", _("文件导入")
    API = "api", _("接口报送")
    PROVINCE = "province", _("省平台推送")
    # Entered by the platform itself for a body (a commitment's 网络核验, a decision a
    # reviewer took), never approved by it.
    SYSTEM = "system", _("系统生成")


class DecisionProcedure(models.TextChoices):
    """Procedure of an administrative decision (simplified ones on persons are never reported)."""

    ORDINARY = "ordinary", _("普通程序")
    SIMPLIFIED = "simplified", _("简易程序")


class CreditListKind(models.TextChoices):
    """The three lists the plan keeps, and the research-integrity database."""

    RED = "red", _("红名单（守信激励）")
    SERIOUS = "serious", _("严重失信主体名单")
    FOCUS = "focus", _("失信重点关注名单")
    # 记入科研诚信严重失信行为数据库 (科技部令第19号; 科研失信行为调查处理规则): entries rest
    # on research-misconduct findings (JY-KY-01) only.
    RESEARCH = "research", _("科研诚信严重失信行为数据库")


class ListEntryStatus(models.TextChoices):
    """Life cycle of a list entry: prior notice, objection period, listed, exited."""

    NOTICE = "notice", _("事前告知")
    LISTED = "listed", _("已列入")
    EXITED = "exited", _("已移出")
    WITHDRAWN = "withdrawn", _("已撤回")


class ResponsibleRole(models.TextChoices):
    """People linked to an institution's list entry (Henan regulation §35)."""

    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    PRINCIPAL = "principal", _("主要负责人")
    DIRECTLY_RESPONSIBLE = "directly_responsible", _("直接责任人")
