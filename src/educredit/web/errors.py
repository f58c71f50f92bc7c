"""The error pages (400, 403, 403 CSRF, 404, 500, 503) in the site's own layouts, one language each.

A signed-in staff member sees the workspace layout (menu, account, language switch); everyone
else — the public, credit subjects, a visitor whose session ended — the portal's. The 500 page
is rendered with nothing that may need the database (it is shown when the database is the
problem): the static-safe layout ``errors/base_static.html``, still in the reader's language
and with the language switch. The root URL conf names these handlers; Django's defaults render
the same templates with the static-safe layout.

The 503 page (the database cannot answer: ``core.refusals``, ADR 0039) needs the database as
little as the 500 page and uses the same layout; the 500 handler answers 503 when what failed
is the database being unreachable or too busy (an error raised by a middleware — the session
read, a session save — reaches Django's 500 handling, not the view's). A request refused for a
character no database can store gets the 400 page saying so.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader

from educredit.core import refusals

WORKSPACE_LAYOUT = "web/base_workspace.html"
PORTAL_LAYOUT = "portal/base_portal.html"
STATIC_LAYOUT = "errors/base_static.html"
BAD_REQUEST_DETAIL = "请求无效 / Bad request"


def error_layout(request: HttpRequest) -> str:
    """The layout an error page is shown in for this reader."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "organisation_id", None):
        return WORKSPACE_LAYOUT
    return PORTAL_LAYOUT


def _page(request: HttpRequest, template: str, status: int, **extra: Any) -> HttpResponse:
    if not hasattr(request, "user"):
        # Refused by a middleware before authentication (a Host header not allowed, a
        # malformed cookie): the site's layouts need the user, the static-safe one does not.
        context = {**_static_context(request), **extra}
        return HttpResponse(loader.get_template(template).render(context), status=status)
    return render(request, template, {"layout": error_layout(request), **extra}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path_info.startswith(refusals.API_PREFIX):
        # Under /api/ every refusal is JSON, also one made before the API saw the request.
        return JsonResponse({"detail": BAD_REQUEST_DETAIL}, status=400)
    unstorable = isinstance(exception, refusals.UnstorableInputError)
    return _page(request, "400.html", 400, unstorable=unstorable)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, "403_csrf.html", 403)


def _static_context(request: HttpRequest) -> dict[str, Any]:
    """No request context (no user, no session, no query), only the language switch's token
    and the address to come back to."""
    context: dict[str, Any] = {"layout": STATIC_LAYOUT, "next_path": "/"}
    # The page must render whatever failed: without a token the switch is simply left out.
    with contextlib.suppress(Exception):
        context["csrf_token"] = get_token(request)
        context["next_path"] = request.get_full_path()
    return context


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or the 503 answer when the exception being handled is the database's
    being unreachable or busy."""
    failure = sys.exc_info()[1]
    if refusals.database_unavailable(failure):
        return refusals.unavailable_response(request, failure)
    context = _static_context(request)
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def service_unavailable(
    request: HttpRequest, exception: BaseException | None = None
) -> HttpResponse:
    """The 503 page (``core.refusals`` adds ``Retry-After``): rendered without the database,
    saying whether it could not be reached or was too busy to answer in time."""
    context = _static_context(request)
    context["busy"] = refusals.database_busy(exception)
    context["retry_after_seconds"] = refusals.RETRY_AFTER_SECONDS
    return HttpResponse(loader.get_template("503.html").render(context), status=503)
