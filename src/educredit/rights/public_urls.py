"""Public pages of subjects' rights (/verify/): checking a credit report, authorised queries."""

from educredit.rights import objection_urls, query_urls, repair_urls, report_urls

app_name = "rights_public"

urlpatterns = [
    *objection_urls.public_patterns,
    *repair_urls.public_patterns,
    *query_urls.public_patterns,
    *report_urls.public_patterns,
]
