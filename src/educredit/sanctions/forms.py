"""Forms of the measure-list pages; they translate input, the services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.catalog.choices import SubjectType
from educredit.records.choices import CreditListKind
from educredit.sanctions.choices import (
    DurationKind,
    MeasureDirection,
    MeasurePart,
    MeasureVerdict,
)
from educredit.sanctions.models import Measure

BLANK = [("", "—")]


class MeasureFilterForm(forms.Form):
    """The filters of the measure-list page (all optional)."""

    direction = forms.ChoiceField(
        label=_("类别"), required=False, choices=BLANK + list(MeasureDirection.choices)
    )
    scenario = forms.ChoiceField(label=_("业务场景"), required=False)
    subject_type = forms.ChoiceField(
        label=_("主体类型"),
        required=False,
        choices=[
            *BLANK,
            (SubjectType.INSTITUTION, SubjectType.INSTITUTION.label),
            (SubjectType.PERSON, SubjectType.PERSON.label),
        ],
    )
    trigger = forms.ChoiceField(label=_("触发"), required=False)

    def __init__(
        self,
        *args: Any,
        scenarios: list[tuple[str, str]],
        triggers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = BLANK + scenarios  # type: ignore[attr-defined]
        self.fields["trigger"].choices = BLANK + triggers  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-select form-select-sm"})


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


class MeasureForm(BootstrapForm):
    """The attributes of one measure of a draft (its code stays)."""

    direction = forms.ChoiceField(label=_("类别"), choices=MeasureDirection.choices)
    part = forms.ChoiceField(
        label=_("措施类型"), required=False, choices=BLANK + list(MeasurePart.choices)
    )
    matter = forms.CharField(label=_("具体事项"), max_length=300)
    target = forms.CharField(label=_("实施对象"), max_length=300)
    subject_type = forms.ChoiceField(label=_("主体类型"), choices=SubjectType.choices)
    means = forms.CharField(label=_("实施手段"), widget=forms.Textarea(attrs={"rows": 3}))
    implementer = forms.CharField(label=_("实施主体"), max_length=300)
    legal_basis = forms.CharField(label=_("实施依据"), widget=forms.Textarea(attrs={"rows": 3}))
    verdict = forms.ChoiceField(label=_("筛查结论"), choices=MeasureVerdict.choices)
    scenarios = forms.MultipleChoiceField(
        label=_("业务场景"), widget=forms.CheckboxSelectMultiple, required=False
    )
    trigger_items = forms.CharField(
        label=_("触发目录条目"),
        required=False,
        help_text=_("目录数据代码，以逗号分隔，如 JY-CF-02, JY-CF-03"),
    )
    trigger_lists = forms.MultipleChoiceField(
        label=_("触发名单"),
        choices=CreditListKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    trigger_where = forms.CharField(
        label=_("触发条件（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_('可选：信息项名称及其取值，如 {"violation_kind": ["作弊"]}'),
    )
    duration_kind = forms.ChoiceField(label=_("期限类型"), choices=DurationKind.choices)
    duration_months = forms.IntegerField(label=_("期限（月）"), required=False, min_value=1)
    duration_field = forms.CharField(label=_("期限字段"), required=False, max_length=60)
    duration_note = forms.CharField(label=_("期限说明"), required=False, max_length=300)

    def __init__(self, *args: Any, scenarios: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenarios"].choices = scenarios  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, measure: Measure) -> dict[str, Any]:
        """The form's initial values for an existing measure."""
        initial: dict[str, Any] = {name: getattr(measure, name) for name in cls.base_fields}
        initial["trigger_items"] = ", ".join(measure.trigger_items)
        initial["trigger_where"] = (
            json.dumps(measure.trigger_where, ensure_ascii=False) if measure.trigger_where else ""
        )
        return initial

    def clean_trigger_items(self) -> list[str]:
        return _codes(self.cleaned_data["trigger_items"])

    def clean_trigger_where(self) -> Any:
        text = self.cleaned_data["trigger_where"].strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("触发条件不是有效的 JSON")) from None


class MeasureListDraftForm(BootstrapForm):
    """A new draft, copied from the version in force."""

    title = forms.CharField(label=_("名称"), max_length=200, required=False)


class MeasureListPublishForm(BootstrapForm):
    """Publication: the day the version takes effect, and a reason for the audit log."""

    effective_from = forms.DateField(
        label=_("施行日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("发布说明"), required=False, max_length=500)


class LoopFilterForm(forms.Form):
    """The filters of the loop dashboard (``?start=&end=&scenario=&organisation=&overdue=1``)."""

    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scenario = forms.CharField(label=_("业务场景"), required=False, max_length=60)
    organisation = forms.UUIDField(label=_("单位"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期未反馈"), required=False)

    def cleaned(self, today: Any) -> dict[str, Any]:
        """The filters, defaults filled in: this month up to today; a reversed range swapped."""
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or today.replace(day=1)
        end = data.get("end") or today
        if end < start:
            start, end = end, start
        return {
            "start": start,
            "end": end,
            "scenario": data.get("scenario") or "",
            "organisation": data.get("organisation"),
            "overdue": bool(data.get("overdue")),
        }
