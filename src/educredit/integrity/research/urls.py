"""Workspace routes of 科研诚信 (mounted under /integrity/research/)."""

from django.urls import URLPattern, path

from educredit.integrity.research import views

app_name = "integrity_research"

urlpatterns: list[URLPattern] = [
    path("activities/", views.activity_list, name="list"),
    path("activities/new/", views.activity_new, name="new"),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="detail"),
    path("activities/<uuid:activity_id>/edit/", views.activity_edit, name="edit"),
]
