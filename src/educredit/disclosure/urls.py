from django.urls import include, path

from educredit.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("import/", include("educredit.disclosure.import_urls")),
    path("entry/penalty/", views.entry_penalty, name="entry_penalty"),
    path("entry/licence/", views.entry_licence, name="entry_licence"),
    path(
        "entry/penalty/check/", views.entry_check, {"kind": "penalty"}, name="entry_check_penalty"
    ),
    path(
        "entry/licence/check/", views.entry_check, {"kind": "licence"}, name="entry_check_licence"
    ),
    path("quality/", views.quality, name="quality"),
    path("quality/export.xlsx", views.quality_export, name="quality_export"),
    path("quality/<uuid:org_id>/", views.quality_of, name="quality_of"),
    path("quality/<uuid:org_id>/export.xlsx", views.quality_of_export, name="quality_of_export"),
]
