"""Workspace routes of individual integrity: each sub-app under its own prefix."""

from django.urls import include, path

urlpatterns = [
    path("cases/", include("educredit.integrity.cases.urls")),
    path("appraisals/", include("educredit.integrity.appraisal.urls")),
    path("hiring/", include("educredit.integrity.hiring.urls")),
    path("research/", include("educredit.integrity.research.urls")),
    path("students/", include("educredit.integrity.students.urls")),
]
