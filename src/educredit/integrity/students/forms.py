"""Forms of the students' integrity pages: contract entry, status, confirmation, breach,
payment, activities, and the list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.core.selectors import counties_of, henan_cities
from educredit.integrity.students import rules
from educredit.integrity.students.choices import (
    ActivityKind,
    BreachGround,
    ContractProgramme,
    RefundRule,
    TrainingContractStatus,
)
from educredit.subjects.choices import DocumentType

DATE = forms.DateInput(attrs={"type": "date"})
REGION_HELP = _("河南省的市、县级行政区划（GB/T 2260）")


def henan_region_choices() -> list[tuple[str, Any]]:
    """Henan's cities, each with its counties, as grouped choices (names are Chinese data)."""
    choices: list[tuple[str, Any]] = [("", _("请选择"))]
    for city in henan_cities():
        counties = [(c.code, f"{c.code} {c.name}") for c in counties_of(city.code)]
        choices.append((city.name, [(city.code, f"{city.code} {city.name}"), *counties]))
    return choices


def _region_field(label: Any) -> forms.ChoiceField:
    # The division names are Chinese data: the select declares its language.
    return forms.ChoiceField(
        label=label, help_text=REGION_HELP, widget=forms.Select(attrs={"lang": "zh"})
    )


def _money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=12, decimal_places=2, initial=0, required=False
    )


class SchoolChoiceMixin(forms.Form):
    """A choice of school among those the user sees (by public id)."""

    school = forms.ChoiceField(label=_("培养学校"), widget=forms.Select(attrs={"lang": "zh"}))

    def set_schools(self, schools: list[tuple[str, str]]) -> None:
        self.fields["school"].choices = [("", _("请选择")), *schools]  # type: ignore[attr-defined]


class ContractForm(SchoolChoiceMixin, BootstrapForm):
    """A new training contract; the student is found by document number (logged)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_region_code"].choices = henan_region_choices()  # type: ignore[attr-defined]

    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, initial=DocumentType.RESIDENT_ID
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=40)
    programme = forms.ChoiceField(
        label=_("培养类别"), choices=[("", _("请选择")), *ContractProgramme.choices]
    )
    agreement_number = forms.CharField(label=_("协议编号"), max_length=60)
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE)
    expected_graduation = forms.DateField(label=_("预计毕业日期"), widget=DATE)
    service_years = forms.IntegerField(
        label=_("服务年限"), min_value=1, max_value=20, initial=rules.SERVICE_YEARS_DEFAULT
    )
    service_region_code = _region_field(_("服务地区"))
    tuition_received = _money_field(_("已享受学费（元）"))
    accommodation_received = _money_field(_("已享受住宿费（元）"))
    living_subsidy_received = _money_field(_("已享受生活补助（元）"))
    refund_rule = forms.ChoiceField(
        label=_("退还规则"), choices=RefundRule.choices, initial=rules.DEFAULT_REFUND_RULE
    )
    penalty_rate = forms.DecimalField(
        label=_("违约金比例"),
        required=False,
        max_digits=6,
        decimal_places=3,
        help_text=_(
            "留空按培养类别：公费师范生 0.5（退还费用的一半），定向医学生 0（协议另有约定的填写）"
        ),
    )


class ContractFilterForm(BootstrapForm):
    """The contract list's filter."""

    q = forms.CharField(label=_("学生姓名或协议编号"), required=False)
    programme = forms.ChoiceField(
        label=_("培养类别"), required=False, choices=[("", _("全部")), *ContractProgramme.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *TrainingContractStatus.choices],
    )


class TransitionForm(BootstrapForm):
    """开始履约、履约完毕 or 解除协议."""

    action = forms.ChoiceField(
        label=_("操作"),
        choices=[
            ("start_service", _("开始履约")),
            ("fulfil", _("履约完毕")),
            ("dissolve", _("解除协议")),
        ],
    )
    service_started_on = forms.DateField(label=_("开始履约日期"), required=False, widget=DATE)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class ConfirmationForm(BootstrapForm):
    """The employer's yearly confirmation of service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employer_region_code"].choices = henan_region_choices()  # type: ignore[attr-defined]

    year = forms.IntegerField(label=_("履约年度"), min_value=2000, max_value=2100)
    employer_name = forms.CharField(label=_("任职单位"), max_length=200)
    employer_region_code = _region_field(_("任职单位所在地区"))
    confirmed_on = forms.DateField(label=_("确认日期"), widget=DATE)
    confirmed_by = forms.CharField(label=_("确认人"), max_length=100)


class BreachForm(BootstrapForm):
    """违约认定."""

    ground = forms.ChoiceField(
        label=_("违约情形"), choices=[("", _("请选择")), *BreachGround.choices]
    )
    found_on = forms.DateField(label=_("认定日期"), widget=DATE)
    description = forms.CharField(
        label=_("违约情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PaidForm(BootstrapForm):
    """退还费用并缴纳违约金."""

    paid_on = forms.DateField(label=_("缴清日期"), widget=DATE)
    reason = forms.CharField(label=_("说明"), required=False, max_length=500)


class TaskFilterForm(BootstrapForm):
    """The yearly task list's filter."""

    year = forms.IntegerField(label=_("履约年度"), required=False, min_value=2000, max_value=2100)
    programme = forms.ChoiceField(
        label=_("培养类别"), required=False, choices=[("", _("全部")), *ContractProgramme.choices]
    )
    school = forms.CharField(label=_("学校名称"), required=False)


class ActivityForm(SchoolChoiceMixin, BootstrapForm):
    """An integrity-education activity."""

    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    kind = forms.ChoiceField(
        label=_("活动形式"), choices=[("", _("请选择")), *ActivityKind.choices]
    )
    participants = forms.IntegerField(label=_("参加人数"), min_value=1)
    organiser = forms.CharField(label=_("组织者"), max_length=200)
    attachment = forms.FileField(
        label=_("附件"), required=False, help_text=_("可选：PDF、JPG 或 PNG")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].label = _("学校")


class ActivityFilterForm(BootstrapForm):
    """The activity list's filter."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    school = forms.CharField(label=_("学校名称"), required=False)
