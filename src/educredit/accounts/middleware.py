"""Deny-by-default enforcement of the access rules views declare."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from educredit.accounts.permissions import access_rule_of

# Routes whose access is enforced by their own framework rather than by a view rule:
# the JSON API authenticates every operation itself (ninja ``auth=``), static files are public.
SELF_GUARDED_PREFIXES = ("/api/", "/static/")


class AccessPolicyMiddleware:
    """Refuse any view without a declared rule; send anonymous users to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.path.startswith(SELF_GUARDED_PREFIXES):
            return None
        rule = access_rule_of(view_func)
        if rule is None:
            raise PermissionDenied("view declares no access rule")
        if rule.allows(request):
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise PermissionDenied
