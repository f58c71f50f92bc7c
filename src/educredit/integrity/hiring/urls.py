"""Workspace routes of 入职查询 (mounted under /integrity/hiring/)."""

from django.urls import path

from educredit.integrity.hiring import views

app_name = "integrity_hiring"

urlpatterns = [
    path("", views.check_list, name="list"),
    path("new/", views.check_new, name="new"),
    path("recheck/", views.recheck_list, name="recheck"),
    path("<uuid:hiring_check_id>/", views.check_detail, name="detail"),
    path("<uuid:hiring_check_id>/statutory/", views.check_statutory, name="statutory"),
    path("<uuid:hiring_check_id>/attachment/", views.check_attachment, name="attachment"),
]
