"""Public portal pages (信用公示)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from educredit.accounts.permissions import access_public


@access_public
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")
