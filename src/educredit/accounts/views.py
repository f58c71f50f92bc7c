"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from educredit.accounts.permissions import access_public


@access_public
def login_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LoginView.as_view(template_name="accounts/login.html")(request)


@access_public
def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)
