"""Forms of the 师德考核 pages: the list filter, entry and correction, return, import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.integrity.appraisal.choices import EthicsAppraisalGrade, EthicsAppraisalStatus
from educredit.subjects.models import Person


class AppraisalFilterForm(BootstrapForm):
    """The list's filter: year, grade and status (each optional)."""

    year = forms.IntegerField(label=_("考核年度"), required=False, min_value=2000, max_value=2100)
    grade = forms.ChoiceField(
        label=_("考核等次"),
        required=False,
        choices=[("", _("全部")), *EthicsAppraisalGrade.choices],
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *EthicsAppraisalStatus.choices]
    )


class _TeacherChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.id_number_masked}）"


class AppraisalEnterForm(BootstrapForm):
    """Entry by the school: the teacher (one of the school's), the year, the grade, the facts."""

    teacher = _TeacherChoice(
        label=_("教师"), queryset=Person.objects.none(), to_field_name="public_id"
    )
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(
        label=_("考核等次"), choices=[("", _("请选择")), *EthicsAppraisalGrade.choices]
    )
    remarks = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        help_text=_("考核等次为基本合格或不合格的，须写明事实。"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, teachers: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]


class AppraisalUpdateForm(BootstrapForm):
    """The school's correction of a draft or returned appraisal."""

    grade = forms.ChoiceField(label=_("考核等次"), choices=EthicsAppraisalGrade.choices)
    remarks = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        help_text=_("考核等次为基本合格或不合格的，须写明事实。"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppraisalReturnForm(BootstrapForm):
    """退回: the reason the school reads."""

    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppraisalImportForm(BootstrapForm):
    """The file to import."""

    file = forms.FileField(
        label=_("文件（.csv 或 .xlsx）"),
        help_text=_("CSV 可为 UTF-8 或 GBK/GB18030 编码。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
