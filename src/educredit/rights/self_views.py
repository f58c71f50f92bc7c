"""Self-service shell: the subject's home (own records), account activation, and the staff
page that opens an account for a subject."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_public, access_staff, access_subject
from educredit.records.selectors import credit_records_of_subject
from educredit.rights.self_service import (
    self_read_log,
    subject_account_activate,
    subject_account_for,
    subject_account_open,
    subject_of,
)
from educredit.subjects import selectors as subject_selectors
from educredit.subjects.models import Institution, Person
from educredit.web.paging import page_of


class ActivateForm(forms.Form):
    """The one-time code from the letter, and the sign-in the subject chooses."""

    code = forms.CharField(label=gettext_lazy("激活码"), max_length=30)
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150, required=False)
    password = forms.CharField(label=gettext_lazy("密码"), widget=forms.PasswordInput)
    password_again = forms.CharField(label=gettext_lazy("再次输入密码"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            raise ValidationError(_("两次输入的密码不一致"))
        return data


@access_subject
@require_http_methods(["GET"])
def self_home(request: HttpRequest) -> HttpResponse:
    """The subject's own credit records, whatever their disclosure (Henan §40 self-query)."""
    subject = subject_of(request.user)
    records = credit_records_of_subject(**subject.filter_kwargs())
    page = page_of(request, records)
    self_read_log(
        request.user, subject, purpose="本人查询", fields=("records",), route="self_service:home"
    )
    return render(request, "rights/self_home.html", {"subject": subject, "page": page})


@access_public
@require_http_methods(["GET", "POST"])
def self_activate(request: HttpRequest) -> HttpResponse:
    """Activate a self-service account with the code staff handed over."""
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subject_account_activate(
                code=form.cleaned_data["code"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("账号已激活，请登录"))
            return redirect("accounts:login")
    return render(request, "rights/activate.html", {"form": form})


OPENERS = (UserRole.CLERK, UserRole.REVIEWER, UserRole.ADMIN)


@access_staff(*OPENERS)
@require_http_methods(["GET", "POST"])
def person_account_open_view(request: HttpRequest, person_id: str) -> HttpResponse:
    """Open a person's self-service account (or re-issue its code) and show the code once."""
    person = subject_selectors.access_person_for_user(request.user, person_id)
    return _account_open(request, person=person, institution=None)


@access_staff(*OPENERS)
@require_http_methods(["GET", "POST"])
def institution_account_open_view(request: HttpRequest, institution_id: str) -> HttpResponse:
    """Open an institution's self-service account (used by its credit officer)."""
    institution = subject_selectors.access_institution_for_user(request.user, institution_id)
    return _account_open(request, person=None, institution=institution)


def _account_open(
    request: HttpRequest, *, person: Person | None, institution: Institution | None
) -> HttpResponse:
    account = subject_account_for(person=person, institution=institution)
    code = ""
    if request.method == "POST":
        try:
            account, code = subject_account_open(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                institution=institution,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
    return render(
        request,
        "rights/account_open.html",
        {"subject": person or institution, "account": account, "code": code},
    )
