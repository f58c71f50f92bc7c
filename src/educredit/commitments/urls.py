"""The commitments' staff pages (mounted under ``/commitments/``)."""

from django.urls import URLPattern, path

from educredit.commitments import figures_views

app_name = "commitments"

urlpatterns: list[URLPattern] = [
    path("figures/", figures_views.figures, name="figures"),
    path("figures/export.xlsx", figures_views.figures_export, name="figures_export"),
]
