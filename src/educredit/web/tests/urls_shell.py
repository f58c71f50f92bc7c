"""A URL conf for the shell's tests: the real routes plus views with chosen access rules."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.urls import urlpatterns as real_urlpatterns


@access_staff(UserRole.ADMIN)
def admin_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("admin page")


@access_staff()
def any_staff(request: HttpRequest) -> HttpResponse:
    return HttpResponse("staff page")


def no_rule(request: HttpRequest) -> HttpResponse:
    return HttpResponse("a view that forgot its access rule")


@access_staff()
def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


shell_patterns = (
    [
        path("admin-only/", admin_only, name="admin_only"),
        path("any-staff/", any_staff, name="any_staff"),
        path("no-rule/", no_rule, name="no_rule"),
        path("broken/", broken, name="broken"),
    ],
    "shelltest",
)

urlpatterns = [path("shell-test/", include(shell_patterns)), *real_urlpatterns]

# The real URL conf's error handlers (a test URL conf must name them itself).
handler400 = "educredit.web.errors.bad_request"
handler403 = "educredit.web.errors.permission_denied"
handler404 = "educredit.web.errors.page_not_found"
handler500 = "educredit.web.errors.server_error"
