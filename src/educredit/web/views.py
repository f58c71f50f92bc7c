"""Staff workspace pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from educredit.accounts.permissions import access_staff


@access_staff()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")
