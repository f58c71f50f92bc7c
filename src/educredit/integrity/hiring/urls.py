"""Workspace routes of 入职查询 (mounted under /integrity/hiring/)."""

from django.urls import path  # noqa: F401  (routes arrive with the pages)

app_name = "integrity_hiring"

urlpatterns: list = []
