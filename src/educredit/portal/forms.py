"""Portal forms: the person look-up (exact name plus document number, sent only by POST) and
the disclosure table's filters (GET)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from educredit.catalog.choices import InfoCategory
from educredit.disclosure.national import LICENCE_CATEGORIES, PENALTY_CATEGORIES
from educredit.portal.selectors import (
    DISCLOSURE_TABS,
    TAB_LICENCE,
    TAB_OTHER,
    TAB_PENALTY,
    DisclosureFilter,
)
from educredit.subjects.choices import DocumentType
from educredit.subjects.regions import city_choices


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


# 许可类别 and 处罚类别 as the standard writes them (the stored value), shown translated.
LICENCE_CATEGORY_LABELS = {
    "普通": pgettext_lazy("许可类别", "普通"),
    "特许": pgettext_lazy("许可类别", "特许"),
    "认可": pgettext_lazy("许可类别", "认可"),
    "核准": pgettext_lazy("许可类别", "核准"),
    "登记": pgettext_lazy("许可类别", "登记"),
    "其他": pgettext_lazy("许可类别", "其他"),
}
PENALTY_CATEGORY_LABELS = {
    "警告": pgettext_lazy("处罚类别", "警告"),
    "通报批评": pgettext_lazy("处罚类别", "通报批评"),
    "罚款": pgettext_lazy("处罚类别", "罚款"),
    "没收违法所得": pgettext_lazy("处罚类别", "没收违法所得"),
    "没收非法财物": pgettext_lazy("处罚类别", "没收非法财物"),
    "暂扣许可证件": pgettext_lazy("处罚类别", "暂扣许可证件"),
    "降低资质等级": pgettext_lazy("处罚类别", "降低资质等级"),
    "吊销许可证件": pgettext_lazy("处罚类别", "吊销许可证件"),
    "限制开展生产经营活动": pgettext_lazy("处罚类别", "限制开展生产经营活动"),
    "责令停产停业": pgettext_lazy("处罚类别", "责令停产停业"),
    "责令关闭": pgettext_lazy("处罚类别", "责令关闭"),
    "限制从业": pgettext_lazy("处罚类别", "限制从业"),
    "行政拘留": pgettext_lazy("处罚类别", "行政拘留"),
    "其他": pgettext_lazy("处罚类别", "其他"),
}
SORT_NEWEST, SORT_OLDEST = "newest", "oldest"


def _category_choices(tab: str) -> list[tuple[str, Any]]:
    if tab == TAB_LICENCE:
        return [(value, LICENCE_CATEGORY_LABELS[value]) for value in LICENCE_CATEGORIES]
    if tab == TAB_PENALTY:
        return [(value, PENALTY_CATEGORY_LABELS[value]) for value in PENALTY_CATEGORIES]
    # Other public records: the catalog's 信息类别 (licences and penalties have their tabs).
    return [
        (value, label)
        for value, label in InfoCategory.choices
        if value not in (InfoCategory.LICENCE, InfoCategory.PENALTY)
    ]


class DisclosureFilterForm(forms.Form):
    """The disclosure table's search, filters and order (GET; a bad field is dropped)."""

    tab = forms.ChoiceField(
        choices=[(TAB_LICENCE, ""), (TAB_PENALTY, ""), (TAB_OTHER, "")],
        required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("行政相对人名称或统一社会信用代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    body = forms.CharField(
        label=_("决定机关"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    region = forms.ChoiceField(
        label=_("所在地区"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    date_from = forms.DateField(
        label=_("决定日期自"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    date_to = forms.DateField(
        label=_("决定日期至"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(SORT_NEWEST, _("决定日期从新到旧")), (SORT_OLDEST, _("决定日期从旧到新"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.get("tab") if self.is_bound else None
        self.current_tab = raw if raw in DISCLOSURE_TABS else TAB_LICENCE
        region = self.fields["region"]
        assert isinstance(region, forms.ChoiceField)  # noqa: S101 - declared above
        region.choices = [("", _("全省")), *city_choices()]
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)  # noqa: S101 - declared above
        category.choices = [("", _("全部类别")), *_category_choices(self.current_tab)]
        if self.current_tab == TAB_OTHER:
            category.label = _("信息类别")
        else:
            category.label = _("许可类别") if self.current_tab == TAB_LICENCE else _("处罚类别")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def to_filter(self) -> DisclosureFilter:
        """The valid part of what was asked (an invalid field counts as not given)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DisclosureFilter(
            tab=self.current_tab,
            q=data.get("q") or "",
            body=data.get("body") or "",
            region=data.get("region") or "",
            category=data.get("category") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            oldest_first=data.get("sort") == SORT_OLDEST,
        )
