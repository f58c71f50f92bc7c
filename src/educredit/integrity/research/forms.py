"""Forms of the research-activity pages: the list's filter, entry and change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.integrity.research.choices import ResearchActivityStatus
from educredit.subjects.models import Institution, Person


class ActivityFilterForm(BootstrapForm):
    """The list's filter: institution (for a bureau), status and a search text."""

    institution = forms.ChoiceField(label=_("承担单位"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ResearchActivityStatus.choices]
    )
    q = forms.CharField(
        label=_("项目名称、编号或负责人"), required=False, max_length=100, strip=True
    )

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [  # type: ignore[attr-defined]
            ("", _("全部单位")),
            *((str(i.public_id), i.name) for i in institutions),
        ]


class _PersonChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.id_number_masked}）"


class ActivityForm(BootstrapForm):
    """Entry and change of an activity by the institution's staff."""

    responsible_person = _PersonChoice(
        label=_("项目负责人"), queryset=Person.objects.none(), to_field_name="public_id"
    )
    project_name = forms.CharField(label=_("项目名称"), max_length=200)
    project_number = forms.CharField(label=_("项目编号"), max_length=60)
    funder = forms.CharField(label=_("资助或立项单位"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    data_location = forms.CharField(
        label=_("数据存储位置"),
        max_length=300,
        help_text=_("原始研究数据的存放地点或系统，例如：本校科研数据平台、实验室服务器。"),
    )
    retention_until = forms.DateField(
        label=_("数据保存期限"),
        help_text=_("不得早于项目结束日期。"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    commitment_code = forms.CharField(
        label=_("科研诚信承诺编码"),
        max_length=20,
        required=False,
        help_text=_("项目负责人在项目开始前签署的科研诚信承诺的承诺编码（可不填）。"),
    )
    status = forms.ChoiceField(label=_("状态"), choices=ResearchActivityStatus.choices)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = people  # type: ignore[attr-defined]
