"""The outbox to the provincial platform (信用河南): items, batches and the platform's receipts."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.exchange.choices import (
    BatchOutcome,
    Kind,
    Operation,
    OutboxProgress,
    OutboxStatus,
    Transport,
)
from educredit.exchange.rows import DOCUMENT_NUMBER_FIELDS, PARTY_NAME_FIELDS


class OutboxItemQuerySet(models.QuerySet["OutboxItem"]):
    def visible_to(self, user: Any) -> OutboxItemQuerySet:
        """Items of the user's organisation and everything below it (nothing for anonymous)."""
        if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
            return self.none()
        return self.filter(organisation__path__startswith=user.organisation.path)


def progress_q(progress: str) -> models.Q:
    """The condition of ``OutboxItem.progress == progress`` as a query."""
    if progress == OutboxProgress.PENDING:
        return models.Q(status=OutboxStatus.PENDING, attempts=0)
    if progress == OutboxProgress.RETRYING:
        return models.Q(status=OutboxStatus.PENDING, attempts__gt=0)
    return models.Q(status=progress)


class OutboxItem(AuditedModel):
    """One row to report, keyed for idempotency (``<文书号>|<机关 USCC>|<version>``).

    Enqueued in the same transaction as the record it comes from; identity numbers in ``row``
    are sealed (``{"$sealed": token}``) and only unsealed right before sending.
    """

    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    operation = models.CharField(_("操作"), max_length=10, choices=Operation.choices)
    key = models.CharField(_("幂等键"), max_length=300, unique=True)
    row = models.JSONField(_("报送数据"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="outbox_items",
        verbose_name=_("所属单位"),
    )
    source_type = models.CharField(max_length=100)
    source_id = models.CharField(max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutboxItemQuerySet.as_manager()

    # The row holds ciphertexts that key rotation re-encrypts; the worker's bookkeeping (status,
    # attempts, delivery time) has no meaning of its own: the batches and receipts are the
    # record of what was sent and what the platform said.
    audit_exclude = (
        "row",
        "status",
        "delivered_at",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "updated_at",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("报送事项")
        verbose_name_plural = _("报送事项")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="exchange_outbox_due"),
            models.Index(fields=["source_type", "source_id"], name="exchange_outbox_source"),
            models.Index(fields=["organisation", "status"], name="exchange_outbox_org_status"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def progress(self) -> OutboxProgress:
        """Where the item stands, in the words staff read (``OutboxProgress``)."""
        if self.status == OutboxStatus.PENDING and self.attempts > 0:
            return OutboxProgress.RETRYING
        return OutboxProgress(self.status)

    @property
    def decision_number(self) -> str:
        """The decision's document number (文书号), the item's name on staff pages."""
        return str(self.row.get(DOCUMENT_NUMBER_FIELDS.get(self.kind, ""), "") or self.key)

    @property
    def party_name(self) -> str:
        """The party the decision concerns (行政相对人名称)."""
        return str(self.row.get(PARTY_NAME_FIELDS.get(self.kind, ""), "") or "")


class Batch(models.Model):
    """One sending of items to the platform, whatever came of it."""

    transport = models.CharField(_("传输方式"), max_length=10, choices=Transport.choices)
    sent_at = models.DateTimeField(_("发送时间"))
    items = models.ManyToManyField(OutboxItem, related_name="batches")
    size = models.PositiveIntegerField(_("条数"), default=0)
    outcome = models.CharField(
        _("结果"), max_length=10, choices=BatchOutcome.choices, default=BatchOutcome.SENDING
    )
    response_excerpt = models.TextField(_("响应摘录"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("报送批次")
        verbose_name_plural = _("报送批次")

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.outcome})"


class Receipt(models.Model):
    """What the platform answered about one item in one batch; every receipt is kept."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="receipts")
    item = models.ForeignKey(OutboxItem, on_delete=models.PROTECT, related_name="receipts")
    accepted = models.BooleanField(_("已接收"))
    duplicate = models.BooleanField(_("重复报送"), default=False)
    platform_reference = models.CharField(_("平台回执号"), max_length=100, blank=True)
    reasons = models.JSONField(_("退回原因"), default=list)
    received_at = models.DateTimeField(_("回执时间"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("回执")
        verbose_name_plural = _("回执")

    def __str__(self) -> str:
        return f"{self.item_id}: {'accepted' if self.accepted else 'rejected'}"


class InboundEvaluation(AuditedModel):
    """A 公共信用综合评价 grade the provincial platform gave an institution of ours.

    Other departments' facts are kept apart from education's own credit records: they were not
    decided here, are not re-reported or published by us, and are replaced by the next pull.
    """

    institution = models.ForeignKey(
        "subjects.Institution", on_delete=models.PROTECT, related_name="inbound_evaluations"
    )
    grade = models.CharField(_("综合评价等级"), max_length=8)
    evaluated_on = models.DateField(_("评价日期"))
    fetched_at = models.DateTimeField(_("获取时间"))

    audit_exclude = ("fetched_at",)

    class Meta:
        verbose_name = _("公共信用综合评价")
        verbose_name_plural = _("公共信用综合评价")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "evaluated_on"], name="inbound_evaluation_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.grade} {self.evaluated_on}"


class InboundListing(AuditedModel):
    """An entry of another department's dishonesty list naming an institution of ours."""

    institution = models.ForeignKey(
        "subjects.Institution", on_delete=models.PROTECT, related_name="inbound_listings"
    )
    list_name = models.CharField(_("名单名称"), max_length=200)
    department = models.CharField(_("认定部门"), max_length=200)
    listed_on = models.DateField(_("列入日期"))
    # Set when a later pull no longer carries the entry: the department has removed it.
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("获取时间"))

    audit_exclude = ("fetched_at",)

    class Meta:
        verbose_name = _("其他部门失信名单")
        verbose_name_plural = _("其他部门失信名单")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "list_name", "department", "listed_on"],
                name="inbound_listing_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.list_name} {self.listed_on}"
