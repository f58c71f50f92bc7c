"""Forms of the record pages; they translate input, the services decide.

The entry form is generated from the catalog item's ``field_schema``: each field of the item
becomes a form field ``f_<name>``; the service's per-field errors (``payload.<name>``) are put
back on those fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.catalog.choices import CatalogVersionStatus, SubjectType
from educredit.catalog.models import CatalogItem
from educredit.catalog.selectors import items_recordable_by
from educredit.records.choices import CreditRecordStatus, DecisionProcedure
from educredit.subjects.choices import DocumentType
from educredit.subjects.forms import NoEchoTextInput

PAYLOAD_PREFIX = "f_"


def current_items(organisation: Any = None) -> Any:
    """Catalog items of published versions, for entry; with ``organisation``, only those its
    staff may record (the catalog's ``recorder_kinds``: no penalty items for a school)."""
    items = CatalogItem.objects.filter(version__status=CatalogVersionStatus.PUBLISHED).order_by(
        "version__number", "sort_order", "code"
    )
    return items if organisation is None else items_recordable_by(items, organisation)


class RecordFilterForm(BootstrapForm):
    """Filters of the record list (GET)."""

    q = forms.CharField(label=_("主体、事由或文书号"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CreditRecordStatus.choices]
    )
    item = forms.ModelChoiceField(
        label=_("目录条目"),
        required=False,
        queryset=CatalogItem.objects.order_by("version__number", "sort_order", "code"),
        to_field_name="public_id",
        empty_label=_("全部条目"),
    )
    date_from = forms.DateField(
        label=_("决定日期起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("决定日期止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ItemChoiceForm(BootstrapForm):
    """Step one of entry: which catalog item the record is typed by."""

    item = forms.ModelChoiceField(
        label=_("目录条目"), queryset=CatalogItem.objects.none(), to_field_name="public_id"
    )

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = current_items(organisation)  # type: ignore[attr-defined]


def _label(spec: dict[str, Any]) -> str:
    if (get_language() or "").startswith("en"):
        return str(spec.get("label_en") or spec["name"].replace("_", " "))
    return str(spec.get("label") or spec["name"])


def payload_field(spec: dict[str, Any]) -> forms.Field:
    """The form field for one field of an item's schema."""
    kind = spec.get("type", "text")
    common: dict[str, Any] = {"label": _label(spec), "required": bool(spec.get("required"))}
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "decimal":
        return forms.DecimalField(**common)
    if kind == "integer":
        return forms.IntegerField(**common)
    if kind == "choice":
        choices = [
            (c[0], c[1]) if isinstance(c, list | tuple) else (c, c) for c in spec.get("choices", [])
        ]
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == "boolean":
        return forms.BooleanField(label=common["label"], required=False)
    if kind == "uscc":
        return forms.CharField(max_length=18, **common)
    max_length = int(spec.get("max_length", 2000))
    widget = forms.Textarea(attrs={"rows": 3}) if max_length > 200 else forms.TextInput
    return forms.CharField(max_length=max_length, widget=widget, **common)


class RecordEntryForm(BootstrapForm):
    """Step two: the subject (by POST, never in a URL), the decision facts, the item's fields."""

    institution_query = forms.CharField(
        label=_("机构统一社会信用代码或名称"), required=False, max_length=200
    )
    document_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=DocumentType.choices,
        initial=DocumentType.RESIDENT_ID,
        required=False,
    )
    id_number = forms.CharField(
        label=_("证件号码"), max_length=40, required=False, widget=NoEchoTextInput
    )
    title = forms.CharField(label=_("事由"), max_length=300)
    decision_number = forms.CharField(label=_("决定文书号"), max_length=120, required=False)
    issuing_body = forms.CharField(label=_("认定单位"), max_length=200)
    issuing_body_uscc = forms.CharField(
        label=_("认定单位统一社会信用代码"), max_length=18, required=False
    )
    decision_date = forms.DateField(
        label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    procedure = forms.ChoiceField(
        label=_("程序"), choices=DecisionProcedure.choices, initial=DecisionProcedure.ORDINARY
    )
    corrected_minor_violation = forms.BooleanField(
        label=_("轻微违法已主动改正（自然人）"), required=False
    )

    def __init__(self, *args: Any, item: CatalogItem, editing: bool = False, **kwargs: Any) -> None:
        self.item = item
        super().__init__(*args, **kwargs)
        if editing:
            # A draft keeps its subject; only its content changes.
            for name in ("institution_query", "document_type", "id_number"):
                del self.fields[name]
            if item.subject_type == SubjectType.INSTITUTION:
                del self.fields["corrected_minor_violation"]
        elif item.subject_type == SubjectType.INSTITUTION:
            for name in ("document_type", "id_number", "corrected_minor_violation"):
                del self.fields[name]
        elif item.subject_type == SubjectType.PERSON:
            del self.fields["institution_query"]
        for spec in item.field_schema or []:
            field = payload_field(spec)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            self.fields[PAYLOAD_PREFIX + spec["name"]] = field
        if "id_number" in self.fields:
            self.fields["id_number"].widget.attrs.update(
                {"autocomplete": "off", "spellcheck": "false"}
            )

    @staticmethod
    def initial_for(record: Any) -> dict[str, Any]:
        """The form's initial values from a record."""
        initial = {
            name: getattr(record, name)
            for name in (
                "title",
                "decision_number",
                "issuing_body",
                "issuing_body_uscc",
                "decision_date",
                "procedure",
                "corrected_minor_violation",
            )
        }
        for name, value in (record.payload or {}).items():
            initial[PAYLOAD_PREFIX + name] = value
        return initial

    def payload_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith(PAYLOAD_PREFIX)]

    def payload(self) -> dict[str, Any]:
        """The item's fields, JSON-ready, by their schema names."""
        out: dict[str, Any] = {}
        for name in self.payload_field_names():
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            out[name[len(PAYLOAD_PREFIX) :]] = (
                value.isoformat() if hasattr(value, "isoformat") else value
            )
        for name, value in list(out.items()):
            if not isinstance(value, bool | int | str):
                out[name] = str(value)
        return out

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Put the service's per-field errors back on the form's fields."""
        for key, message in errors.items():
            name = key
            if key.startswith("payload."):
                name = PAYLOAD_PREFIX + key[len("payload.") :]
            elif key == "subject":
                name = "institution_query" if "institution_query" in self.fields else "id_number"
            self.add_error(name if name in self.fields else None, message)


class TransitionForm(BootstrapForm):
    """A life-cycle action with its reason (POST)."""

    action = forms.CharField(max_length=40, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecordImportForm(BootstrapForm):
    """Upload of a CSV or XLSX file of records of one catalog item."""

    item = forms.ModelChoiceField(
        label=_("目录条目"), queryset=CatalogItem.objects.none(), to_field_name="public_id"
    )
    file = forms.FileField(label=_("文件（CSV 或 XLSX）"))

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = current_items(organisation)  # type: ignore[attr-defined]
