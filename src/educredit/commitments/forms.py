"""Forms of the commitments' pages: the list filter, the fulfilment decision, and the
self-service choice of matter and accepting body, signing and declining."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from educredit.accounts.forms import BootstrapForm
from educredit.accounts.models import Organisation
from educredit.commitments.choices import CommitmentFulfilment, MatterCheckMethod

STATE_SUPERVISING = "supervising"
STATE_COMPLETED = "completed"
STATE_PENDING = "pending"
STATE_BREACHED = "breached"

STATE_CHOICES = [
    ("", _("全部")),
    (STATE_SUPERVISING, _("监管中")),
    (STATE_COMPLETED, _("监管完成")),
    (STATE_PENDING, _("待受理")),
    (STATE_BREACHED, _("违诺")),
]

DECIDED_RESULTS = [
    choice for choice in CommitmentFulfilment.choices if choice[0] != CommitmentFulfilment.UNDECIDED
]


class CommitmentFilterForm(BootstrapForm):
    """The staff list's filter: a matter (by code) and a state."""

    # The matter list's names are Chinese data (it has no English names): declared as such.
    matter = forms.ChoiceField(
        label=_("事项"), required=False, widget=forms.Select(attrs={"lang": "zh"})
    )
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATE_CHOICES)

    def __init__(self, *args: Any, matters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", _("全部事项")), *matters]  # type: ignore[attr-defined]


class FulfilmentDecideForm(BootstrapForm):
    """认定履行: what the check found, the result, with what was not fulfilled and the
    liability pursued."""

    findings = forms.CharField(
        label=_("核查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # No result preselected: deciding is a choice, never the default of a click.
    result = forms.ChoiceField(label=_("履行状态"), choices=[("", _("请选择")), *DECIDED_RESULTS])
    unperformed_content = forms.CharField(
        label=_("未履行的承诺内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    liability_pursued = forms.CharField(
        label=_("违诺责任追究内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    serious_consequences = forms.CharField(
        label=_("造成的严重后果"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "仅公开的信用承诺未履行且造成严重后果时填写：记为严重失信信息（JY-CN-04），"
            "可据以提请列入严重失信主体名单（《河南省社会信用条例》第三十三条第（八）项）。"
        ),
    )

    def __init__(self, *args: Any, public: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not public:  # §33(八) concerns public commitments only
            del self.fields["serious_consequences"]


TASK_OPEN = "open"
TASK_OVERDUE = "overdue"
TASK_DONE = "done"


class TaskFilterForm(BootstrapForm):
    """The task list's filter: the state (待核查, 已逾期, 已核查) and the way of checking."""

    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("", _("全部")),
            (TASK_OPEN, _("待核查")),
            (TASK_OVERDUE, _("已逾期")),
            (TASK_DONE, _("已核查")),
        ],
    )
    method = forms.ChoiceField(
        label=_("核查方式"),
        required=False,
        choices=[
            ("", _("全部")),
            *[c for c in MatterCheckMethod.choices if c[0] != MatterCheckMethod.EXEMPT],
        ],
    )


class SelfSignStartForm(BootstrapForm):
    """Self-service: the matter in force and the accepting body (the subject's supervising
    organisation or one above it)."""

    matter = forms.ChoiceField(label=_("承诺事项"), widget=forms.Select(attrs={"lang": "zh"}))
    accepting = forms.ChoiceField(label=_("承诺受理单位"))

    def __init__(
        self,
        *args: Any,
        matters: list[tuple[str, str]],
        bodies: list[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = matters  # type: ignore[attr-defined]
        self.fields["accepting"].choices = [  # type: ignore[attr-defined]
            (str(body.public_id), body.name) for body in bodies
        ]


class SelfSignForm(BootstrapForm):
    """签署: the digest of the letter the subject read, and what the application is for."""

    shown_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("承诺事由（选填）"),
        required=False,
        max_length=512,
        help_text=_("如“变更办学地址”；不填则为事项名称。"),
    )


class SelfDeclineForm(BootstrapForm):
    """不承诺，提交证明材料: what proofs the subject hands in."""

    proofs_note = forms.CharField(
        label=_("提交的证明材料"), widget=forms.Textarea(attrs={"rows": 3})
    )
