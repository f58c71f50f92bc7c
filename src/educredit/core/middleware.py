"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

# Everything is served by the app itself (government intranets have no CDN), so the policy can
# forbid every other origin. Inline scripts are not allowed; styles may be inline for ECharts.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


# No page uses any powerful browser feature.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in ("camera", "microphone", "geolocation", "payment", "usb")
)

# Paths whose answers are never for a shared or browser cache even before sign-in: the API
# (business systems' keys see non-public data) and the sign-in pages (the TOTP enrolment page
# shows the new secret).
NO_STORE_PREFIXES = ("/api/", "/accounts/")


def _carries_private_data(request: HttpRequest) -> bool:
    """Whether the response may hold non-public data and must not be stored by any cache."""
    if request.path.startswith(NO_STORE_PREFIXES) or request.method == "POST":
        # POST answers include the portal's person look-up, which names one person's records.
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Adds the content-security and permissions policies, and forbids caching private answers.

    ``SecurityMiddleware`` adds nosniff, the referrer and cross-origin-opener policies (and HSTS
    under ``EDUCREDIT_HTTPS``); ``XFrameOptionsMiddleware`` adds ``X-Frame-Options: DENY``.
    A view that sets its own ``Cache-Control`` (the portal's public open data) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers and _carries_private_data(request):
            add_never_cache_headers(response)
        return response


class ChosenLanguageMiddleware:
    """Chinese unless the user chose English with the language switch.

    Django's ``LocaleMiddleware`` would follow the browser's Accept-Language, so an official
    whose browser happens to be set to English would get English pages unasked; the platform
    speaks Chinese first and switches only on the user's explicit choice (the language cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        patch_vary_headers(response, ("Cookie",))
        return response
