"""The cases' self-service routes, mounted by ``rights.self_urls`` under ``/self/``."""

from django.urls import URLPattern, path

from educredit.integrity.cases import self_views

self_patterns: list[URLPattern] = [
    path("cases/", self_views.self_case_list, name="case_list"),
    path("cases/<uuid:case_id>/", self_views.self_case_detail, name="case_detail"),
    path(
        "cases/notices/<uuid:case_notice_id>/",
        self_views.self_case_notice,
        name="case_notice",
    ),
]
