"""Root URL configuration: staff workspace, accounts, public portal, API."""

from django.urls import include, path

from educredit.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("educredit.accounts.urls")),
    path("workspace/", include("educredit.web.urls")),
    path("api/", api.urls),
    path("", include("educredit.portal.urls")),
]
