from django.urls import include, path

app_name = "disclosure"
urlpatterns = [
    path("import/", include("educredit.disclosure.import_urls")),
]
