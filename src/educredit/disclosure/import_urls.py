"""The 双公示 spreadsheet import's pages (mounted under ``/disclosure/import/``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
