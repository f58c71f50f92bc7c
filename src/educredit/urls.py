"""Root URL configuration: staff workspace, accounts, public portal, API."""

from django.urls import include, path

from educredit.api import api
from educredit.web import views as web_views

urlpatterns = [
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("accounts/", include("educredit.accounts.urls")),
    path("workspace/", include("educredit.web.urls")),
    path("subjects/", include("educredit.subjects.urls")),
    path("catalog/", include("educredit.catalog.urls")),
    path("records/", include("educredit.records.urls")),
    path("disclosure/", include("educredit.disclosure.urls")),
    path("exchange/", include("educredit.exchange.urls")),
    path("sanctions/", include("educredit.sanctions.urls")),
    path("commitments/", include("educredit.commitments.urls")),
    path("integrity/", include("educredit.integrity.urls")),
    path("rights/", include("educredit.rights.urls")),
    path("self/", include("educredit.rights.self_urls")),
    path("verify/", include("educredit.rights.public_urls")),
    path("api/", api.urls),
    path("", include("educredit.portal.urls")),
]

# Error pages in the site's layouts, in the reader's language (ADR 0038).
handler400 = "educredit.web.errors.bad_request"
handler403 = "educredit.web.errors.permission_denied"
handler404 = "educredit.web.errors.page_not_found"
handler500 = "educredit.web.errors.server_error"
# Not one of Django's own handlers: core.refusals renders its 503 (database unavailable,
# ADR 0039) through it, so the page keeps the site's look.
handler503 = "educredit.web.errors.service_unavailable"
