from django.urls import path

from educredit.subjects import views

app_name = "subjects"
urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path(
        "institutions/<uuid:institution_id>/",
        views.institution_detail,
        name="institution_detail",
    ),
    path(
        "institutions/<uuid:institution_id>/aliases/",
        views.institution_aliases,
        name="institution_aliases",
    ),
    path("people/", views.person_list, name="person_list"),
    path("people/lookup/", views.person_lookup, name="person_lookup"),
    path("people/<uuid:person_id>/", views.person_detail, name="person_detail"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/<uuid:run_id>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:run_id>/progress/", views.import_progress, name="import_progress"),
    path(
        "imports/<uuid:run_id>/errors.xlsx", views.import_error_report, name="import_error_report"
    ),
    path("reviews/", views.review_list, name="review_list"),
    path(
        "reviews/<uuid:discrepancy_id>/resolve/",
        views.review_resolve,
        name="review_resolve",
    ),
]
