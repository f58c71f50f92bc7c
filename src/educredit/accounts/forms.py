"""Forms of the accounts pages; they translate input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.accounts.models import Organisation
from educredit.accounts.services import ALLOWED_PARENT_KINDS


def apply_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where they exist."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap 5 classes, and marks fields with errors as invalid."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = list(error.error_dict) if hasattr(error, "error_dict") else [field]
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class LoginForm(BootstrapForm):
    """Username and password."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TotpForm(BootstrapForm):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )


class OrganisationCreateForm(BootstrapForm):
    """A new organisation under a given parent; only kinds that fit the parent are offered."""

    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"))
    region_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)

    def __init__(self, *args: Any, parent: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in OrganisationKind.choices
            if parent.kind in ALLOWED_PARENT_KINDS[value]
        ]


class OrganisationEditForm(BootstrapForm):
    """Name and codes of an organisation."""

    name = forms.CharField(label=_("名称"), max_length=200)
    region_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    reason = forms.CharField(label=_("修改原因"), max_length=200, required=False)


class RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("角色"),
            choices=UserRole.choices,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class UserCreateForm(BootstrapForm):
    """A new staff user with roles."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=100)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 10 位，不能是常见密码或纯数字"),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    roles = RolesField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return data


class UserRolesForm(BootstrapForm):
    """The roles a user holds."""

    roles = RolesField()
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ReasonForm(BootstrapForm):
    """Why an account or organisation is switched off."""

    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ApiClientCreateForm(BootstrapForm):
    """A new business system's key."""

    name = forms.CharField(label=_("名称"), max_length=200)
    scopes = forms.CharField(
        label=_("权限范围"), help_text=_("以逗号分隔，例如 accounts:read"), max_length=500
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("每分钟请求上限"), min_value=1, max_value=100000, initial=60
    )
