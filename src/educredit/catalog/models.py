"""The education public-credit information catalog (教育公共信用信息目录), versioned."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.catalog.choices import (
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.editions.models import Edition


class CatalogVersion(Edition):
    """One edition of the catalog; records keep the item (and so the version) they were typed by."""

    class Meta(Edition.Meta):
        verbose_name = _("目录版本")


class CatalogItem(AuditedModel):
    """One item of the catalog with the elements of Henan regulation §11 and its policies.

    ``field_schema`` lists the fields every record of this item carries, as
    ``[{"name": "penalty_content", "label": "处罚内容", "type": "text", "required": true,
    "public": true, "max_length": 2000, "choices": [...]}, ...]``; ``type`` is one of
    text, date, decimal, integer, choice, uscc, boolean. ``public`` says whether the field may
    appear on the portal.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="items")
    code = models.CharField(_("数据代码"), max_length=40)
    name = models.CharField(_("数据名称"), max_length=200)
    data_format = models.CharField(_("数据格式"), max_length=40, default="结构化")
    provider = models.CharField(_("提供单位"), max_length=200)
    subject_type = models.CharField(_("主体类型"), max_length=20, choices=SubjectType.choices)
    category = models.CharField(_("信息类别"), max_length=20, choices=InfoCategory.choices)
    nature = models.CharField(_("信息性质"), max_length=40, blank=True)
    sharing = models.CharField(_("共享属性"), max_length=20, choices=SharingAttribute.choices)
    coverage = models.CharField(_("覆盖范围"), max_length=200, blank=True)
    update_cycle = models.CharField(_("更新周期"), max_length=40, default="实时")
    field_schema = models.JSONField(_("信息项"), default=list)
    severity = models.CharField(_("信用性质"), max_length=20, choices=Severity.choices)
    disclosure_mode = models.CharField(_("公开方式"), max_length=20, choices=DisclosureMode.choices)
    legal_basis = models.TextField(_("法律依据"), blank=True)
    two_person_rule = models.BooleanField(_("双人审核"), default=True)
    # Whether records of this item are pushed to the provincial platform (信用河南).
    reportable = models.BooleanField(_("报送省平台"), default=False)
    # The organisation kinds (``OrganisationKind`` values) whose staff may record this item:
    # an administrative penalty is recorded by a bureau with that power, never by a school.
    # Empty: any kind (items written before the column existed).
    recorder_kinds = models.JSONField(_("录入单位类型"), default=list, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        verbose_name = _("目录条目")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_catalog_item_code")
        ]

    # Items audited before the column existed digest as they did while it is empty.
    audit_added_fields: ClassVar[dict[str, Any]] = {"recorder_kinds": []}

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def recordable_by(self, organisation: Any) -> bool:
        """Whether staff of ``organisation`` may record this item (its kind is listed)."""
        if organisation is None:
            return False
        kinds = self.recorder_kinds or []
        return not kinds or str(organisation.kind) in kinds

    def recorder_kind_labels(self) -> list[str]:
        """The kinds that may record this item, as translated labels (all when none listed)."""
        from educredit.accounts.choices import OrganisationKind

        kinds = self.recorder_kinds or list(OrganisationKind.values)
        return [str(OrganisationKind(kind).label) for kind in kinds if kind in OrganisationKind]
