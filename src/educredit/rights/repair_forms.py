"""Forms of the credit-repair pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class RepairApplyForm(forms.Form):
    """The statement, the repair commitment and the materials (PDF/JPG/PNG, up to 10 MB)."""

    statement = forms.CharField(
        label=_("纠正失信行为情况说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    commitment_accepted = forms.BooleanField(
        label=_("本人已阅读并作出上述信用修复承诺"), required=False
    )
    proof = forms.FileField(
        label=_("履行证明（法定责任和义务履行完毕的证明材料）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    other = forms.FileField(
        label=_("其他材料（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class RepairReasonForm(forms.Form):
    """A reviewer's reason (required to refuse or to record a breach)."""

    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
