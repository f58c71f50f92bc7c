"""Workspace routes of 诚信案件 (mounted under /integrity/cases/)."""

from django.urls import path  # noqa: F401  (routes arrive with the pages)

app_name = "integrity_cases"

urlpatterns: list = []
