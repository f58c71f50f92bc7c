"""URLs of the credit lists and the credit archive (included by ``records/urls.py``)."""

from django.urls import path

from educredit.records import list_views as views

urlpatterns = [
    path("", views.list_entry_list, name="list_entry_list"),
    path("new/", views.list_entry_propose, name="list_entry_propose"),
    path("red-candidates/", views.red_list_candidates, name="red_list_candidates"),
    path("<uuid:entry_id>/", views.list_entry_detail, name="list_entry_detail"),
    path("<uuid:entry_id>/confirm/", views.list_entry_confirm, name="list_entry_confirm"),
    path("<uuid:entry_id>/withdraw/", views.list_entry_withdraw, name="list_entry_withdraw"),
    path("<uuid:entry_id>/exit/", views.list_entry_exit, name="list_entry_exit"),
    path(
        "<uuid:entry_id>/responsible/",
        views.list_entry_link_responsible,
        name="list_entry_link_responsible",
    ),
    path(
        "archive/institutions/<uuid:institution_id>/",
        views.institution_archive,
        name="institution_archive",
    ),
    path("archive/people/<uuid:person_id>/", views.person_archive, name="person_archive"),
]
