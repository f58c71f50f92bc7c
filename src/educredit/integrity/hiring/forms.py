"""Forms of the hiring-check pages: the check, the statutory record, the re-check filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.integrity.hiring.choices import HiringCheckPurpose, StatutoryOutcome
from educredit.subjects.choices import AffiliationRole, DocumentType

ROLE_CHOICES = [
    ("", _("全部")),
    (AffiliationRole.TEACHER, AffiliationRole.TEACHER.label),
    (AffiliationRole.STAFF, AffiliationRole.STAFF.label),
    (AffiliationRole.RESEARCHER, AffiliationRole.RESEARCHER.label),
]


def _schools(field: forms.Field, schools: list[tuple[str, str]], *, blank: Any) -> None:
    # Schools' names are Chinese data (they have no English names).
    field.choices = [("", blank), *schools]  # type: ignore[attr-defined]


class HiringCheckForm(BootstrapForm):
    """入职查询: the school, the purpose and the candidate (or a current staff member)."""

    school = forms.ChoiceField(label=_("学校"), widget=forms.Select(attrs={"lang": "zh"}))
    purpose = forms.ChoiceField(
        label=_("查询事由"), choices=[("", _("请选择")), *HiringCheckPurpose.choices]
    )
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, required=False
    )
    document_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, schools: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _schools(self.fields["school"], schools, blank=_("请选择学校"))


class StatutoryForm(BootstrapForm):
    """The separate statutory check (性侵违法犯罪信息查询): who, when, outcome, attachment."""

    checked_by = forms.CharField(label=_("查询经办人"), max_length=100, required=False)
    checked_on = forms.DateField(
        label=_("查询日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # No outcome preselected: recording a result is a choice, never the default of a click.
    outcome = forms.ChoiceField(
        label=_("查询结果"), choices=[("", _("请选择")), *StatutoryOutcome.choices]
    )
    reference = forms.CharField(label=_("查询编号"), max_length=100, required=False)
    attachment = forms.FileField(
        label=_("查询结果附件（PDF、JPG 或 PNG）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class RecheckFilterForm(BootstrapForm):
    """The re-check list's filter: a school (bureaus), a role and a name."""

    school = forms.ChoiceField(
        label=_("学校"), required=False, widget=forms.Select(attrs={"lang": "zh"})
    )
    role = forms.ChoiceField(label=_("身份"), required=False, choices=ROLE_CHOICES)
    q = forms.CharField(label=_("姓名"), required=False, max_length=100)

    def __init__(self, *args: Any, schools: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _schools(self.fields["school"], schools, blank=_("全部学校"))


class CheckFilterForm(BootstrapForm):
    """The check list's filter: a school, a purpose and whether complete."""

    school = forms.ChoiceField(
        label=_("学校"), required=False, widget=forms.Select(attrs={"lang": "zh"})
    )
    purpose = forms.ChoiceField(
        label=_("查询事由"), required=False, choices=[("", _("全部")), *HiringCheckPurpose.choices]
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("complete", _("已完成")), ("incomplete", _("未完成"))],
    )

    def __init__(self, *args: Any, schools: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _schools(self.fields["school"], schools, blank=_("全部学校"))
