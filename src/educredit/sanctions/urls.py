from django.urls import path

from educredit.sanctions import bulk_views, loop_views, views

app_name = "sanctions"
urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("export.xlsx", views.measure_export, name="measure_export"),
    path("draft/", views.version_draft, name="version_draft"),
    path("measure/edit/", views.measure_edit, name="measure_edit"),
    path("publish/", views.version_publish, name="version_publish"),
    path("loop/", loop_views.loop, name="loop"),
    path("loop/export.xlsx", loop_views.loop_export, name="loop_export"),
    path("bulk-checks/", bulk_views.bulk_check_start, name="bulk_check_start"),
    path(
        "bulk-checks/<uuid:bulk_check_id>/",
        bulk_views.bulk_check_detail,
        name="bulk_check_detail",
    ),
    path(
        "bulk-checks/<uuid:bulk_check_id>/result.csv",
        bulk_views.bulk_check_result,
        name="bulk_check_result",
    ),
]
