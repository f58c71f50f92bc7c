"""Credit records (信用记录) and the lists built on them (红名单、严重失信名单、重点关注名单)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.catalog.choices import Severity
from educredit.records.choices import (
    CreditListKind,
    CreditRecordSource,
    CreditRecordStatus,
    DecisionProcedure,
    ListEntryStatus,
    ResponsibleRole,
)

EXACTLY_ONE_SUBJECT = (Q(institution__isnull=False) & Q(person__isnull=True)) | (
    Q(institution__isnull=True) & Q(person__isnull=False)
)


class CreditRecord(AuditedModel):
    """One credit-relevant fact about a subject, typed by a catalog item.

    Written only through ``records.services``; never deleted. The disclosure window
    (``public_from`` … ``public_until``) is derived from the catalog policy and the decision
    date by ``records.windows`` and stored with the rule that produced it, so the portal can
    filter by an indexed range and any past answer can be explained.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem", on_delete=models.PROTECT, related_name="records"
    )
    # No index of their own: the (institution, decision_date) and (person, decision_date)
    # indexes below serve every look-up by subject, and each index costs every write.
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
        db_index=False,
    )
    # The organisation that entered (owns) the record: its jurisdiction governs who sees it.
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="credit_records"
    )
    # Indexed as the first column of (status, public_from, public_until) below.
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CreditRecordStatus.choices,
        default=CreditRecordStatus.DRAFT,
    )
    # Copied from the catalog item at entry (a later catalog edit does not re-grade old records).
    severity = models.CharField(_("信用性质"), max_length=20, choices=Severity.choices)
    title = models.CharField(_("事由"), max_length=300)
    decision_number = models.CharField(_("决定文书号"), max_length=120, blank=True)
    issuing_body = models.CharField(_("认定单位"), max_length=200)
    issuing_body_uscc = models.CharField(_("认定单位统一社会信用代码"), max_length=18, blank=True)
    decision_date = models.DateField(_("决定日期"))
    procedure = models.CharField(
        _("程序"),
        max_length=20,
        choices=DecisionProcedure.choices,
        default=DecisionProcedure.ORDINARY,
    )
    # 自然人轻微违法且主动消除或者减轻危害后果: never reported, never a basis for punishment.
    corrected_minor_violation = models.BooleanField(_("轻微违法已主动改正"), default=False)
    # Decided before the person's 18th birthday (``records.minors``): closed for good — never
    # public, screened, reported or a list's basis; seen only by the owner and those above it.
    made_while_minor = models.BooleanField(_("未成年时作出"), default=False)
    payload = models.JSONField(_("信息项"), default=dict)
    source = models.CharField(
        _("来源"),
        max_length=20,
        choices=CreditRecordSource.choices,
        default=CreditRecordSource.PAGE,
    )
    # The disclosure window: public_from None means never public; public_until None means
    # long-term (守信). Recomputed by records.windows; the rule is the code of the policy and
    # version that gave it, shown in the reader's language by ``window_rule_text``.
    public_from = models.DateField(_("公示起始"), null=True, blank=True)
    public_until = models.DateField(_("公示截止"), null=True, blank=True)
    repair_allowed_from = models.DateField(_("可申请修复日期"), null=True, blank=True)
    window_rule = models.CharField(_("公示期限依据"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    effective_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")
    # Added after records were audited: at False it is left out of the snapshot.
    audit_added_fields: ClassVar[dict[str, Any]] = {"made_while_minor": False}

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        constraints = [
            models.CheckConstraint(condition=EXACTLY_ONE_SUBJECT, name="credit_record_one_subject"),
            # Idempotent entry: one record per issuing body and decision document per item.
            models.UniqueConstraint(
                fields=["catalog_item", "issuing_body_uscc", "decision_number"],
                condition=~Q(decision_number=""),
                name="uniq_credit_record_decision",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "public_from", "public_until"]),
            models.Index(fields=["institution", "decision_date"]),
            models.Index(fields=["person", "decision_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def window_rule_text(self) -> str:
        """The rule of the disclosure window in the reader's language."""
        from educredit.records.windows import rule_text  # windows imports the models

        return rule_text(self.window_rule)

    @property
    def subject(self) -> Any:
        """The institution or the person the record is about."""
        return self.institution if self.institution_id is not None else self.person

    @property
    def is_henan13_exempt(self) -> bool:
        """Henan regulation §13: a penalty on a natural person under the simplified procedure,
        or a minor violation the person corrected, is never reported and never a basis for
        punishment (stored and marked, never public)."""
        return self.person_id is not None and (
            self.procedure == DecisionProcedure.SIMPLIFIED or self.corrected_minor_violation
        )

    @property
    def is_reportable(self) -> bool:
        """Whether the record may be pushed to the provincial platform (never a minor's)."""
        return (
            not self.is_henan13_exempt
            and not self.made_while_minor
            and self.status == CreditRecordStatus.EFFECTIVE
            and bool(self.catalog_item.reportable)
        )

    @property
    def may_ground_punishment(self) -> bool:
        """Whether the record may be cited as a basis for a list entry or a punishment."""
        return (
            not self.is_henan13_exempt
            and not self.made_while_minor
            and self.status == CreditRecordStatus.EFFECTIVE
        )


# Records that Henan regulation §13 keeps out of reporting and punishment (as a filter).
HENAN13_EXEMPT = Q(person__isnull=False) & (
    Q(procedure=DecisionProcedure.SIMPLIFIED) | Q(corrected_minor_violation=True)
)


class CreditRecordTransition(models.Model):
    """One step of a record's life cycle: who moved it, from what to what, when and why."""

    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=CreditRecordStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CreditRecordStatus.choices)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=120)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["record", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.from_status} → {self.to_status}"


class CreditListEntry(AuditedModel):
    """An entry of the red, serious-dishonesty or focus list, citing its basis records."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("名单"), max_length=20, choices=CreditListKind.choices)
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="list_entries",
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="list_entries",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="list_entries"
    )
    basis_records = models.ManyToManyField(CreditRecord, related_name="list_entries")
    status = models.CharField(
        _("状态"), max_length=20, choices=ListEntryStatus.choices, default=ListEntryStatus.NOTICE
    )
    reason = models.TextField(_("列入理由"))
    legal_basis = models.TextField(_("列入依据"), blank=True)
    measures = models.TextField(_("惩戒或激励措施"), blank=True)
    notice_date = models.DateField(_("事前告知日期"), null=True, blank=True)
    objection_deadline = models.DateField(_("异议截止日期"), null=True, blank=True)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    exit_conditions = models.TextField(_("移出条件"), blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    exited_on = models.DateField(_("移出日期"), null=True, blank=True)
    exit_notice = models.TextField(_("移出公告"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("名单条目")
        verbose_name_plural = _("名单条目")
        constraints = [
            models.CheckConstraint(condition=EXACTLY_ONE_SUBJECT, name="list_entry_one_subject")
        ]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_status_display()}"


class ListEntryResponsiblePerson(AuditedModel):
    """A person responsible for an institution's list entry (法定代表人、主要负责人、直接责任人)."""

    entry = models.ForeignKey(
        CreditListEntry, on_delete=models.PROTECT, related_name="responsible_people"
    )
    person = models.ForeignKey(
        "subjects.Person", on_delete=models.PROTECT, related_name="list_responsibilities"
    )
    role = models.CharField(_("责任身份"), max_length=30, choices=ResponsibleRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "person", "role"], name="uniq_list_responsible_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.person_id}"
