"""The commitments' staff pages (mounted under ``/commitments/``)."""

from django.urls import URLPattern, path

from educredit.commitments import figures_views, staff_views
from educredit.commitments.checks import views as check_views

app_name = "commitments"

urlpatterns: list[URLPattern] = [
    path("", staff_views.commitment_list, name="list"),
    path("<uuid:commitment_id>/", staff_views.commitment_detail, name="detail"),
    path("<uuid:commitment_id>/scan/", staff_views.commitment_scan, name="scan"),
    path("<uuid:commitment_id>/accept/", staff_views.commitment_accept_view, name="accept"),
    path("<uuid:commitment_id>/decide/", staff_views.commitment_decide_view, name="decide"),
    path("checks/", check_views.task_list, name="tasks"),
    path("checks/draws/<uuid:draw_id>/", check_views.draw_detail, name="draw"),
    path("figures/", figures_views.figures, name="figures"),
    path("figures/export.xlsx", figures_views.figures_export, name="figures_export"),
]
