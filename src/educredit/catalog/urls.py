from django.urls import path

from educredit.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.version_list, name="version_list"),
    path("version/", views.version_detail, name="version_detail"),
    path("version/export.xlsx", views.version_export, name="version_export"),
    path("version/new/", views.version_create, name="version_create"),
    path("version/import/", views.version_import, name="version_import"),
    path("version/publish/", views.version_publish, name="version_publish"),
    path("item/", views.item_detail, name="item_detail"),
    path("item/edit/", views.item_edit, name="item_edit"),
]
