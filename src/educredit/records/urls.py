from django.urls import include, path

from educredit.records import views

app_name = "records"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("new/", views.record_create, name="record_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.review_approve, name="review_approve"),
    path("lists/", include("educredit.records.list_urls")),
    path("import/", views.record_import, name="record_import"),
    path("import/errors.csv", views.record_import_report, name="record_import_report"),
    path("<uuid:credit_record_id>/", views.record_detail, name="record_detail"),
    path("<uuid:credit_record_id>/edit/", views.record_edit, name="record_edit"),
    path(
        "<uuid:credit_record_id>/transition/",
        views.record_transition,
        name="record_transition",
    ),
]
