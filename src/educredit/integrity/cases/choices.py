"""Choices of the case procedure: statuses, notice kinds, sanctions, how a notice was delivered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """Where a case stands (案件状态); the transitions are ``procedure.STEPS``."""

    REPORTED = "reported", _("待受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    INVESTIGATING = "investigating", _("调查中")
    NO_MISCONDUCT = "no_misconduct", _("不构成失信")
    NOTIFIED = "notified", _("已告知待陈述申辩")
    HEARING = "hearing", _("待听证")
    HEARD = "heard", _("已陈述申辩待决定")
    DECIDED = "decided", _("已决定")
    APPEALED = "appealed", _("已申请复核")
    APPEAL_REVIEW = "appeal_review", _("复核中")
    CLOSED = "closed", _("已结案")


class CaseNoticeKind(models.TextChoices):
    """The written notices a case generates (文书)."""

    ACCEPTANCE = "acceptance", _("立案调查通知书")
    INTENDED = "intended", _("拟处理决定告知书")
    HEARING = "hearing", _("听证通知书")
    DECISION = "decision", _("处理决定书")
    NO_MISCONDUCT = "no_misconduct", _("调查结论通知书")
    APPEAL_ACCEPTED = "appeal_accepted", _("复核受理通知书")
    APPEAL_REJECTED = "appeal_rejected", _("复核不予受理通知书")
    APPEAL_DECISION = "appeal_decision", _("复核决定书")


class NoticeDelivery(models.TextChoices):
    """How a notice reached the person (送达方式)."""

    SELF_SERVICE = "self_service", _("本人在自助服务中阅读")
    IN_PERSON = "in_person", _("直接送达")
    POST = "post", _("邮寄送达")


class AppealOutcome(models.TextChoices):
    """What the review of an appeal decided (复核结论)."""

    UPHELD = "upheld", _("维持原决定")
    CHANGED = "changed", _("变更原决定")
    REVOKED = "revoked", _("撤销原决定")


class CaseSource(models.TextChoices):
    """Where a case came from (案件来源)."""

    REPORT = "report", _("举报")
    INSPECTION = "inspection", _("检查发现")
    REFERRAL = "referral", _("上级交办或移送")
    EXAM_SITE = "exam_site", _("考场报告")
    OTHER = "other", _("其他")
