from django.urls import path

from educredit.web import stopped_jobs, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/stopped/", stopped_jobs.stopped_jobs, name="stopped_jobs"),
]
