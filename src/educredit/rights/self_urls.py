"""Self-service pages of credit subjects (/self/): each capability contributes its own routes."""

from django.urls import path

from educredit.commitments.self_urls import self_patterns as commitment_patterns
from educredit.integrity.cases.self_urls import self_patterns as case_patterns
from educredit.rights import (
    objection_urls,
    query_urls,
    repair_urls,
    report_urls,
    self_views,
)

app_name = "self_service"

urlpatterns = [
    path("", self_views.self_home, name="home"),
    path("activate/", self_views.self_activate, name="activate"),
    *objection_urls.self_patterns,
    *repair_urls.self_patterns,
    *query_urls.self_patterns,
    *report_urls.self_patterns,
    *commitment_patterns,
    *case_patterns,
]
