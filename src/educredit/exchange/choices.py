"""Enumerations of the provincial exchange: what is reported, how, and where it stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a row reports (its national layout: XK_* for licences, CF_* for penalties, the
    信用承诺信息 standard's fields for commitments)."""

    LICENCE = "licence", _("行政许可")
    PENALTY = "penalty", _("行政处罚")
    COMMITMENT = "commitment", _("信用承诺")


class Operation(models.TextChoices):
    """What the platform should do with the row's key."""

    ADD = "add", _("新增")
    CHANGE = "change", _("变更")
    REVOKE = "revoke", _("撤销")


class OutboxStatus(models.TextChoices):
    """Where an outbox item stands.

    ``sending`` is a lease: the item was claimed by a worker until ``next_attempt_at``; if the
    worker dies, the item is due again once the lease ends and is re-sent (the platform
    deduplicates by key, so it is stored once).
    """

    PENDING = "pending", _("待报送")
    SENDING = "sending", _("报送中")
    DELIVERED = "delivered", _("已送达")
    REJECTED = "rejected", _("被退回")


class OutboxProgress(models.TextChoices):
    """Where an item stands, in officials' words (derived from the status, never stored).

    A pending item that has been tried before failed to reach the platform and is sent again
    automatically (报送失败待重发); a rejected one waits for its owner to fix it (被退回待修正).
    """

    PENDING = "pending", _("待报送")
    RETRYING = "retrying", _("报送失败待重发")
    SENDING = "sending", _("报送中")
    DELIVERED = "delivered", _("已报送")
    REJECTED = "rejected", _("被退回待修正")


class BatchOutcome(models.TextChoices):
    """How a batch went."""

    SENDING = "sending", _("发送中")
    ACCEPTED = "accepted", _("全部接收")
    PARTIAL = "partial", _("部分退回")
    REJECTED = "rejected", _("全部退回")
    FAILED = "failed", _("传输失败")


class Transport(models.TextChoices):
    """How batches reach the platform."""

    HTTP = "http", _("HTTP 接口（JSON）")
    FILE = "file", _("文件交换（CSV）")
