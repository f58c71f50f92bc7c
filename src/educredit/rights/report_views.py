"""Credit report pages: the subject's reports (self-service), a report issued by staff for a
subject they see, and on the portal the public check of a report and the authorised
third party's download."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from educredit.accounts.permissions import access_public, access_staff, access_subject
from educredit.accounts.signin import client_ip
from educredit.core import clock
from educredit.portal import selectors as portal_selectors
from educredit.portal.services import rate_limit_hit
from educredit.rights.choices import ReportRequester
from educredit.rights.models import CreditReport
from educredit.rights.public_overview import public_overview_issue
from educredit.rights.reports import (
    FREE_REPORTS_PER_YEAR,
    credit_report_by_code,
    credit_report_issue,
    credit_report_verify,
    credit_reports_of_subject,
    free_reports_left,
    next_free_report_on,
)
from educredit.rights.self_service import self_read_log, subject_of
from educredit.subjects import selectors as subject_selectors
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.models import Institution, Person
from educredit.subjects.query_log import query_log_write

# Portal rate-limit buckets (portal.services.RATE_LIMITS).
VERIFY_BUCKET = "report_verify"
AUTHORISED_BUCKET = "report_authorised"
OVERVIEW_BUCKET = "public_overview"


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _pdf_response(report: CreditReport) -> FileResponse:
    report.pdf.open("rb")
    return FileResponse(
        report.pdf,
        as_attachment=True,
        filename=f"credit-report-{report.verification_code}.pdf",
        content_type="application/pdf",
    )


def _verify_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "portal/429.html",
        {"retry_after_minutes": 1, "layout": "portal/base_portal.html"},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


# --- self-service -------------------------------------------------------------------------


@access_subject
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    """The subject's reports, the free ones left this year, and a button to issue one."""
    subject = subject_of(request.user)
    year = clock.today().year
    if request.method == "POST":
        try:
            credit_report_issue(
                actor=request.user,  # type: ignore[arg-type]
                **subject.filter_kwargs(),
                requester=ReportRequester.SELF,
                verify_base=_verify_base(request),
            )
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("信用报告已出具，可下载 PDF。"))
        return redirect("self_service:report_list")
    return render(
        request,
        "rights/report_list.html",
        {
            "subject": subject,
            "reports": credit_reports_of_subject(**subject.filter_kwargs())[:50],
            "free_left": free_reports_left(**subject.filter_kwargs(), year=year),
            "free_per_year": FREE_REPORTS_PER_YEAR,
            "next_free_on": next_free_report_on(year),
        },
    )


@access_subject
@require_http_methods(["GET"])
def report_download(request: HttpRequest) -> FileResponse:
    """One of the subject's own reports (``?report=<public id>``), as issued; someone else's
    is a 404."""
    subject = subject_of(request.user)
    try:
        public_id = uuid.UUID(request.GET.get("report", ""))
    except ValueError as exc:
        raise Http404 from exc
    report = get_object_or_404(
        credit_reports_of_subject(**subject.filter_kwargs()), public_id=public_id
    )
    self_read_log(
        request.user,
        subject,
        purpose="本人下载信用报告",
        kind=QueryKind.REPORT,
        fields=("report",),
        route="self_service:report_download",
    )
    return _pdf_response(report)


# --- staff --------------------------------------------------------------------------------


class StaffReportForm(forms.Form):
    """Why staff need the subject's report (logged and shown in the subject's history)."""

    purpose = forms.CharField(label=gettext_lazy("查询用途"), max_length=300)


def _staff_issue(
    request: HttpRequest, *, person: Person | None, institution: Institution | None
) -> HttpResponseBase:
    form = StaffReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = credit_report_issue(
                actor=request.user,  # type: ignore[arg-type]
                person=person,
                institution=institution,
                requester=ReportRequester.STAFF,
                purpose=form.cleaned_data["purpose"],
                verify_base=_verify_base(request),
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error(None, _message(exc))
        else:
            return _pdf_response(report)
    return render(
        request,
        "rights/report_staff_issue.html",
        {"subject": person or institution, "form": form},
    )


@access_staff()
@require_http_methods(["GET", "POST"])
def person_report_issue(request: HttpRequest, person_id: str) -> HttpResponseBase:
    """Issue a person's credit report for a stated purpose (staff who see the person)."""
    person = subject_selectors.access_person_for_user(request.user, person_id)
    return _staff_issue(request, person=person, institution=None)


@access_staff()
@require_http_methods(["GET", "POST"])
def institution_report_issue(request: HttpRequest, institution_id: str) -> HttpResponseBase:
    """Issue an institution's credit report for a stated purpose."""
    institution = subject_selectors.access_institution_for_user(request.user, institution_id)
    return _staff_issue(request, person=None, institution=institution)


# --- portal -------------------------------------------------------------------------------


class VerifyForm(forms.Form):
    """A report's verification code, and optionally the PDF file to compare."""

    code = forms.CharField(label=gettext_lazy("验证码"), max_length=30)
    pdf = forms.FileField(label=gettext_lazy("报告文件（可选）"), required=False)


def _sha256_of_upload(upload: Any) -> str:
    hasher = hashlib.sha256()
    for chunk in upload.chunks():
        hasher.update(chunk)
    return hasher.hexdigest()


def _verify(request: HttpRequest, code: str) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None, initial={"code": code})
    context: dict[str, Any] = {"form": form, "searched": False}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "rights/report_verify.html", context)
        code = form.cleaned_data["code"]
    if not code:
        return render(request, "rights/report_verify.html", context)
    if rate_limit_hit(bucket=VERIFY_BUCKET, ip=client_ip(request)):
        return _too_many(request)
    report = credit_report_by_code(code)
    context["searched"] = True
    if report is not None:
        upload = form.cleaned_data.get("pdf") if form.is_bound else None
        context["check"] = credit_report_verify(
            report=report,
            pdf_sha256=_sha256_of_upload(upload) if upload is not None else None,
        )
        query_log_write(
            reader=None,
            purpose="信用报告核验",
            mode=QueryMode.PUBLIC,
            kind=QueryKind.VIEW,
            fields=("report_summary",),
            route="rights_public:report_verify",
            persons=[report.person] if report.person else [],
            institutions=[report.institution] if report.institution else [],
            requester_name="门户核验",
        )
    return render(request, "rights/report_verify.html", context)


@access_public
@require_http_methods(["GET", "POST"])
def report_verify(request: HttpRequest) -> HttpResponse:
    """Check a credit report on the portal by its verification code (and optionally its file)."""
    return _verify(request, "")


@access_public
@require_http_methods(["GET", "POST"])
def report_verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code's link: the check of one report."""
    return _verify(request, code)


@access_public
@require_http_methods(["GET", "POST"])
def institution_overview(request: HttpRequest, institution_id: str) -> HttpResponseBase:
    """An institution's public credit overview (公开信用概况) as a PDF with a verification code
    (POST, from its portal page; a GET goes back to the page). Rate-limited per address."""
    institution = portal_selectors.institution_public(institution_id)
    if institution is None:
        raise Http404
    if request.method != "POST":
        return redirect("portal:institution", public_id=institution.public_id)
    if rate_limit_hit(bucket=OVERVIEW_BUCKET, ip=client_ip(request)):
        return _too_many(request)
    report = public_overview_issue(institution=institution, verify_base=_verify_base(request))
    report.pdf.open("rb")
    return FileResponse(
        report.pdf,
        as_attachment=True,
        filename=f"public-credit-overview-{report.verification_code}.pdf",
        content_type="application/pdf",
    )


class AuthorisedForm(forms.Form):
    """What a third party holding an authorisation code types to obtain the subject's report."""

    code = forms.CharField(label=gettext_lazy("授权码"), max_length=30)
    grantee_name = forms.CharField(label=gettext_lazy("被授权方名称"), max_length=200)
    subject_name = forms.CharField(label=gettext_lazy("信用主体名称或姓名"), max_length=200)


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


@access_public
@require_http_methods(["GET", "POST"])
def report_authorised(request: HttpRequest) -> HttpResponseBase:
    """An authorised third party obtains the subject's credit report with the code it was given."""
    form = AuthorisedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limit_hit(bucket=AUTHORISED_BUCKET, ip=client_ip(request)):
            return _too_many(request)
        # Imported here: the authorisations module is its own capability.
        from educredit.rights.authorisations import authorisation_redeem

        data = form.cleaned_data
        refused = _("授权码、被授权方或信用主体不符")
        try:
            with transaction.atomic():
                authorisation = authorisation_redeem(
                    code=data["code"], grantee_name=data["grantee_name"]
                )
                subject = authorisation.person or authorisation.institution
                if subject is None or not _same_name(subject.name, data["subject_name"]):
                    raise ValidationError(refused)
                report = credit_report_issue(
                    actor=None,
                    person=authorisation.person,
                    institution=authorisation.institution,
                    requester=ReportRequester.AUTHORISED,
                    authorisation=authorisation,
                    verify_base=_verify_base(request),
                )
        except (ValidationError, PermissionDenied):
            form.add_error(None, refused)
        else:
            return _pdf_response(report)
    return render(request, "rights/report_authorised.html", {"form": form})
