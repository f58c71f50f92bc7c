"""Workspace routes of 师德考核 (mounted under /integrity/appraisal/)."""

from django.urls import path  # noqa: F401  (routes arrive with the pages)

app_name = "integrity_appraisal"

urlpatterns: list = []
