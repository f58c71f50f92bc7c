"""The project's URLs and ``/bench/constant``: the smallest view Django can answer with."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from educredit.accounts.permissions import access_public
from educredit.urls import urlpatterns as project_urls


@access_public
def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"verdict": "clear", "measures": []})


urlpatterns = [path("bench/constant", constant), *project_urls]
