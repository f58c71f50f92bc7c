from django.urls import path, re_path

from educredit.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("query/", views.query, name="query"),
    path("query/person/", views.person_lookup, name="person_lookup"),
    path("institutions/<uuid:public_id>/", views.institution, name="institution"),
    path("lists/", views.lists, name="lists"),
    re_path(
        r"^lists/open-data\.(?P<fmt>csv|json|xlsx)$", views.lists_open_data, name="lists_open_data"
    ),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("disclosure/<uuid:record_id>/", views.disclosure_detail, name="disclosure_detail"),
    re_path(
        r"^disclosure/export\.(?P<fmt>csv|xlsx)$",
        views.disclosure_export,
        name="disclosure_export",
    ),
]
