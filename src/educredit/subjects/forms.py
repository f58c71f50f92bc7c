"""Forms of the subjects pages; they translate input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import OrganisationKind
from educredit.accounts.forms import BootstrapForm
from educredit.accounts.models import Organisation
from educredit.subjects.choices import DocumentType, ImportKind, InstitutionKind
from educredit.subjects.regions import city_choices

BUREAU_KINDS = (
    OrganisationKind.PROVINCIAL_DEPARTMENT,
    OrganisationKind.CITY_BUREAU,
    OrganisationKind.COUNTY_BUREAU,
)


class InstitutionFilterForm(BootstrapForm):
    """Search and filters of the institution list (GET)."""

    q = forms.CharField(label=_("名称、曾用名或代码"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *InstitutionKind.choices],
    )
    region = forms.ChoiceField(
        label=_("所在地"),
        required=False,
        choices=lambda: [("", _("全部地区")), *city_choices()],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("名称、曾用名、统一社会信用代码或学校标识码")}
        )
        for name in ("kind", "region"):
            self.fields[name].widget.attrs["data-ec-autosubmit"] = ""


class PersonSearchForm(BootstrapForm):
    """Search of the people list by name (numbers are looked up by POST only)."""

    q = forms.CharField(label=_("姓名"), required=False, max_length=100)


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes its value back into the page (identity numbers)."""

    def format_value(self, value: Any) -> str | None:
        return None


class PersonLookupForm(BootstrapForm):
    """Find a person by document number: the number travels by POST, never in a URL."""

    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40, widget=NoEchoTextInput)
    purpose = forms.CharField(
        label=_("查询事由"),
        max_length=300,
        min_length=2,
        help_text=_("每次查询都会记录查询人、时间和事由。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}
        )


class ImportForm(BootstrapForm):
    """Upload of a CSV or XLSX file of institutions or people."""

    kind = forms.ChoiceField(label=_("导入内容"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("CSV（UTF-8、GBK 或 GB18030）或 Excel（.xlsx），第一行为列标题。"),
    )
    default_supervisor = forms.ModelChoiceField(
        label=_("主管部门"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("文件中的主管部门不是本平台的机构时（如“公安部”），机构归入此单位管理。"),
    )
    default_kind = forms.ChoiceField(
        label=_("默认机构类型"),
        choices=InstitutionKind.choices,
        initial=InstitutionKind.UNIVERSITY,
        help_text=_("文件没有“机构类型”列时使用。"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["default_supervisor"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Organisation.objects.visible_to(user).filter(
            kind__in=BUREAU_KINDS, is_active=True
        )
        field.initial = user.organisation_id
        field.empty_label = _("本单位")
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


class DiscrepancyResolveForm(BootstrapForm):
    """Adopt or dismiss a differing name."""

    accept = forms.TypedChoiceField(
        label=_("处理"),
        choices=[("1", _("采用新名称")), ("0", _("驳回，保留原名称"))],
        coerce=lambda value: value == "1",
    )
    effective_on = forms.DateField(
        label=_("更名日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("仅机构更名时需要，默认今天。"),
    )
    note = forms.CharField(label=_("处理说明"), max_length=500, required=False)


class InstitutionAliasForm(BootstrapForm):
    """Add a short name (简称) to an institution, or remove one (``remove`` = its id)."""

    name = forms.CharField(label=_("简称"), max_length=50, required=False)
    remove = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"placeholder": _("例如：郑大"), "maxlength": 50})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("remove") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("请填写简称"))
        return data
