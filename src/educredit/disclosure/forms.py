"""Forms of the 双公示 pages: one decision in the national layout, the quality filter.

The entry form's fields are the national layout's (``national.py``): each field is named by
its code (``CF_XDR_MC`` …), so the posted form *is* a national row. The form itself checks
nothing about them: ``RowValidator`` does, on every keystroke (through the check endpoint) and
again on submit, and its errors are put back on the fields by code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.core.i18n import shown
from educredit.disclosure import national as n
from educredit.disclosure.validation import RowResult
from educredit.records.choices import DecisionProcedure
from educredit.subjects.forms import NoEchoTextInput

PENALTY_ITEMS = (
    ("JY-CF-02", _("一般失信（JY-CF-02）")),
    ("JY-CF-01", _("轻微失信（JY-CF-01）")),
    ("JY-CF-03", _("严重失信（JY-CF-03）")),
)

# Labels of the standard's code-table values (the values themselves are what is reported).
VALUE_LABELS: dict[str, Promise] = {
    "法人及非法人组织": _("法人及非法人组织"),
    "自然人": _("自然人"),
    "个体工商户": _("个体工商户"),
    "身份证": _("身份证"),
    "护照号": _("护照号"),
    "港澳居民来往内地通行证": _("港澳居民来往内地通行证"),
    "台湾居民来往大陆通行证": _("台湾居民来往大陆通行证"),
    "外国人永久居留身份证": _("外国人永久居留身份证"),
    "警告": _("警告"),
    "通报批评": _("通报批评"),
    "罚款": _("罚款"),
    "没收违法所得": _("没收违法所得"),
    "没收非法财物": _("没收非法财物"),
    "暂扣许可证件": _("暂扣许可证件"),
    "降低资质等级": _("降低资质等级"),
    "吊销许可证件": _("吊销许可证件"),
    "限制开展生产经营活动": _("限制开展生产经营活动"),
    "责令停产停业": _("责令停产停业"),
    "责令关闭": _("责令关闭"),
    "限制从业": _("限制从业"),
    "行政拘留": _("行政拘留"),
    "其他": _("其他"),
    "普通": _("普通"),
    "特许": _("特许"),
    "认可": _("认可"),
    "核准": _("核准"),
    "登记": _("登记"),
    "1": _("有效"),
    "2": _("无效（撤销、注销、吊销）"),
}

_PARTY: tuple[str, ...] = ("_XDR_MC", "_XDR_LB", "_XDR_SHXYM", "_XDR_GSZC", "_XDR_ZZJG")
_PARTY += ("_XDR_SWDJ", "_XDR_SYDW", "_XDR_SHZZ")
_PEOPLE = ("_FRDB", "_FR_ZJLX", "_FR_ZJHM", "_XDR_ZJLX", "_XDR_ZJHM")
_BODIES = ("_CFJG", "_CFJGDM", "_SJLY", "_SJLYDM", "_XKJG", "_XKJGDM", "_LYDW", "_LYDWDM")

# (group key, heading) in page order; ``group_of`` places each field.
GROUPS: tuple[tuple[str, Promise], ...] = (
    ("party", _("行政相对人")),
    ("people", _("法定代表人与证件")),
    ("decision", _("决定内容")),
    ("dates", _("日期与状态")),
    ("bodies", _("决定机关与数据来源")),
)


def group_of(field: n.NationalField) -> str:
    """Which group of the form a national field belongs to."""
    code = field.code
    if code == "BZ" or code.endswith(_BODIES):
        return "bodies"
    if code.endswith(_PARTY):
        return "party"
    if code.endswith(_PEOPLE):
        return "people"
    if field.type == "date" or code == "XK_ZT":
        return "dates"
    return "decision"


def english() -> bool:
    return (get_language() or "").startswith("en")


def localised(message: str) -> str:
    """The half of a "中文 / English" message for the page's language (the validators of the
    national layout touch no catalogue: they write both languages)."""
    return shown(message)


def field_label(field: n.NationalField) -> str:
    if english():
        return field.english[:1].upper() + field.english[1:]
    return field.name


def _choices(values: tuple[str, ...] | list[str], *, blank: bool) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", "—")] if blank else []
    return out + [(value, VALUE_LABELS.get(value, value)) for value in values]


def national_form_field(field: n.NationalField) -> forms.Field:
    """The form field of one national field (never required here: the validator decides)."""
    common: dict[str, Any] = {
        "label": field_label(field),
        "required": False,
        "help_text": localised(n.REQUIRED_CONDITIONS[field.required]),
    }
    code = field.code
    if code == "CF_CFLB":
        return forms.MultipleChoiceField(
            choices=_choices(n.PENALTY_CATEGORIES, blank=False),
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if field.type == "choice":
        return forms.ChoiceField(choices=_choices(field.choices, blank=True), **common)
    if code.endswith("_ZJLX"):
        return forms.ChoiceField(
            choices=_choices(list(n.DOCUMENT_TYPE_NAMES.values()), blank=True), **common
        )
    if field.identity_number:
        return forms.CharField(widget=NoEchoTextInput(attrs={"autocomplete": "off"}), **common)
    if field.type == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.type == "decimal":
        return forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.000000"}),
            **common,
        )
    if field.max_length is None or field.max_length > 200:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
    return forms.CharField(widget=forms.TextInput(attrs={"maxlength": field.max_length}), **common)


class DecisionEntryForm(BootstrapForm):
    """One licence or penalty decision in the national layout, plus how to enter it."""

    procedure = forms.ChoiceField(
        label=_("程序"), choices=DecisionProcedure.choices, initial=DecisionProcedure.ORDINARY
    )

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind = kind
        self.layout = n.layout(kind)
        super().__init__(*args, **kwargs)
        if kind == "penalty":
            self.fields["catalog_item"] = forms.ChoiceField(
                label=_("失信程度（目录条目）"), choices=PENALTY_ITEMS, initial="JY-CF-02"
            )
            self.fields["catalog_item"].widget.attrs["class"] = "form-select"
        for field in self.layout:
            form_field = national_form_field(field)
            widget = form_field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxSelectMultiple) else ""
            if not css:
                css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css
            widget.attrs["data-entry-field"] = field.code
            self.fields[field.code] = form_field
        self.national = {field.code: field for field in self.layout}

    def row(self) -> dict[str, str]:
        """The posted national row, code → text (处罚类别 joined with ";")."""
        data = self.data
        row: dict[str, str] = {}
        for field in self.layout:
            if field.code == "CF_CFLB" and hasattr(data, "getlist"):
                value = ";".join(v for v in data.getlist(field.code) if v.strip())
            else:
                value = str(data.get(field.code, "") or "")
            if value.strip():
                row[field.code] = value
        return row

    def put_errors(self, result: RowResult) -> None:
        """The validator's errors, on the fields they name."""
        for error in result.errors:
            self.add_error(error.code, localised(error.message))

    def groups(self) -> list[tuple[str, Promise, list[forms.BoundField]]]:
        """The national fields as bound fields, grouped for the page."""
        placed: dict[str, list[forms.BoundField]] = {key: [] for key, _label in GROUPS}
        for field in self.layout:
            placed[group_of(field)].append(self[field.code])
        return [(key, label, placed[key]) for key, label in GROUPS if placed[key]]

    @property
    def catalog_item_code(self) -> str:
        if self.kind == "licence":
            return "JY-XK-01"
        return str(self.cleaned_data.get("catalog_item") or "JY-CF-02")


def entry_defaults(kind: str, organisation: Any) -> dict[str, Any]:
    """The user's organisation as issuing body and data source; a licence valid ("1")."""
    initial: dict[str, Any] = {
        n.ISSUING_BODY[kind]: organisation.name,
        n.DATA_SOURCE[kind]: organisation.name,
    }
    if organisation.uscc:
        initial[n.ISSUING_BODY_USCC[kind]] = organisation.uscc
        initial[n.DATA_SOURCE_USCC[kind]] = organisation.uscc
    if kind == "licence":
        initial["XK_ZT"] = "1"
    return initial


class QualityFilterForm(forms.Form):
    """The month of the quality page (``?month=YYYY-MM``)."""

    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control"}),
    )

    def month_or(self, default: dt.date) -> dt.date:
        """The chosen month's first day, or ``default``'s month."""
        text = (self.cleaned_data.get("month") or "") if self.is_valid() else ""
        try:
            year, month = (int(part) for part in text.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            return default.replace(day=1)
