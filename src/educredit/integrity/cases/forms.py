"""Forms of the case pages: the list's filter, finding the person, opening a case, and one form
per step of the procedure (the service checks every rule; a form only shapes the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.integrity.cases import clock
from educredit.integrity.cases.choices import (
    AppealOutcome,
    CaseSource,
    CaseStatus,
    NoticeDelivery,
)
from educredit.integrity.cases.regimes import REGIMES, Regime
from educredit.subjects.choices import DocumentType

SANCTION_ROWS = 3  # intended sanctions a form offers (a decision rarely needs more)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Texts quoted from the rules (behaviour types, aggravating circumstances) are Chinese data.
ZH_SELECT = forms.Select(attrs={"lang": "zh"})


def regime_choices(regimes: list[Regime] | tuple[Regime, ...] = REGIMES) -> list[tuple[str, Any]]:
    return [(regime.code, regime.name) for regime in regimes]


class CaseFilterForm(BootstrapForm):
    """The list's filter: regime, status, overdue only, the person's name."""

    regime = forms.ChoiceField(label=_("适用规定"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *CaseStatus.choices]
    )
    overdue = forms.BooleanField(label=_("仅显示超过办理期限的"), required=False)
    q = forms.CharField(label=_("当事人姓名"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = [("", _("全部")), *regime_choices()]  # type: ignore[attr-defined]


class PersonSearchForm(BootstrapForm):
    """Find the person concerned: by name among the people the user may see, or by document."""

    q = forms.CharField(label=_("姓名"), required=False, max_length=100)
    document_type = forms.ChoiceField(
        label=_("证件类型"), choices=DocumentType.choices, required=False
    )
    document_number = forms.CharField(
        label=_("证件号码"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class CaseOpenForm(BootstrapForm):
    """登记案件: the regime, where the person works, the source and the allegation."""

    regime = forms.ChoiceField(label=_("适用规定"))
    institution = forms.ChoiceField(
        label=_("所在单位"), required=False, widget=forms.Select(attrs={"lang": "zh"})
    )
    source = forms.ChoiceField(label=_("案件来源"), choices=CaseSource.choices)
    reporter = forms.CharField(label=_("举报人或线索来源"), max_length=200, required=False)
    reported_on = forms.DateField(label=_("收到举报或线索日期"), widget=DATE)
    allegation = forms.CharField(
        label=_("反映的问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    misconduct_type = forms.ChoiceField(
        label=_("行为类型"),
        required=False,
        widget=ZH_SELECT,
        help_text=_("按所选规定列举的行为类型；可在告知拟处理决定时再选择。"),
    )
    public_official = forms.BooleanField(
        label=_("公办学校管理人员（适用政务处分法）"),
        required=False,
        help_text=_("仅适用于师德失范案件"),
    )

    def __init__(
        self,
        *args: Any,
        regimes: list[Regime],
        institutions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regime"].choices = regime_choices(regimes)  # type: ignore[attr-defined]
        self.fields["institution"].choices = [("", _("（不填）")), *institutions]  # type: ignore[attr-defined]
        # One group per regime: the service refuses a type the chosen regime does not list.
        self.fields["misconduct_type"].choices = [  # type: ignore[attr-defined]
            ("", _("（稍后选择）")),
            *[(str(regime.name), [(t, t) for t in regime.misconduct_types]) for regime in regimes],
        ]


class ReasonForm(BootstrapForm):
    """不予受理, 认定不构成失信, 复核不予受理: the reason, kept and told."""

    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NoteForm(BootstrapForm):
    """受理 (with an optional note)."""

    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class SanctionsForm(BootstrapForm):
    """Facts, reasons, basis and up to three sanctions with their months where the rule
    chooses them, and combined months for several of the same kind (政务处分法 §15)."""

    facts = forms.CharField(label=_("认定的事实"), widget=forms.Textarea(attrs={"rows": 3}))
    reasons = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label=_("依据"), widget=forms.Textarea(attrs={"rows": 2}))
    combined_months = forms.IntegerField(
        label=_("合并执行期限（月）"),
        required=False,
        min_value=1,
        help_text=_("同一种政务处分给予多项时填写：一个处分期以上、多个处分期之和以下，最长48个月"),
    )

    def __init__(
        self, *args: Any, kinds: tuple[str, ...], combined: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not combined:  # only several 政务处分 of one kind run combined (政务处分法 §15)
            del self.fields["combined_months"]
        choices = [("", _("（不选）"))] + [
            (
                kind,
                _("%(label)s（%(bounds)s）")
                % {"label": clock.RULES[kind].label, "bounds": _bounds(kind)},
            )
            for kind in kinds
        ]
        for index in range(1, SANCTION_ROWS + 1):
            self.fields[f"kind_{index}"] = forms.ChoiceField(
                label=_("处理或处分 %(n)s") % {"n": index}, choices=choices, required=False
            )
            self.fields[f"months_{index}"] = forms.IntegerField(
                label=_("期限（月） %(n)s") % {"n": index},
                required=False,
                min_value=1,
                widget=forms.NumberInput(attrs={"placeholder": _("月数")}),
            )
            self.fields[f"kind_{index}"].widget.attrs["class"] = "form-select"
            self.fields[f"months_{index}"].widget.attrs["class"] = "form-control"
        self.order_fields(
            [
                "misconduct_type",
                "facts",
                "reasons",
                "basis",
                *[f"{p}_{i}" for i in range(1, SANCTION_ROWS + 1) for p in ("kind", "months")],
                "combined_months",
            ]
        )

    # How the case page lays the form out: the findings, the sanction rows (kind and months
    # side by side), the rest, and the qualification record's fields folded away.
    LEAD = ("misconduct_type", "facts", "reasons", "basis")
    QUALIFICATION = ("qualification_kind", "certificate_number", "ground", "judgment_number")

    def lead_fields(self) -> list[Any]:
        return [self[name] for name in self.LEAD if name in self.fields]

    def sanction_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"kind_{index}"], self[f"months_{index}"])
            for index in range(1, SANCTION_ROWS + 1)
        ]

    def tail_fields(self) -> list[Any]:
        skip = {*self.LEAD, *self.QUALIFICATION}
        return [
            self[name]
            for name in self.fields
            if name not in skip and not name.startswith(("kind_", "months_"))
        ]

    def qualification_fields(self) -> list[Any]:
        return [self[name] for name in self.QUALIFICATION if name in self.fields]

    def sanctions(self) -> list[dict[str, Any]]:
        """The chosen sanctions, as the services take them."""
        chosen = []
        for index in range(1, SANCTION_ROWS + 1):
            kind = self.cleaned_data.get(f"kind_{index}")
            if kind:
                chosen.append({"kind": kind, "months": self.cleaned_data.get(f"months_{index}")})
        return chosen


def _bounds(kind: str) -> str:
    rule = clock.RULES[kind]
    if rule.permanent:
        return str(_("长期"))
    if rule.instant:
        return str(_("无期限"))
    return rule.bounds_text()


class NotifyForm(SanctionsForm):
    """告知拟处理决定."""

    misconduct_type = forms.ChoiceField(label=_("行为类型"), widget=ZH_SELECT)

    def __init__(self, *args: Any, regime: Regime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["misconduct_type"].choices = [  # type: ignore[attr-defined]
            ("", _("请选择")),
            *[(t, t) for t in regime.misconduct_types],
        ]


class DecideForm(SanctionsForm):
    """作出处理决定: the notify form's fields, the remedy, and the regime's record fields."""

    remedy = forms.CharField(label=_("救济途径和期限"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, regime: Regime, qualification: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if qualification:  # a bureau may revoke the qualification: its own JY-ZG record
            help_text = _("撤销或丧失教师资格时填写")
            for name, label in (
                ("qualification_kind", _("教师资格种类")),
                ("certificate_number", _("教师资格证书编号")),
                ("ground", _("撤销或丧失情形")),
                ("judgment_number", _("刑事判决书文号（丧失教师资格时）")),
            ):
                self.fields[name] = forms.CharField(
                    label=label, max_length=200, required=False, help_text=help_text
                )
                self.fields[name].widget.attrs["class"] = "form-control"
        if regime.record_item == "JY-KS-01":
            self.fields["exam_name"] = forms.CharField(label=_("考试名称"), max_length=200)
            self.fields["exam_date"] = forms.DateField(label=_("考试日期"), widget=DATE)
        elif regime.record_item == "JY-XS-01":
            self.fields["serious_circumstances"] = forms.BooleanField(
                label=_("情节严重"), required=False
            )
        elif regime.record_item == "JY-KY-01":
            from educredit.integrity.cases.regimes import RESEARCH_AGGRAVATING

            self.fields["aggravating"] = forms.ChoiceField(
                label=_("从重情节"),
                required=False,
                widget=forms.Select(attrs={"lang": "zh"}),
                choices=[("", _("（无）")), *[(a, a) for a in RESEARCH_AGGRAVATING]],
            )
        for name in ("exam_name", "exam_date", "serious_circumstances", "aggravating"):
            if name in self.fields:
                widget = self.fields[name].widget
                css = (
                    "form-check-input"
                    if isinstance(widget, forms.CheckboxInput)
                    else ("form-select" if isinstance(widget, forms.Select) else "form-control")
                )
                widget.attrs["class"] = css

    def record_fields(self) -> dict[str, Any]:
        names = (
            "exam_name",
            "exam_date",
            "serious_circumstances",
            "aggravating",
            "qualification_kind",
            "certificate_number",
            "ground",
            "judgment_number",
        )
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}


class DeliveryForm(BootstrapForm):
    """Record a notice delivered on paper: which notice, how, on what day."""

    notice = forms.ChoiceField(label=_("文书"))
    delivery = forms.ChoiceField(
        label=_("送达方式"),
        choices=[
            (NoticeDelivery.IN_PERSON, NoticeDelivery.IN_PERSON.label),
            (NoticeDelivery.POST, NoticeDelivery.POST.label),
        ],
    )
    on = forms.DateField(label=_("送达日期"), widget=DATE)

    def __init__(self, *args: Any, notices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = notices  # type: ignore[attr-defined]


class DefenceForm(BootstrapForm):
    """陈述和申辩, or the person's waiver."""

    text = forms.CharField(
        label=_("陈述和申辩的内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    waived = forms.BooleanField(label=_("放弃陈述和申辩"), required=False)


class HearingForm(BootstrapForm):
    """The hearing's record."""

    text = forms.CharField(label=_("听证情况"), widget=forms.Textarea(attrs={"rows": 4}))


class AppealForm(BootstrapForm):
    """申请复核或申诉."""

    text = forms.CharField(
        label=_("复核或申诉的理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class AppealDecideForm(BootstrapForm):
    """复核决定: upheld or revoked, with the reason."""

    outcome = forms.ChoiceField(
        label=_("复核结论"),
        choices=[
            (AppealOutcome.UPHELD, AppealOutcome.UPHELD.label),
            (AppealOutcome.REVOKED, AppealOutcome.REVOKED.label),
        ],
    )
    reason = forms.CharField(
        label=_("复核理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
