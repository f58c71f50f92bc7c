"""Template tags of the UI shell: menus, the signed-in user's roles, links the user may follow."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.functional import Promise

from educredit.accounts.choices import UserRole
from educredit.web.navigation import ResolvedLink, portal_links, url_if_available, workspace_links

register = template.Library()


def _request(context: template.Context) -> HttpRequest | None:
    request = context.get("request")
    return request if isinstance(request, HttpRequest) else None


@register.simple_tag(takes_context=True)
def workspace_nav(context: template.Context) -> list[ResolvedLink]:
    """``{% workspace_nav as links %}``: the workspace sections this user may open."""
    request = _request(context)
    return workspace_links(request) if request is not None else []


@register.simple_tag(takes_context=True)
def portal_nav(context: template.Context) -> list[ResolvedLink]:
    """``{% portal_nav as links %}``: the portal sections, planned ones as placeholders."""
    request = _request(context)
    return portal_links(request) if request is not None else []


@register.simple_tag(takes_context=True)
def optional_url(context: template.Context, url_name: str) -> str:
    """``{% optional_url "app:name" as url %}``: the URL, or "" if it is missing or forbidden."""
    request = _request(context)
    if request is None:
        return ""
    return url_if_available(request, url_name) or ""


@register.simple_tag(takes_context=True)
def url_if_allowed(context: template.Context, url_name: str, *args: Any, **kwargs: Any) -> str:
    """``{% url_if_allowed "records:record_edit" record.public_id as edit_url %}``: the URL with
    its arguments if the view's access rule admits this user, else "" — so an action button is
    shown only to those who may use it (the same rule the view enforces)."""
    request = _request(context)
    if request is None:
        return ""
    return url_if_available(request, url_name, *args, **kwargs) or ""


@register.simple_tag
def role_labels(user: Any) -> list[str | Promise]:
    """``{% role_labels user as roles %}``: the user's roles as translated labels."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "roles"):
        return []
    return [
        UserRole(code).label if code in UserRole.values else code
        for code in sorted(user.roles(), key=_role_order)
    ]


def _role_order(code: str) -> int:
    values = list(UserRole.values)
    return values.index(code) if code in values else len(values)
