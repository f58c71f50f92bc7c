"""Forms of the outbox pages: filter the items, fix a rejected row before resending it.

The fix form is generic over what is reported (licences, penalties, later kinds): one text
box per national field code of the item's layout (``rows.NATIONAL_COLUMNS``, then any other
field the row holds). Identity numbers are sealed in the row: their boxes start empty and are
never filled back into the page; left empty, the sealed value is kept; typed, it is sealed anew.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.exchange.choices import Kind, OutboxProgress
from educredit.exchange.rows import (
    SEALED_FIELDS,
    field_name,
    is_sealed,
    national_columns,
    seal_value,
)
from educredit.subjects.forms import NoEchoTextInput


class OutboxFilterForm(BootstrapForm):
    """Filters of the outbox list (GET)."""

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *OutboxProgress.choices]
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *Kind.choices]
    )
    q = forms.CharField(label=_("决定文书号"), required=False, max_length=100)


class RowFixForm(BootstrapForm):
    """A rejected item's row, field by field, to correct and resend."""

    def __init__(self, *args: Any, kind: str, row: dict[str, Any], **kwargs: Any) -> None:
        self.original = row
        self.codes = national_columns(kind, set(row))
        initial = {
            code: ("" if is_sealed(value) else str(value))
            for code, value in row.items()
            if value is not None
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for code in self.codes:
            if code in SEALED_FIELDS:
                help_text = (
                    _("已加密保存；留空则保持原值，填写则替换")
                    if is_sealed(row.get(code))
                    else _("证件号码，保存时加密")
                )
                field: forms.Field = forms.CharField(
                    label=field_name(code),
                    required=False,
                    max_length=64,
                    widget=NoEchoTextInput(attrs={"autocomplete": "off"}),
                    help_text=help_text,
                )
            else:
                field = forms.CharField(
                    label=field_name(code),
                    required=False,
                    max_length=4000,
                    widget=forms.TextInput(),
                )
            self.fields[code] = field

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if not self.errors and not self.fixed_row():
            raise forms.ValidationError(_("修正后的数据不能全部为空。"))
        return cleaned

    def fixed_row(self) -> dict[str, Any]:
        """The corrected row: blanks dropped, identity numbers sealed (kept if left blank)."""
        row: dict[str, Any] = {}
        for code in self.codes:
            text = " ".join(str(self.cleaned_data.get(code) or "").split())
            if code in SEALED_FIELDS:
                if text:
                    row[code] = seal_value(text)
                elif is_sealed(self.original.get(code)):
                    row[code] = self.original[code]
                continue
            if text:
                row[code] = text
        return row
