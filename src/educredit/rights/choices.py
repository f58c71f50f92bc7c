"""Enumerations of subjects' rights: objections, repair, authorisations, approvals, reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectionRoute(models.TextChoices):
    """Who decides an objection (Henan §41): the platform itself, or the provider after checking."""

    PLATFORM = "platform", _("平台自行处理（3个工作日）")
    PROVIDER = "provider", _("提供单位核查（7个工作日）")


class ObjectionStatus(models.TextChoices):
    """Life cycle of an objection (异议); transitions live in ``rights.objections``."""

    RECEIVED = "received", _("已受理")
    VERIFYING = "verifying", _("提供单位核查中")
    PAUSED = "paused", _("专家评审中（暂停计时）")
    DECIDED = "decided", _("已办结")
    REVIEW_REQUESTED = "review_requested", _("复核中")
    REVIEWED = "reviewed", _("复核已办结")


class ObjectionOutcome(models.TextChoices):
    """What an objection led to, with a written reason sent to the subject."""

    CORRECTED = "corrected", _("更正")
    REVOKED = "revoked", _("撤销")
    UPHELD = "upheld", _("维持")


class RepairStatus(models.TextChoices):
    """Life cycle of a credit-repair application (信用修复申请)."""

    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    GRANTED = "granted", _("准予修复")
    REFUSED = "refused", _("不予修复")
    WITHDRAWN = "withdrawn", _("已撤回")
    BREACHED = "breached", _("违背修复承诺")


class AuthorisationStatus(models.TextChoices):
    """A subject's authorisation of a third party (授权查询)."""

    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


class ApprovalStatus(models.TextChoices):
    """A request to view or export credit information in bulk, above the threshold."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("已驳回")
    USED = "used", _("已使用")


class QueryAlertRule(models.TextChoices):
    """Why a query looked anomalous."""

    VOLUME = "volume", _("查询量异常")
    JURISDICTION = "jurisdiction", _("超出管辖范围")
    OFF_HOURS = "off_hours", _("非工作时间查询")


class QueryAlertStatus(models.TextChoices):
    """What the provincial office did with an alert."""

    OPEN = "open", _("待处理")
    CLOSED = "closed", _("已处理")


class ReportRequester(models.TextChoices):
    """Who a credit report was made for."""

    SELF = "self", _("本人")
    AUTHORISED = "authorised", _("授权第三方")
    STAFF = "staff", _("工作人员代办")
    # An institution's public credit overview, downloaded by anyone from the portal.
    PUBLIC = "public", _("公众（公开信用概况）")
