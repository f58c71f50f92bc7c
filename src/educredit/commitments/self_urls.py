"""The commitments' self-service routes, mounted by ``rights.self_urls`` under ``/self/``."""

from django.urls import URLPattern, path

from educredit.commitments import self_views

self_patterns: list[URLPattern] = [
    path("commitments/", self_views.self_commitment_list, name="commitment_list"),
    path("commitments/new/", self_views.self_commitment_create, name="commitment_create"),
    path(
        "commitments/<uuid:commitment_id>/",
        self_views.self_commitment_detail,
        name="commitment_detail",
    ),
]
