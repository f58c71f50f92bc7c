"""Forms of the objection pages: filing with evidence, the handling steps and 复核."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.rights.choices import ObjectionOutcome


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files (possibly none); each is checked by ``objection_file``."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ObjectionFileForm(forms.Form):
    """The subject's reasons and evidence (PDF, JPG or PNG, up to 10 MB each)."""

    reasons = forms.CharField(
        label=_("异议理由"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请说明您认为哪些信息有误、遗漏或侵犯您的合法权益，以及理由。"),
    )
    evidence = MultipleFileField(
        label=_("证据材料"),
        required=False,
        help_text=_("可上传多个PDF、JPG或PNG文件，每个不超过10MB。"),
    )


class ReasonForm(forms.Form):
    """A step that needs a written reason (referral, pause, resume)."""

    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    """The outcome, the written reason sent to the subject, and corrections if any."""

    outcome = forms.ChoiceField(label=_("处理结果"), choices=ObjectionOutcome.choices)
    reason = forms.CharField(
        label=_("处理理由（书面告知信用主体）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    title = forms.CharField(label=_("更正后的事由"), max_length=300, required=False)
    decision_number = forms.CharField(label=_("更正后的决定文书号"), max_length=120, required=False)
    decision_date = forms.DateField(
        label=_("更正后的决定日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def changes(self) -> dict[str, Any]:
        """The corrected fields that were filled in."""
        return {
            name: self.cleaned_data[name]
            for name in ("title", "decision_number", "decision_date")
            if self.cleaned_data.get(name)
        }


class ReviewRequestForm(forms.Form):
    """Why the subject asks the provincial office for 复核."""

    reasons = forms.CharField(
        label=_("复核理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
