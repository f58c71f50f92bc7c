"""Routes of the query pages: staff (/rights/), self-service (/self/), public (/verify/).

Objects are named in POST bodies, not URLs, so no route here takes an object id."""

from django.urls import URLPattern, path

from educredit.rights import query_views

staff_patterns: list[URLPattern] = [
    path("purpose/", query_views.query_purpose, name="query_purpose"),
    path("approvals/", query_views.approval_list, name="approval_list"),
    path("approvals/request/", query_views.approval_request, name="approval_request"),
    path("approvals/decide/", query_views.approval_decide, name="approval_decide"),
    path("alerts/", query_views.alert_list, name="alert_list"),
    path("alerts/close/", query_views.alert_close, name="alert_close"),
]
self_patterns: list[URLPattern] = [
    path("queries/", query_views.query_history, name="query_history"),
    path("authorisations/", query_views.authorisation_list, name="authorisation_list"),
    path(
        "authorisations/revoke/",
        query_views.authorisation_revoke,
        name="authorisation_revoke",
    ),
]
public_patterns: list[URLPattern] = []
