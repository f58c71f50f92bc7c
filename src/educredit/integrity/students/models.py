"""Contracts of directed and state-funded students (定向、公费培养协议), their yearly service
confirmations and breaches, and the integrity-education activities schools hold."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.integrity.students import rules
from educredit.integrity.students.choices import (
    ActivityKind,
    BreachGround,
    ContractProgramme,
    RefundRule,
    TrainingContractStatus,
)


class _ScopedQuerySet(models.QuerySet[Any]):
    """Rows owned by an organisation in the reader's subtree (``Organisation.path``)."""

    def visible_to(self, user: Any) -> _ScopedQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        organisation = getattr(user, "organisation", None)
        if organisation is None:
            return self.none()
        return self.filter(organisation__path__startswith=organisation.path)


class TrainingContract(AuditedModel):
    """A directed or state-funded student's training contract (定向、公费培养协议): service
    years and region, what the student received and the refund rule."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "subjects.Person",
        on_delete=models.PROTECT,
        related_name="training_contracts",
        verbose_name=_("学生"),
    )
    school = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        related_name="training_contracts",
        verbose_name=_("培养学校"),
    )
    # The body that keeps the contract: the school's own account when it has one, else the
    # bureau that entered it. Jurisdiction follows its path.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="training_contracts",
        verbose_name=_("管理单位"),
    )
    programme = models.CharField(_("培养类别"), max_length=20, choices=ContractProgramme.choices)
    agreement_number = models.CharField(_("协议编号"), max_length=60)
    signed_on = models.DateField(_("签订日期"))
    expected_graduation = models.DateField(_("预计毕业日期"))
    service_years = models.PositiveSmallIntegerField(
        _("服务年限"), default=rules.SERVICE_YEARS_DEFAULT
    )
    service_region_code = models.CharField(_("服务地区"), max_length=6)
    service_started_on = models.DateField(_("开始履约日期"), null=True, blank=True)
    tuition_received = models.DecimalField(
        _("已享受学费（元）"), max_digits=12, decimal_places=2, default=0
    )
    accommodation_received = models.DecimalField(
        _("已享受住宿费（元）"), max_digits=12, decimal_places=2, default=0
    )
    living_subsidy_received = models.DecimalField(
        _("已享受生活补助（元）"), max_digits=12, decimal_places=2, default=0
    )
    refund_rule = models.CharField(
        _("退还规则"), max_length=20, choices=RefundRule.choices, default=rules.DEFAULT_REFUND_RULE
    )
    # Share of the refund due as 违约金 (0.50 for 公费师范生, §6.7).
    penalty_rate = models.DecimalField(_("违约金比例"), max_digits=4, decimal_places=3)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=TrainingContractStatus.choices,
        default=TrainingContractStatus.STUDYING,
    )
    status_reason = models.CharField(_("状态说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _ScopedQuerySet.as_manager()

    audit_exclude = ("created_at",)

    class Meta:
        ordering = ["-signed_on", "-pk"]
        verbose_name = _("定向、公费培养协议")
        verbose_name_plural = _("定向、公费培养协议")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "agreement_number"], name="uniq_training_contract_number"
            ),
            models.CheckConstraint(
                condition=Q(penalty_rate__gte=0) & Q(penalty_rate__lte=1),
                name="training_contract_penalty_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_number} {self.person_id}"

    @property
    def received_total(self) -> Any:
        """学费 + 住宿费 + 生活补助 received."""
        return self.tuition_received + self.accommodation_received + self.living_subsidy_received


class ServiceConfirmation(AuditedModel):
    """One year's confirmation by the graduate's employer that the graduate serves in post
    (年度履约确认)."""

    contract = models.ForeignKey(
        TrainingContract, on_delete=models.PROTECT, related_name="confirmations"
    )
    year = models.PositiveSmallIntegerField(_("履约年度"))
    employer_name = models.CharField(_("任职单位"), max_length=200)
    employer_region_code = models.CharField(_("任职单位所在地区"), max_length=6)
    confirmed_on = models.DateField(_("确认日期"))
    confirmed_by = models.CharField(_("确认人"), max_length=100)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        ordering = ["contract", "year"]
        verbose_name = _("年度履约确认")
        verbose_name_plural = _("年度履约确认")
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="uniq_service_confirmation")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.year}"


class TrainingContractBreach(AuditedModel):
    """A contract's breach (违约): the ground, the refund and 违约金 computed, the JY-XY-01
    record, and whether both were paid."""

    contract = models.OneToOneField(
        TrainingContract, on_delete=models.PROTECT, related_name="breach"
    )
    ground = models.CharField(_("违约情形"), max_length=20, choices=BreachGround.choices)
    found_on = models.DateField(_("认定日期"))
    description = models.TextField(_("违约情况"), blank=True)
    received_total = models.DecimalField(
        _("已享受费用合计（元）"), max_digits=12, decimal_places=2, default=0
    )
    served_years = models.PositiveSmallIntegerField(_("已履约年限"), default=0)
    refund_rule = models.CharField(_("退还规则"), max_length=20, choices=RefundRule.choices)
    refund_amount = models.DecimalField(
        _("应退还费用（元）"), max_digits=12, decimal_places=2, default=0
    )
    penalty_rate = models.DecimalField(_("违约金比例"), max_digits=4, decimal_places=3)
    penalty_amount = models.DecimalField(
        _("违约金（元）"), max_digits=12, decimal_places=2, default=0
    )
    record = models.OneToOneField(
        "records.CreditRecord",
        on_delete=models.PROTECT,
        related_name="training_contract_breach",
        verbose_name=_("信用记录"),
    )
    paid = models.BooleanField(_("已退还并缴纳违约金"), default=False)
    paid_on = models.DateField(_("缴清日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("培养协议违约")
        verbose_name_plural = _("培养协议违约")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.ground}"


def _attachment_path(instance: IntegrityEducationActivity, filename: str) -> str:
    return f"integrity/students/activities/{instance.public_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class IntegrityEducationActivity(AuditedModel):
    """An integrity-education activity a school held (诚信教育活动)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(
        "subjects.Institution",
        on_delete=models.PROTECT,
        related_name="integrity_activities",
        verbose_name=_("学校"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="integrity_activities",
        verbose_name=_("管理单位"),
    )
    held_on = models.DateField(_("活动日期"))
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动形式"), max_length=20, choices=ActivityKind.choices)
    participants = models.PositiveIntegerField(_("参加人数"))
    organiser = models.CharField(_("组织者"), max_length=200)
    attachment = models.FileField(_("附件"), upload_to=_attachment_path, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _ScopedQuerySet.as_manager()

    audit_exclude = ("created_at",)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("诚信教育活动")
        verbose_name_plural = _("诚信教育活动")

    def __str__(self) -> str:
        return self.title
