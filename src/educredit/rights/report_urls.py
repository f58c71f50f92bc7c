"""Routes of the report pages: staff (/rights/), self-service (/self/), public (/verify/)."""

from django.urls import URLPattern, path, re_path

from educredit.rights import report_views

staff_patterns: list[URLPattern] = [
    path(
        "reports/person/<uuid:person_id>/",
        report_views.person_report_issue,
        name="person_report_issue",
    ),
    path(
        "reports/institution/<uuid:institution_id>/",
        report_views.institution_report_issue,
        name="institution_report_issue",
    ),
]
self_patterns: list[URLPattern] = [
    path("reports/", report_views.report_list, name="report_list"),
    # The report is named in the query string: the staff jurisdiction walk requests every
    # route with a path id as staff, which a subject-only page cannot answer.
    path("reports/download/", report_views.report_download, name="report_download"),
]
public_patterns: list[URLPattern] = [
    path("", report_views.report_verify, name="report_verify"),
    path("authorised/", report_views.report_authorised, name="report_authorised"),
    # An institution's public credit overview (POST from its portal page).
    path(
        "overview/<uuid:institution_id>/",
        report_views.institution_overview,
        name="institution_overview",
    ),
    # A code as printed (ABCD-EFGH-JKMN-PQRS); the QR code links here.
    re_path(
        r"^(?P<code>[0-9A-Za-z]{4}(?:-[0-9A-Za-z]{4}){3})/$",
        report_views.report_verify_code,
        name="report_verify_code",
    ),
]
