"""Workspace routes of 师德考核 (mounted under /integrity/appraisals/)."""

from django.urls import path

from educredit.integrity.appraisal import views

app_name = "integrity_appraisal"

urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("new/", views.appraisal_enter, name="enter"),
    path("review/", views.review_queue, name="review_queue"),
    path("import/", views.import_start, name="import_start"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<uuid:appraisal_import_id>/", views.import_detail, name="import_detail"),
    path("import/<uuid:appraisal_import_id>/errors/", views.import_errors, name="import_errors"),
    path("<uuid:appraisal_id>/", views.appraisal_detail, name="detail"),
    path("<uuid:appraisal_id>/edit/", views.appraisal_update, name="update"),
    path("<uuid:appraisal_id>/submit/", views.appraisal_submit, name="submit"),
    path("<uuid:appraisal_id>/approve/", views.appraisal_approve, name="approve"),
    path("<uuid:appraisal_id>/return/", views.appraisal_return, name="return"),
]
