"""Credit reports (信用报告): what a report says, issuing it, and checking it on the portal.

A report's content is a canonical JSON document built once at issue: the subject (identity
number masked), the records that are public or shareable on the day, the lists the subject is
on, the measures in force and the query history. It is stored with its SHA-256 and the issued
PDF's SHA-256; the audit entry of the issue repeats both digests, so the portal check
(``credit_report_verify``) recomputes the content's digest and compares it with the stored one
and with the audit entry's — a change to the row alone is caught. ADR 0030.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from educredit.accounts.models import User
from educredit.audit.canonical import digest
from educredit.audit.models import AuditEntry
from educredit.audit.services import audit_append, target_type_of
from educredit.catalog.choices import SharingAttribute
from educredit.core import clock
from educredit.records.choices import CreditRecordStatus, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.windows import public_q
from educredit.rights.choices import AuthorisationStatus, ReportRequester
from educredit.rights.models import Authorisation, CreditReport, SubjectAccount
from educredit.rights.query_history import query_history_for
from educredit.rights.self_service import new_code, subject_of
from educredit.sanctions.selectors import restrictions_for, scenarios
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.models import Institution, Person
from educredit.subjects.query_log import query_log_write

# Henan §40: a subject may obtain its own credit report free of charge twice a calendar year.
FREE_REPORTS_PER_YEAR = 2
ISSUE_ACTION = "rights.credit_report_issue"
# Bumped when the content's shape changes, so an old report is still read as it was issued.
CONTENT_VERSION = 1
# Statuses whose records may be shared (a repaired, revoked or expired record stops being
# shared: 2025 办法 §3 "停止共享和使用", Henan §42); drafts and submissions never appear.
SHAREABLE_STATUSES = (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION)
SHAREABLE_ATTRIBUTES = (SharingAttribute.UNCONDITIONAL, SharingAttribute.CONDITIONAL)
# The page each kind of request is made from, for the query log.
_ROUTES = {
    ReportRequester.SELF: "self_service:report_list",
    ReportRequester.AUTHORISED: "rights_public:report_authorised",
}
_CODE_CHARS = re.compile(r"[^0-9A-Z]")
_DIGESTS = re.compile(r"content_sha256=([0-9a-f]{64}) pdf_sha256=([0-9a-f]{64})")


def _subject_kwargs(person: Person | None, institution: Institution | None) -> dict[str, Any]:
    if (person is None) == (institution is None):
        raise ValidationError(_("请指定一个信用主体"))
    return {"person": person} if person is not None else {"institution": institution}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _subject_part(person: Person | None, institution: Institution) -> dict[str, Any]:
    if person is not None:
        return {
            "type": "person",
            "name": person.name,
            "id_label": "证件号码",
            # Only the mask is ever stored in clear; the report never carries the number.
            "id_masked": person.id_number_masked,
        }
    return {
        "type": "institution",
        "name": institution.name,
        # A USCC is itself public (it is printed on the business licence).
        "id_label": "统一社会信用代码",
        "id_masked": institution.uscc or "",
    }


def _records_part(subject: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    rows = (
        # Never a record made while the person was a minor: a report is shown to third parties.
        CreditRecord.objects.filter(
            **subject, status__in=SHAREABLE_STATUSES, made_while_minor=False
        )
        .filter(public_q(as_of) | Q(catalog_item__sharing__in=SHAREABLE_ATTRIBUTES))
        .select_related("catalog_item")
        .order_by("-decision_date", "public_id")
    )
    return [
        {
            "item": record.catalog_item.name,
            "category": str(record.catalog_item.get_category_display()),
            "severity": str(record.get_severity_display()),
            "title": record.title,
            "decision_number": record.decision_number,
            "issuing_body": record.issuing_body,
            "decision_date": _day(record.decision_date),
            "status": str(record.get_status_display()),
            "public": bool(
                record.public_from is not None
                and record.public_from <= as_of
                and (record.public_until is None or record.public_until > as_of)
            ),
            "sharing": str(record.catalog_item.get_sharing_display()),
            "public_until": _day(record.public_until),
        }
        for record in rows
    ]


def _lists_part(subject: dict[str, Any], as_of: dt.date) -> list[dict[str, Any]]:
    rows = (
        CreditListEntry.objects.filter(
            **subject, status=ListEntryStatus.LISTED, listed_on__lte=as_of
        )
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=as_of))
        .select_related("organisation")
        .order_by("-listed_on", "public_id")
    )
    return [
        {
            "list": str(entry.get_kind_display()),
            "reason": entry.reason,
            "listed_on": _day(entry.listed_on),
            "valid_until": _day(entry.valid_until),
            "organisation": entry.organisation.name,
        }
        for entry in rows
    ]


def _measures_part(subject_obj: Institution | Person, as_of: dt.date) -> list[dict[str, Any]]:
    rows = restrictions_for(subject_obj, as_of=as_of, with_basis=False)
    names = dict(scenarios().values_list("code", "name")) if rows else {}
    return [
        {
            "matter": row.measure.matter,
            "verdict": str(row.get_verdict_display()),
            "scenario": names.get(row.scenario, row.scenario),
            "implementer": row.measure.implementer,
            "starts_on": _day(row.starts_on),
            "ends_on": _day(row.ends_on),
        }
        for row in rows
    ]


def _queries_part(person: Person | None, institution: Institution | None) -> list[dict[str, Any]]:
    return [
        {
            "at": timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M"),
            "organisation": row.organisation,
            "who": row.who,
            "mode": row.mode,
            "kind": row.kind,
            "purpose": row.purpose,
        }
        for row in query_history_for(person=person, institution=institution, limit=100)
    ]


def report_content(
    *, person: Person | None = None, institution: Institution | None = None, as_of: dt.date
) -> dict[str, Any]:
    """The canonical, JSON-able content of a subject's credit report on ``as_of``."""
    subject = _subject_kwargs(person, institution)
    subject_obj: Institution | Person = person if person is not None else institution  # type: ignore[assignment]
    # The report is a Chinese document whatever language the requester browses in.
    with translation.override("zh-hans"):
        content: dict[str, Any] = {
            "version": CONTENT_VERSION,
            "as_of": as_of.isoformat(),
            "subject": _subject_part(person, subject_obj),  # type: ignore[arg-type]
            "records": _records_part(subject, as_of),
            "lists": _lists_part(subject, as_of),
            "measures": _measures_part(subject_obj, as_of),
            "queries": _queries_part(person, institution),
        }
    content["counts"] = {
        key: len(content[key]) for key in ("records", "lists", "measures", "queries")
    }
    return content


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of a report content's canonical JSON (``audit.canonical``)."""
    return digest(content)


def normalise_code(code: str) -> str:
    """A verification code as printed (``ABCD-EFGH-JKMN-PQRS``), from whatever was typed."""
    cleaned = _CODE_CHARS.sub("", code.upper())
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def next_free_report_on(year: int) -> dt.date:
    """When a subject who used this year's free reports may have the next one."""
    return dt.date(year + 1, 1, 1)


def free_reports_left(
    *, person: Person | None = None, institution: Institution | None = None, year: int
) -> int:
    """How many free self reports the subject may still have in ``year`` (Henan §40)."""
    used = CreditReport.objects.filter(
        **_subject_kwargs(person, institution),
        requester=ReportRequester.SELF,
        free_of_charge=True,
        issued_at__gte=_year_start(year),
        issued_at__lt=_year_start(year + 1),
    ).count()
    return max(FREE_REPORTS_PER_YEAR - used, 0)


def _year_start(year: int) -> dt.datetime:
    # Calendar years are Beijing's, like every date the platform shows.
    return dt.datetime(year, 1, 1, tzinfo=clock.BEIJING)


def _verify_base() -> str:
    return str(settings.EDUCREDIT_PUBLIC_URL).rstrip("/")


def _check_requester(
    *,
    actor: User | None,
    subject: dict[str, Any],
    requester: str,
    authorisation: Authorisation | None,
    purpose: str,
) -> None:
    if requester == ReportRequester.SELF:
        if actor is None or subject_of(actor).filter_kwargs() != subject:
            raise PermissionDenied(_("仅限信用主体本人使用"))
    elif requester == ReportRequester.STAFF:
        if actor is None or actor.organisation is None:
            raise PermissionDenied(_("无权操作"))
        model = Person if "person" in subject else Institution
        visible = model.objects.visible_to(actor).filter(pk=next(iter(subject.values())).pk)
        if not visible.exists():
            raise PermissionDenied(_("该主体不在您的管辖范围内"))
        if not purpose.strip():
            raise ValidationError({"purpose": _("请填写查询用途")})
    elif requester == ReportRequester.AUTHORISED:
        if (
            authorisation is None
            or authorisation.person_id != getattr(subject.get("person"), "pk", None)
            or authorisation.institution_id != getattr(subject.get("institution"), "pk", None)
            or authorisation.status != AuthorisationStatus.ACTIVE
        ):
            raise PermissionDenied(_("授权无效"))
    else:
        raise ValidationError(_("未知的申请方"))


def _lock_free_quota(subject: dict[str, Any], year: int) -> None:
    """Refuse a third free self report in the year; the account row serialises two at once."""
    list(SubjectAccount.objects.select_for_update().filter(**subject))
    if free_reports_left(**subject, year=year) <= 0:
        raise ValidationError(
            _("本年度 %(n)s 份免费信用报告已用完，下一份免费报告可于 %(date)s 起申请")
            % {"n": FREE_REPORTS_PER_YEAR, "date": next_free_report_on(year).isoformat()}
        )


def credit_document_store(
    *,
    content: dict[str, Any],
    issued_at: dt.datetime,
    actor: User | str,
    verify_base: str = "",
    template: str = "rights/report_pdf.html",
    running_title: str = "",
    **fields: Any,
) -> CreditReport:
    """Render ``content`` as a PDF under a new verification code, keep both with their digests
    as a ``CreditReport`` (``fields`` say whose and for whom) and audit the issue with both
    digests: what every document checked at /verify/ shares (reports, public overviews)."""
    # Imported here: rendering loads WeasyPrint, which pages that never issue do not need.
    from educredit.rights.report_pdf import render_report_pdf

    content_sha256 = content_digest(content)
    code = new_code(groups=4)
    while CreditReport.objects.filter(verification_code=code).exists():
        code = new_code(groups=4)
    base = (verify_base or _verify_base()).rstrip("/")
    pdf = render_report_pdf(
        content=content,
        verification_code=code,
        issued_at=issued_at,
        verify_url=f"{base}/verify/{code}/",
        content_sha256=content_sha256,
        template=template,
        running_title=running_title,
    )
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report = CreditReport(
        verification_code=code,
        content=content,
        content_sha256=content_sha256,
        pdf_sha256=pdf_sha256,
        issued_at=issued_at,
        **fields,
    )
    report.pdf.save(f"{report.public_id}.pdf", ContentFile(pdf), save=False)
    report.save()
    audit_append(
        actor=actor,
        action=ISSUE_ACTION,
        target=report,
        before=None,
        reason=f"content_sha256={content_sha256} pdf_sha256={pdf_sha256}",
    )
    return report


@transaction.atomic
def credit_report_issue(
    *,
    actor: User | None,
    person: Person | None = None,
    institution: Institution | None = None,
    requester: str = ReportRequester.SELF,
    authorisation: Authorisation | None = None,
    purpose: str = "",
    verify_base: str = "",
) -> CreditReport:
    """Issue a credit report: build its content, render and keep the PDF, audit both digests
    and log the read (kind REPORT). ``verify_base`` is the portal's address for the QR code."""
    subject = _subject_kwargs(person, institution)
    _check_requester(
        actor=actor,
        subject=subject,
        requester=requester,
        authorisation=authorisation,
        purpose=purpose,
    )
    now = clock.now()
    today = clock.today()
    if requester == ReportRequester.SELF:
        _lock_free_quota(subject, today.year)
        purpose = purpose.strip() or "本人查询"
    elif authorisation is not None:
        purpose = purpose.strip() or authorisation.purpose
    content = report_content(**subject, as_of=today)
    report = credit_document_store(
        content=content,
        issued_at=now,
        actor=actor if actor is not None else f"authorised:{authorisation.grantee_name}"[:120],  # type: ignore[union-attr]
        verify_base=verify_base,
        **subject,
        requester=requester,
        requested_by=actor,
        authorisation=authorisation,
        purpose=purpose[:300],
        free_of_charge=requester == ReportRequester.SELF,
    )
    mode = {
        ReportRequester.SELF: QueryMode.SELF,
        ReportRequester.AUTHORISED: QueryMode.AUTHORISED,
        ReportRequester.STAFF: QueryMode.GOVERNMENT,
    }[ReportRequester(requester)]
    query_log_write(
        reader=actor,
        purpose=purpose,
        mode=mode,
        kind=QueryKind.REPORT,
        fields=("records", "lists", "measures", "queries"),
        route=_ROUTES[ReportRequester(requester)]
        if requester != ReportRequester.STAFF
        else f"rights:{next(iter(subject))}_report_issue",
        persons=[person] if person is not None else [],
        institutions=[institution] if institution is not None else [],
        requester_name=authorisation.grantee_name if authorisation is not None else "",
    )
    return report


# --- selectors ----------------------------------------------------------------------------


def credit_reports_of_subject(
    *, person: Person | None = None, institution: Institution | None = None
) -> QuerySet[CreditReport]:
    """A subject's reports, newest first."""
    if (person is None) == (institution is None):
        return CreditReport.objects.none()
    return CreditReport.objects.filter(**_subject_kwargs(person, institution)).order_by(
        "-issued_at", "-pk"
    )


def credit_report_by_code(code: str) -> CreditReport | None:
    """The report with this verification code (as typed), if any."""
    normalised = normalise_code(code)
    if len(normalised) != 19:
        return None
    return (
        CreditReport.objects.filter(verification_code=normalised)
        .select_related("person", "institution")
        .first()
    )


@dataclass(frozen=True)
class ReportCheck:
    """What the portal says about a report: intact or not, and whether a file matches it."""

    report: CreditReport
    content_intact: bool
    audit_agrees: bool
    pdf_matches: bool | None

    @property
    def intact(self) -> bool:
        return self.content_intact and self.audit_agrees


def credit_report_verify(*, report: CreditReport, pdf_sha256: str | None = None) -> ReportCheck:
    """Recompute the report's digest and compare it with the stored one and the audit entry's;
    compare an uploaded file's SHA-256 (hex) with the issued PDF's."""
    content_intact = content_digest(report.content) == report.content_sha256
    entry = (
        AuditEntry.objects.filter(
            action=ISSUE_ACTION, target_type=target_type_of(report), target_id=str(report.pk)
        )
        .order_by("id")
        .first()
    )
    found = _DIGESTS.search(entry.reason) if entry is not None else None
    audit_agrees = bool(
        found and found.group(1) == report.content_sha256 and found.group(2) == report.pdf_sha256
    )
    pdf_matches = None if pdf_sha256 is None else pdf_sha256 == report.pdf_sha256
    return ReportCheck(
        report=report,
        content_intact=content_intact,
        audit_agrees=audit_agrees,
        pdf_matches=pdf_matches,
    )
