"""Workspace routes of 科研诚信 (mounted under /integrity/research/)."""

from django.urls import path  # noqa: F401  (routes arrive with the pages)

app_name = "integrity_research"

urlpatterns: list = []
