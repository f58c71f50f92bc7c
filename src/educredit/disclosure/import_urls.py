"""The 双公示 spreadsheet import's pages (mounted under ``/disclosure/import/``)."""

from django.urls import URLPattern, path

from educredit.disclosure import import_views

urlpatterns: list[URLPattern] = [
    path("", import_views.import_start, name="import_start"),
    path("<uuid:decision_import_id>/", import_views.import_detail, name="import_detail"),
    path("<uuid:decision_import_id>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
