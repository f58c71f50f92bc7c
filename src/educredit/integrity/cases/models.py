"""Misconduct cases of people (诚信案件): the case, its steps, its notices and its sanctions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.integrity.cases.choices import (
    AppealOutcome,
    CaseNoticeKind,
    CaseSource,
    CaseStatus,
    NoticeDelivery,
)


class Case(AuditedModel):
    """One case about one person under one regime, handled by one body (案件)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("案件编号"), max_length=30, unique=True)
    regime = models.CharField(_("适用规定"), max_length=40)
    # The edition of the regime the case follows: the one in force on the day it was reported.
    regime_effective_from = models.DateField(_("规定施行日期"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="integrity_cases",
        verbose_name=_("办理单位"),
    )
    person = models.ForeignKey(
        "subjects.Person", on_delete=models.PROTECT, related_name="integrity_cases"
    )
    institution = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="integrity_cases",
        verbose_name=_("所在单位"),
    )
    # Managers of public schools are sanctioned under 政务处分法 (§20).
    public_official = models.BooleanField(_("公办学校管理人员（适用政务处分法）"), default=False)
    source = models.CharField(_("案件来源"), max_length=20, choices=CaseSource.choices)
    reporter = models.CharField(_("举报人或线索来源"), max_length=200, blank=True)
    reported_on = models.DateField(_("收到举报或线索日期"))
    allegation = models.TextField(_("反映的问题"))
    misconduct_type = models.CharField(_("行为类型"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    # The body's deadline for its next step, and the rule that gives it.
    due_on = models.DateField(_("办理期限"), null=True, blank=True)
    due_rule = models.CharField(max_length=300, blank=True)
    # The person's window (陈述申辩, 复核), once the notice that opens it was delivered.
    person_due_on = models.DateField(_("当事人期限"), null=True, blank=True)
    facts = models.TextField(_("认定的事实"), blank=True)
    reasons = models.TextField(_("理由"), blank=True)
    basis = models.TextField(_("依据"), blank=True)
    intended = models.JSONField(_("拟作出的处理"), default=list, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    remedy = models.TextField(_("救济途径和期限"), blank=True)
    record = models.ForeignKey(
        "records.CreditRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("信用记录"),
    )
    # A revocation or loss of the teacher qualification is a record of its own (教师资格限制库).
    qualification_record = models.ForeignKey(
        "records.CreditRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("教师资格处理记录"),
    )
    appeal_text = models.TextField(_("复核或申诉理由"), blank=True)
    appeal_filed_on = models.DateField(_("申请复核日期"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("复核结论"), max_length=10, choices=AppealOutcome.choices, blank=True
    )
    closing_reason = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("诚信案件")
        verbose_name_plural = _("诚信案件")
        ordering = ("-reported_on", "-id")
        indexes = (models.Index(fields=("status", "due_on")),)

    def __str__(self) -> str:
        return self.number


class CaseStep(models.Model):
    """One step a case took: who, when, from and to, and why (the case's own trail)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    actor_label = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    on = models.DateField(_("日期"))
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    article = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class CaseNotice(AuditedModel):
    """A written notice generated from the case, kept as issued, delivered to the person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("文书"), max_length=20, choices=CaseNoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    sha256 = models.CharField(max_length=64)
    issued_on = models.DateField(_("制发日期"))
    issued_by = models.CharField(max_length=150)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True)
    delivery = models.CharField(
        _("送达方式"), max_length=20, choices=NoticeDelivery.choices, blank=True
    )
    read_at = models.DateTimeField(_("本人阅读时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")
        ordering = ("issued_on", "id")


class CaseStatement(AuditedModel):
    """What the person said in their defence (陈述申辩), or at a hearing, or in an appeal."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="statements")
    step = models.CharField(max_length=30)
    text = models.TextField(_("陈述内容"))
    waived = models.BooleanField(_("放弃陈述申辩"), default=False)
    by_subject = models.BooleanField(default=False)
    entered_by = models.CharField(max_length=150)
    on = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        ordering = ("on", "id")


class CaseSanction(AuditedModel):
    """One sanction a decision imposed, as the clock runs it (处分期)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sanctions")
    person = models.ForeignKey(
        "subjects.Person", on_delete=models.PROTECT, related_name="integrity_sanctions"
    )
    kind = models.CharField(_("处理或处分"), max_length=40)
    label = models.CharField(_("名称"), max_length=200)
    basis = models.TextField(_("依据"))
    starts_on = models.DateField(_("起始日期"))
    # Exclusive: the sanction lifts on this day. Empty: permanent, or nothing to run.
    ends_on = models.DateField(_("解除日期"), null=True, blank=True)
    months = models.PositiveIntegerField(null=True, blank=True)
    permanent = models.BooleanField(default=False)
    absorbed = models.BooleanField(default=False)
    capped = models.BooleanField(default=False)
    reverses = models.BooleanField(default=True)
    capped_kind = models.BooleanField(default=False)  # counts towards the 48-month cap
    # Set when a review revoked the decision: the sanction ends that day.
    revoked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ("starts_on", "id")
        indexes = (models.Index(fields=("person", "starts_on")),)
