"""Workspace routes of 学生诚信 (mounted under /integrity/students/)."""

from django.urls import path  # noqa: F401  (routes arrive with the pages)

app_name = "integrity_students"

urlpatterns: list = []
