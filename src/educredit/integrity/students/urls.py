"""Workspace routes of 学生诚信 (mounted under /integrity/students/)."""

from django.urls import URLPattern, path

from educredit.integrity.students import views

app_name = "integrity_students"

urlpatterns: list[URLPattern] = [
    path("", views.contract_list, name="contracts"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<uuid:contract_id>/", views.contract_detail, name="contract"),
    path(
        "contracts/<uuid:contract_id>/status/",
        views.contract_transition,
        name="contract_transition",
    ),
    path("contracts/<uuid:contract_id>/breach/", views.contract_breach, name="contract_breach"),
    path("contracts/<uuid:contract_id>/breach/paid/", views.breach_paid, name="breach_paid"),
    path(
        "contracts/<uuid:contract_id>/confirmations/new/",
        views.confirmation_create,
        name="confirmation_create",
    ),
    path("confirmations/", views.confirmation_tasks, name="tasks"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path(
        "activities/<uuid:education_activity_id>/attachment/",
        views.activity_attachment,
        name="activity_attachment",
    ),
]
