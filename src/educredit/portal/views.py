"""Public portal pages (信用公示): institution search, subject pages, person look-up, lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from educredit.accounts.permissions import access_public
from educredit.accounts.signin import client_ip
from educredit.core.exports import csv_response, xlsx_response
from educredit.portal import open_data, selectors
from educredit.portal.forms import DisclosureFilterForm, PersonLookupForm
from educredit.portal.services import rate_limit_hit
from educredit.records.choices import CreditListKind
from educredit.records.models import CreditRecord

PAGE_SIZE = 20
TAB_LABELS = {
    selectors.TAB_LICENCE: pgettext_lazy("双公示", "行政许可"),
    selectors.TAB_PENALTY: pgettext_lazy("双公示", "行政处罚"),
    selectors.TAB_OTHER: pgettext_lazy("双公示", "其他公示信息"),
}


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "portal/429.html",
        {"retry_after_minutes": 1, "layout": "portal/base_portal.html"},
        status=429,
    )
    response["Retry-After"] = "60"
    return response


def _as_of(request: HttpRequest) -> dt.date:
    return selectors.public_as_of(request.GET.get("as_of") or request.POST.get("as_of"))


def _as_of_param(as_of: dt.date) -> str:
    """``as_of=…&`` for page links when the page answers for a later date, else ""."""
    return "" if as_of == selectors.public_as_of(None) else f"as_of={as_of.isoformat()}&"


def _record_row(record: CreditRecord) -> dict[str, Any]:
    # A 双公示 decision shows the standard's published fields; other records their catalog's.
    national = selectors.record_national_fields(record)
    return {
        "record": record,
        "national": national is not None,
        "fields": national if national is not None else selectors.record_public_fields(record),
        # The stored window is half-open: the last day on the portal is the day before.
        "last_public_day": record.public_until - dt.timedelta(days=1)
        if record.public_until
        else None,
    }


def _record_rows(records: Iterable[CreditRecord]) -> list[dict[str, Any]]:
    return [_record_row(record) for record in records]


@access_public
def home(request: HttpRequest) -> HttpResponse:
    """The portal's front page: what the platform publishes, with live counts."""
    return render(request, "portal/home.html", {"counts": selectors.home_counts(_as_of(request))})


@access_public
@require_http_methods(["GET"])
def query(request: HttpRequest) -> HttpResponse:
    """信用查询: institutions by name, former name, pinyin, initials or USCC."""
    q = request.GET.get("q", "").strip()[:100]
    if selectors.RESIDENT_ID_RE.search(q):
        # An identity number must not sit in a URL or be echoed: people are looked up by POST.
        return redirect("portal:person_lookup")
    page = None
    hits: list[selectors.InstitutionHit] = []
    over_cap = False
    if q:
        if rate_limit_hit(bucket="search", ip=client_ip(request)):
            return _too_many(request)
        found = selectors.institution_search_public(q)
        over_cap = found.over_cap
        page = Paginator(found.institutions, PAGE_SIZE).get_page(request.GET.get("page"))
        hits = list(page.object_list)
    return render(
        request,
        "portal/query.html",
        {
            "q": q,
            "q_encoded": urlencode({"q": q}) + "&",
            "page": page,
            "hits": hits,
            "over_cap": over_cap,
            "cap": selectors.SEARCH_CAP,
        },
    )


@access_public
@require_http_methods(["GET"])
def institution(request: HttpRequest, public_id: Any) -> HttpResponse:
    """An institution's public records and list entries, as of today (or a later ``as_of``)."""
    subject = selectors.institution_public(public_id)
    if subject is None:
        raise Http404
    as_of = _as_of(request)
    paginator = Paginator(selectors.institution_public_records(subject, as_of), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/institution.html",
        {
            "subject": subject,
            "as_of": as_of,
            "page": page,
            "rows": _record_rows(page.object_list),
            "entries": list(selectors.subject_public_list_entries(as_of, institution=subject)),
            "as_of_param": _as_of_param(as_of),
        },
    )


@access_public
@require_http_methods(["GET", "POST"])
def person_lookup(request: HttpRequest) -> HttpResponse:
    """A person's public information, only for an exact name and document number (POST).

    The answer is rendered directly (no redirect: a URL would have to name the person), and
    it is the same "nothing to publish" page whether the person is unknown, a minor, named
    differently or simply has nothing public.
    """
    if request.method != "POST":
        if request.GET:
            # Whatever was put in the query string (a number, perhaps) is dropped, not echoed.
            return redirect("portal:person_lookup")
        return render(request, "portal/person_lookup.html", {"form": PersonLookupForm()})
    if rate_limit_hit(bucket="person", ip=client_ip(request)):
        return _too_many(request)
    form = PersonLookupForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/person_lookup.html", {"form": PersonLookupForm()})
    as_of = _as_of(request)
    person = selectors.person_lookup_public(
        name=form.cleaned_data["name"],
        document_type=form.cleaned_data["document_type"],
        id_number=form.cleaned_data["id_number"],
    )
    rows: list[dict[str, Any]] = []
    entries: list[Any] = []
    if person is not None:
        rows = _record_rows(selectors.person_public_records(person, as_of)[:100])
        entries = list(selectors.subject_public_list_entries(as_of, person=person))
    if not rows and not entries:
        person = None
    return render(
        request,
        "portal/person_result.html",
        {
            "person": person,
            "as_of": as_of,
            "rows": rows,
            "entries": entries,
            "form": PersonLookupForm(),
        },
    )


@access_public
@require_http_methods(["GET"])
def lists(request: HttpRequest) -> HttpResponse:
    """红黑名单: institutions on the red and serious-dishonesty lists, and exit notices."""
    as_of = _as_of(request)
    kind = request.GET.get("kind", CreditListKind.SERIOUS)
    if kind not in selectors.PUBLIC_LIST_KINDS:
        kind = CreditListKind.SERIOUS
    page = Paginator(selectors.public_list_entries(kind, as_of), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The exits have their own page number ("notices", not "…page": page links are found by it).
    exits = Paginator(selectors.public_exit_notices(as_of), PAGE_SIZE).get_page(
        request.GET.get("notices")
    )
    tabs = [(k, CreditListKind(k).label) for k in selectors.PUBLIC_LIST_KINDS]
    base = f"{_as_of_param(as_of)}kind={kind}&"
    return render(
        request,
        "portal/lists.html",
        {
            "kind": kind,
            "tabs": tabs,
            "page": page,
            "exits": exits,
            "as_of": as_of,
            "as_of_param": _as_of_param(as_of),
            "entries_extra": f"{base}notices={exits.number}&",
            "exits_extra": f"{base}page={page.number}&",
            "columns": open_data.COLUMNS,
            "licence": open_data.LICENCE,
            "exit_notice_days": selectors.EXIT_NOTICE_DAYS,
        },
    )


@access_public
@require_http_methods(["GET", "HEAD"])
def lists_open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """The lists as open data (CSV, JSON or XLSX), built from the database on each request.

    A re-download answers 304 while nothing changed (ETag of the rows, Last-Modified of the
    last change of a list entry). Always as of today: the file is what the page shows now.
    """
    if rate_limit_hit(bucket="open_data", ip=client_ip(request)):
        return _too_many(request)
    as_of = selectors.public_as_of(None)
    data = open_data.rows(selectors.open_data_entries(as_of), as_of)
    changed = selectors.open_data_changed_at(as_of)
    tag = open_data.etag(data, fmt)
    modified = int(changed.timestamp())
    not_modified = get_conditional_response(request, etag=tag, last_modified=modified)
    if not_modified is not None:
        response = not_modified
    else:
        if fmt == "csv":
            body = open_data.to_csv(data)
        elif fmt == "json":
            body = open_data.to_json(data, as_of=as_of, changed=changed)
        else:
            body = open_data.to_xlsx(data, changed=changed)
        response = HttpResponse(body, content_type=open_data.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = (
            f'attachment; filename="educredit-lists-{as_of.isoformat()}.{fmt}"'
        )
    response["ETag"] = tag
    response["Last-Modified"] = http_date(modified)
    # Caches keep the file but ask each time; the answer is a 304 while nothing changed.
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _disclosure_params(request: HttpRequest, **changes: str | None) -> str:
    """The table's query string (filters kept, page dropped) with ``changes`` applied."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value:
            params[name] = value
    return params.urlencode()


@access_public
@require_http_methods(["GET"])
def disclosure(request: HttpRequest) -> HttpResponse:
    """信用公示 (双公示): institutions' public licences, penalties and other records as a table.

    Tabs by kind; search by party name or credit code; filters by deciding body, region,
    category and decision date; sorted by decision date; paged by query string with the
    filters kept. A fixed number of queries whatever the data.
    """
    as_of = _as_of(request)
    form = DisclosureFilterForm(request.GET)
    flt = form.to_filter()
    if flt.q and rate_limit_hit(bucket="search", ip=client_ip(request)):
        return _too_many(request)
    page = Paginator(selectors.disclosure_records(as_of, flt), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.disclosure_tab_counts(as_of, flt)
    tabs = [
        {
            "code": tab,
            "label": TAB_LABELS[tab],
            "count": counts[tab],
            # Another tab keeps the filters but not the category (each tab has its own).
            "query": _disclosure_params(request, tab=tab, category=None),
        }
        for tab in selectors.DISCLOSURE_TABS
    ]
    filters = _disclosure_params(request)
    rows = [
        {"record": record, "category": selectors.record_category(record)}
        for record in page.object_list
    ]
    return render(
        request,
        "portal/disclosure.html",
        {
            "form": form,
            "tab": flt.tab,
            "tab_label": TAB_LABELS[flt.tab],
            "tabs": tabs,
            "page": page,
            "rows": rows,
            "as_of": as_of,
            "filters": filters,
            "page_extra": f"{filters}&" if filters else "",
            "detail_query": _as_of_param(as_of).rstrip("&"),
            "export_cap": selectors.DISCLOSURE_EXPORT_CAP,
        },
    )


@access_public
@require_http_methods(["GET"])
def disclosure_detail(request: HttpRequest, record_id: Any) -> HttpResponse:
    """One row of the disclosure table: the record's card, as on the institution's page."""
    as_of = _as_of(request)
    record = selectors.disclosure_record_public(record_id, as_of)
    if record is None:
        raise Http404
    decision = getattr(record, "disclosure_decision", None)
    tab = decision.kind if decision is not None else selectors.TAB_OTHER
    return render(
        request,
        "portal/disclosure_detail.html",
        {
            "row": _record_row(record),
            "as_of": as_of,
            "tab": tab,
            "tab_label": TAB_LABELS[tab],
            "back_query": f"{_as_of_param(as_of)}tab={tab}",
        },
    )


@access_public
@require_http_methods(["GET"])
def disclosure_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The table's current filter as CSV or XLSX: published fields only, at most
    ``DISCLOSURE_EXPORT_CAP`` rows, rate-limited per address like the open-data file."""
    if rate_limit_hit(bucket="disclosure_export", ip=client_ip(request)):
        return _too_many(request)
    as_of = _as_of(request)
    flt = DisclosureFilterForm(request.GET).to_filter()
    headers, rows = selectors.disclosure_export_rows(
        selectors.disclosure_records(as_of, flt), flt.tab
    )
    filename = f"educredit-disclosure-{flt.tab}-{as_of:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, headers, rows, sheet=str(TAB_LABELS[flt.tab]))
