"""Routes of the objection pages: staff (/rights/), self-service (/self/), public (/verify/)."""

from django.urls import URLPattern, path

from educredit.rights import objection_views as views

staff_patterns: list[URLPattern] = [
    path("objections/", views.objection_queue, name="objection_queue"),
    path("objections/new/", views.objection_create, name="objection_create"),
    path("objections/<uuid:objection_id>/", views.objection_detail, name="objection_detail"),
    path(
        "objections/<uuid:objection_id>/act/",
        views.objection_act,
        name="objection_act",
    ),
    path(
        "objections/<uuid:objection_id>/files/<uuid:attachment_id>/",
        views.objection_evidence,
        name="objection_evidence",
    ),
]
self_patterns: list[URLPattern] = [
    path("objections/", views.self_objection_list, name="objection_list"),
    path("objections/new/", views.self_objection_create, name="objection_create"),
    path(
        "objections/<uuid:objection_id>/",
        views.self_objection_detail,
        name="objection_detail",
    ),
]
public_patterns: list[URLPattern] = []
