"""Staff pages of subjects' rights (/rights/): each capability contributes its own routes."""

from django.urls import path

from educredit.rights import (
    objection_urls,
    query_urls,
    repair_urls,
    report_urls,
    self_views,
)

app_name = "rights"

urlpatterns = [
    path(
        "accounts/person/<uuid:person_id>/open/",
        self_views.person_account_open_view,
        name="person_account_open",
    ),
    path(
        "accounts/institution/<uuid:institution_id>/open/",
        self_views.institution_account_open_view,
        name="institution_account_open",
    ),
    *objection_urls.staff_patterns,
    *repair_urls.staff_patterns,
    *query_urls.staff_patterns,
    *report_urls.staff_patterns,
]
