"""An institution's public credit overview (公开信用概况, ADR 0036): what the portal publishes
about it, as a PDF anyone may download from its portal page, issued like a credit report.

The content is what the portal's institution page shows on the day — its records inside their
public window (the 双公示 published fields or the catalog's public fields, identity numbers
masked) and its public list entries — read through ``portal.selectors``, the one definition of
what is public, so the file cannot say more than the page. Nothing about people: only the
institution's own records, never those of its staff or students.

It is stored and audited like a credit report (``CreditReport`` with requester 公众, the same
``rights.credit_report_issue`` audit action carrying both digests), so ``/verify/<code>/``
checks it with ``credit_report_verify`` unchanged. A second request for the same institution on
the same Beijing day, with the same content, gets the overview already issued (same code,
same file) rather than a new row: anonymous downloads cannot grow the store beyond one
overview per institution per change per day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import translation

from educredit.core import clock
from educredit.portal import selectors as public
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.rights.choices import ReportRequester
from educredit.rights.models import CreditReport
from educredit.rights.reports import content_digest, credit_document_store
from educredit.subjects.models import Institution
from educredit.subjects.regions import region_name

OVERVIEW_KIND = "public_overview"
# Bumped when the content's shape changes, so an old overview is still read as it was issued.
OVERVIEW_VERSION = 1
# Who the audit entry names as the actor of an anonymous download.
PUBLIC_ACTOR = "public:portal"


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _record_part(record: CreditRecord) -> dict[str, Any]:
    national = public.record_national_fields(record)
    fields = national if national is not None else public.record_public_fields(record)
    last_day = record.public_until - dt.timedelta(days=1) if record.public_until else None
    return {
        "item": record.catalog_item.name,
        "severity": str(record.get_severity_display()),
        "title": public.mask_identity_numbers(record.title),
        "issuing_body": record.issuing_body,
        "decision_number": record.decision_number,
        "decision_date": _day(record.decision_date),
        "status": str(record.get_status_display()),
        # The stored window is half-open: the last day shown is the day before its end.
        "public_until": _day(last_day),
        "window_rule": record.window_rule_text,
        "national": national is not None,
        "fields": [[field.label, field.value] for field in fields],
    }


def _entry_part(entry: CreditListEntry) -> dict[str, Any]:
    return {
        "list": str(entry.get_kind_display()),
        "reason": public.mask_identity_numbers(entry.reason),
        "listed_on": _day(entry.listed_on),
        "valid_until": _day(entry.valid_until),
    }


def overview_content(institution: Institution, as_of: dt.date) -> dict[str, Any]:
    """The canonical, JSON-able content of the institution's public overview on ``as_of``."""
    # A Chinese document whatever language the visitor browses in, like the credit report.
    with translation.override("zh-hans"):
        records = [
            _record_part(record) for record in public.institution_public_records(institution, as_of)
        ]
        entries = [
            _entry_part(entry)
            for entry in public.subject_public_list_entries(as_of, institution=institution)
        ]
        kind = str(institution.get_kind_display())
        subject = {
            "type": "institution",
            "name": institution.name,
            "id_label": "统一社会信用代码",
            "id_masked": institution.uscc or "",
            "kind": kind,
            "region": region_name(institution.region_code or ""),
        }
    return {
        "version": OVERVIEW_VERSION,
        "kind": OVERVIEW_KIND,
        "as_of": as_of.isoformat(),
        "subject": subject,
        "records": records,
        "lists": entries,
        "counts": {"records": len(records), "lists": len(entries)},
    }


def is_overview(report: CreditReport) -> bool:
    """Whether a stored report is a public overview (not a credit report)."""
    return isinstance(report.content, dict) and report.content.get("kind") == OVERVIEW_KIND


@transaction.atomic
def public_overview_issue(*, institution: Institution, verify_base: str = "") -> CreditReport:
    """Issue (or, same day and content, hand back) the institution's public credit overview:
    content and PDF stored with their digests, the issue audited like a credit report's."""
    now = clock.now()
    today = clock.today()
    content = overview_content(institution, today)
    content_sha256 = content_digest(content)
    day_start = dt.datetime.combine(today, dt.time.min, tzinfo=clock.BEIJING)
    issued = (
        CreditReport.objects.filter(
            institution=institution,
            requester=ReportRequester.PUBLIC,
            content_sha256=content_sha256,
            issued_at__gte=day_start,
        )
        .order_by("issued_at", "pk")
        .first()
    )
    if issued is not None:
        return issued
    return credit_document_store(
        content=content,
        issued_at=now,
        actor=PUBLIC_ACTOR,
        verify_base=verify_base,
        template="rights/public_overview_pdf.html",
        running_title="公开信用概况",
        institution=institution,
        requester=ReportRequester.PUBLIC,
        purpose="公开信用概况",
        free_of_charge=True,
    )
