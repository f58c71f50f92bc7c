"""Forms of the catalog pages; they translate input, the services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.forms import BootstrapForm
from educredit.catalog.choices import (
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.catalog.models import CatalogItem

YES_NO = [("1", _("是")), ("0", _("否"))]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value == "1", empty_value=None
    )


class CatalogVersionForm(BootstrapForm):
    """A new draft version (a copy of the published one)."""

    title = forms.CharField(label=_("名称"), max_length=200)
    effective_from = forms.DateField(
        label=_("施行日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CatalogItemForm(BootstrapForm):
    """The attributes of one item; the field schema is edited as JSON."""

    code = forms.CharField(label=_("数据代码"), max_length=40)
    name = forms.CharField(label=_("数据名称"), max_length=200)
    data_format = forms.CharField(label=_("数据格式"), max_length=40)
    provider = forms.CharField(label=_("提供单位"), max_length=200)
    subject_type = forms.ChoiceField(label=_("主体类型"), choices=SubjectType.choices)
    category = forms.ChoiceField(label=_("信息类别"), choices=InfoCategory.choices)
    nature = forms.CharField(label=_("信息性质"), max_length=40, required=False)
    sharing = forms.ChoiceField(label=_("共享属性"), choices=SharingAttribute.choices)
    coverage = forms.CharField(label=_("覆盖范围"), max_length=200, required=False)
    update_cycle = forms.CharField(label=_("更新周期"), max_length=40)
    severity = forms.ChoiceField(label=_("信用性质"), choices=Severity.choices)
    disclosure_mode = forms.ChoiceField(label=_("公开方式"), choices=DisclosureMode.choices)
    legal_basis = forms.CharField(
        label=_("法律依据"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    two_person_rule = _yes_no(_("双人审核"))
    reportable = _yes_no(_("报送省平台"))
    recorder_kinds = forms.MultipleChoiceField(
        label=_("录入单位类型"),
        choices=OrganisationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("哪些类型单位的工作人员可以录入本条目的信息；都不选表示不限。"),
    )
    field_schema = forms.CharField(
        label=_("信息项（JSON）"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "每个信息项一个对象：name（英文字段名）、label（中文名称）、type（text、date、decimal、"
            "integer、choice、uscc、boolean）、required、public、max_length、choices。"
        ),
    )

    @classmethod
    def initial_for(cls, item: CatalogItem) -> dict[str, Any]:
        """The form's initial values for an existing item."""
        initial: dict[str, Any] = {name: getattr(item, name) for name in cls.base_fields}
        initial["two_person_rule"] = "1" if item.two_person_rule else "0"
        initial["reportable"] = "1" if item.reportable else "0"
        initial["recorder_kinds"] = list(item.recorder_kinds or [])
        initial["field_schema"] = json.dumps(item.field_schema, ensure_ascii=False, indent=2)
        return initial

    def clean_field_schema(self) -> Any:
        text = self.cleaned_data["field_schema"]
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("信息项不是有效的 JSON（第 %(line)s 行）/ the field schema is not valid JSON")
                % {"line": getattr(error, "lineno", "?")}
            ) from None


class CatalogImportForm(BootstrapForm):
    """An XLSX workbook in the catalog template."""

    file = forms.FileField(label=_("目录文件（XLSX）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 5 MB"))
        return upload


class CatalogPublishForm(BootstrapForm):
    """Confirmation of publication, with an optional reason for the audit log."""

    reason = forms.CharField(label=_("发布说明"), required=False, max_length=500)
