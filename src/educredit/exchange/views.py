"""Staff pages of the outbox to the provincial platform (信用河南).

The organisation's items (status, attempts, last error, receipts), the rejected queue, one
item with every receipt, and the form that fixes a rejected row and resends it
(``services.outbox_resend``). Items are read only through ``OutboxItem.objects.visible_to``:
an item of an organisation outside the user's jurisdiction answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff
from educredit.core import clock
from educredit.core.exports import Column, export_list, export_wanted, list_export
from educredit.exchange import services
from educredit.exchange.choices import OutboxProgress, OutboxStatus
from educredit.exchange.forms import OutboxFilterForm, RowFixForm
from educredit.exchange.models import OutboxItem, Receipt, progress_q
from educredit.exchange.rows import is_sealed, national_columns
from educredit.web.paging import filters_query_string, page_of
from educredit.web.plain_words import sees_technical_detail

WRITERS = (UserRole.CLERK, UserRole.ADMIN)

# The menu entries of ``web/navigation.py``, named here too so that makemessages keeps their
# English in this app's catalogue.
MENU_LABELS = (
    pgettext_lazy("navigation", "报送队列"),
    gettext_lazy("报送信用河南的事项、回执和被退回待修正的数据"),
)


def _visible(request: HttpRequest) -> QuerySet[OutboxItem]:
    return OutboxItem.objects.visible_to(request.user).select_related("organisation")


def _with_receipts(items: QuerySet[OutboxItem]) -> QuerySet[OutboxItem]:
    return items.prefetch_related(
        Prefetch("receipts", queryset=Receipt.objects.order_by("-pk"), to_attr="receipts_newest")
    )


def _reasons_text(reasons: Any) -> str:
    """A receipt's reasons as one line (field and message, as the page lists them)."""
    parts = []
    for reason in reasons or []:
        if isinstance(reason, dict):
            parts.append(" ".join(str(reason.get(k, "")) for k in ("field", "message")).strip())
        else:
            parts.append(str(reason))
    return "；".join(part for part in parts if part)


def _explanation(item: OutboxItem) -> str:
    """The page's 说明 column: why it was refused, that it will be retried, or when it went."""
    progress = item.progress
    receipts = getattr(item, "receipts_newest", [])
    if progress == OutboxProgress.REJECTED and receipts:
        return _reasons_text(receipts[0].reasons)
    if progress == OutboxProgress.RETRYING:
        return _("未能送达信用河南，系统将自动重新报送。")
    if progress == OutboxProgress.DELIVERED and item.delivered_at:
        at = item.delivered_at.astimezone(clock.BEIJING).strftime("%Y-%m-%d %H:%M")
        return _("%(at)s 报送成功") % {"at": at}
    return ""


# The item lists' columns, as exported (ADR 0036).
ITEM_COLUMNS = (
    Column(gettext_lazy("决定文书号"), lambda i: i.decision_number),
    Column(gettext_lazy("行政相对人"), lambda i: i.party_name),
    Column(gettext_lazy("类型"), lambda i: i.get_kind_display()),
    Column(gettext_lazy("报送类型"), lambda i: i.get_operation_display()),
    Column(gettext_lazy("状态"), lambda i: i.progress.label),
    Column(gettext_lazy("说明"), _explanation),
    Column(gettext_lazy("单位"), lambda i: i.organisation.name),
)


def _progress_counts(request: HttpRequest) -> dict[str, int]:
    """How many visible items stand at each ``OutboxProgress`` (one query)."""
    counts: dict[str, int] = OutboxItem.objects.visible_to(request.user).aggregate(
        **{value: Count("pk", filter=progress_q(value)) for value in OutboxProgress.values}
    )
    return counts


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
@list_export
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Every outbox item of the user's organisation and below, newest first, filterable."""
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    items = _visible(request).order_by("-pk")
    if filters.get("status"):
        items = items.filter(progress_q(filters["status"]))
    if filters.get("kind"):
        items = items.filter(kind=filters["kind"])
    if filters.get("q"):
        items = items.filter(key__icontains=filters["q"].strip())
    if export_wanted(request):
        return export_list(
            request, _with_receipts(items), ITEM_COLUMNS, stem="outbox", sheet=_("报送队列")
        )
    counts = _progress_counts(request)
    return render(
        request,
        "exchange/outbox_list.html",
        {
            "form": form,
            "page": page_of(request, _with_receipts(items)),
            "query": filters_query_string(request),
            "counts": [(value, label, counts[value]) for value, label in OutboxProgress.choices],
            "show_technical": sees_technical_detail(request.user),
        },
    )


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
@list_export
def rejected_list(request: HttpRequest) -> HttpResponse:
    """The rejected queue: rows the platform refused, with its reasons, to fix and resend."""
    items = _visible(request).filter(status=OutboxStatus.REJECTED).order_by("pk")
    if export_wanted(request):
        return export_list(
            request,
            _with_receipts(items),
            ITEM_COLUMNS,
            stem="outbox-rejected",
            sheet=_("被退回待修正"),
        )
    return render(
        request,
        "exchange/rejected_list.html",
        {
            "page": page_of(request, _with_receipts(items)),
            "can_fix": _can_fix(request),
            "show_technical": sees_technical_detail(request.user),
        },
    )


def _can_fix(request: HttpRequest) -> bool:
    """Whether the user may fix and resend (the fix page's own rule)."""
    return bool(request.user.has_role(*WRITERS))  # type: ignore[union-attr]


def _access_item(request: HttpRequest, outbox_item_id: int) -> OutboxItem:
    try:
        return _visible(request).get(pk=outbox_item_id)
    except OutboxItem.DoesNotExist as exc:
        raise Http404 from exc


def _shown_row(item: OutboxItem) -> list[tuple[str, str, bool]]:
    """(code, value, sealed) in the national order; sealed values are never shown."""
    out = []
    for code in national_columns(item.kind, set(item.row)):
        if code not in item.row:
            continue
        value = item.row[code]
        out.append((code, "" if is_sealed(value) else str(value), is_sealed(value)))
    return out


@access_staff(powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def outbox_detail(request: HttpRequest, outbox_item_id: int) -> HttpResponse:
    """One item: its row (identity numbers withheld), attempts, last error and every receipt."""
    item = _access_item(request, outbox_item_id)
    receipts = item.receipts.select_related("batch").order_by("-pk")
    return render(
        request,
        "exchange/outbox_detail.html",
        {
            "item": item,
            "row": _shown_row(item),
            "receipts": receipts,
            "can_fix": _can_fix(request),
            "show_technical": sees_technical_detail(request.user),
        },
    )


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_http_methods(["GET", "POST"])
def outbox_fix(request: HttpRequest, outbox_item_id: int) -> HttpResponse:
    """Correct a rejected row and send it again (the key stays; receipts are kept)."""
    item = _access_item(request, outbox_item_id)
    latest: Any = item.receipts.order_by("-pk").first()
    if item.status != OutboxStatus.REJECTED:
        messages.info(request, _("只有被退回的数据可以修正后重新报送。"))
        return redirect("exchange:outbox_detail", outbox_item_id=item.pk)
    form = RowFixForm(request.POST or None, kind=item.kind, row=item.row)
    if request.method == "POST" and form.is_valid():
        try:
            services.outbox_resend(actor=request.user, item=item, row=form.fixed_row())
        except services.OutboxError:
            # The service's reasons are for developers; the one a user can meet is a race.
            form.add_error(None, _("该数据现在不能重新报送，请返回查看它的最新状态。"))
        else:
            messages.success(request, _("已修正并重新放入报送队列。"))
            return redirect("exchange:outbox_detail", outbox_item_id=item.pk)
    return render(
        request, "exchange/outbox_fix.html", {"item": item, "form": form, "latest": latest}
    )
