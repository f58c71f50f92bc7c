"""Workspace routes of 诚信案件 (mounted under /integrity/cases/)."""

from django.urls import URLPattern, path

from educredit.integrity.cases import views

app_name = "integrity_cases"

urlpatterns: list[URLPattern] = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/step/", views.case_step, name="step"),
    path("notices/<uuid:case_notice_id>/", views.notice_detail, name="notice"),
    path("people/<uuid:person_id>/clock/", views.person_clock, name="clock"),
    path(
        "qualification-restrictions/",
        views.qualification_restrictions,
        name="qualification_restrictions",
    ),
]
