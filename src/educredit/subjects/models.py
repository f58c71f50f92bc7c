"""Credit subjects: institutions and people, and how people belong to institutions."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.subjects.choices import AffiliationRole, DocumentType, Gender, InstitutionKind


class Institution(AuditedModel):
    """An institution that is a credit subject (学校、培训机构…), known by its USCC."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    moe_code = models.CharField(_("学校标识码"), max_length=10, null=True, blank=True, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=InstitutionKind.choices)
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    supervisor = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="supervised_institutions",
        verbose_name=_("主管部门"),
    )
    # The institution's own account in the organisation tree, when it has one (its clerks).
    organisation = models.OneToOneField(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="institution",
    )
    licence_number = models.CharField(_("办学许可证号"), max_length=60, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__isnull=False) | models.Q(moe_code__isnull=False),
                name="institution_has_identifier",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FormerName(AuditedModel):
    """A name an institution carried before (曾用名), with the dates it was in use."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="former_names"
    )
    name = models.CharField(_("曾用名"), max_length=200, db_index=True)
    used_from = models.DateField(_("起"), null=True, blank=True)
    used_until = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        ordering = ["-used_until"]


class Person(AuditedModel):
    """A natural person who is a credit subject (教师、科研人员、学生…).

    The document number is stored only encrypted (``id_number_cipher``), with a keyed blind
    index for exact lookup and a mask for display; it never appears in clear on a page.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    id_number_cipher = models.TextField()
    id_number_index = models.CharField(max_length=64)
    id_number_masked = models.CharField(_("证件号码"), max_length=40)
    name = models.CharField(_("姓名"), max_length=100, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The ciphertext changes when keys rotate; the blind index stands for the number.
    audit_exclude = ("id_number_cipher", "created_at", "updated_at")

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "id_number_index"], name="uniq_person_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"


class Affiliation(AuditedModel):
    """A person's role at an institution (任职、在读…) over a period."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(_("身份"), max_length=20, choices=AffiliationRole.choices)
    started_on = models.DateField(_("起始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "role"])]
