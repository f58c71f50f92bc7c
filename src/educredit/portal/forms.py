"""The person look-up form: exact name plus document number, sent only by POST."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.subjects.choices import DocumentType


class PersonLookupForm(forms.Form):
    """Exact name and document number (the number is never echoed back)."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    document_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=DocumentType.choices,
        initial=DocumentType.RESIDENT_ID,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        widget=forms.PasswordInput(
            render_value=False, attrs={"class": "form-control", "autocomplete": "off"}
        ),
    )
