"""Workspace routes of 诚信案件 (mounted under /integrity/cases/)."""

from django.urls import URLPattern

app_name = "integrity_cases"

urlpatterns: list[URLPattern] = []
