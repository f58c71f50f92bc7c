"""Staff workspace pages and the language switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from educredit.accounts.permissions import access_public, access_staff
from educredit.web.navigation import workspace_links
from educredit.web.todo import todo_items


@access_staff()
def home(request: HttpRequest) -> HttpResponse:
    """The workspace home: who you are, where you sit, and the sections you may open."""
    quick_links = [link for link in workspace_links(request) if not link.active]
    return render(
        request, "web/home.html", {"quick_links": quick_links, "todo": todo_items(request)}
    )


@access_public
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, declared public so the deny-by-default middleware admits it."""
    return django_set_language(request)
