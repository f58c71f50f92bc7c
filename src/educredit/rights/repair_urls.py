"""Routes of the repair pages: staff (/rights/), self-service (/self/), public (/verify/)."""

from django.urls import URLPattern, path

from educredit.rights import repair_views as views

staff_patterns: list[URLPattern] = [
    path("repairs/", views.repair_queue, name="repair_queue"),
    path("repairs/new/", views.repair_create_staff, name="repair_create"),
    path("repairs/<uuid:repair_id>/", views.repair_staff_detail, name="repair_staff_detail"),
    path(
        "repairs/<uuid:repair_id>/materials/<uuid:attachment_id>/",
        views.repair_material_staff,
        name="repair_material",
    ),
    # One route per decision: the action is a fixed argument, not a URL kwarg.
    *(
        path(
            f"repairs/<uuid:repair_id>/{action}/",
            views.repair_decide,
            {"action": action},
            name=f"repair_{action}",
        )
        for action in ("accept", "grant", "refuse", "breach")
    ),
]
self_patterns: list[URLPattern] = [
    path("repairs/", views.repair_list, name="repair_list"),
    path("repairs/new/", views.repair_create, name="repair_create"),
    path("repairs/<uuid:repair_id>/", views.repair_detail, name="repair_detail"),
    path("repairs/<uuid:repair_id>/withdraw/", views.repair_withdraw_view, name="repair_withdraw"),
    path(
        "repairs/<uuid:repair_id>/materials/<uuid:attachment_id>/",
        views.repair_material_self,
        name="repair_material",
    ),
]
public_patterns: list[URLPattern] = []
