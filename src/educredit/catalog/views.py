"""Pages of the catalog: versions, items, export for every staff user; drafts, item edits,
imports and publication for the provincial department's administrators.

The catalog is province-wide reference data, not an object of any jurisdiction, so versions
and items are addressed by query parameters (``?v=2``, ``?id=<uuid>``) rather than URL kwargs:
the jurisdiction walk checks that every URL kwarg names an object of one county, which a
catalog version is not. Writes go through ``catalog.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff
from educredit.catalog import selectors, services
from educredit.catalog.choices import CatalogVersionStatus
from educredit.catalog.forms import (
    CatalogImportForm,
    CatalogItemForm,
    CatalogPublishForm,
    CatalogVersionForm,
)
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.schema import FIELD_TYPE_LABELS
from educredit.catalog.spreadsheet import CatalogImportError, catalog_version_import, export_version
from educredit.editions.views import edition_from_query


def _version(request: HttpRequest) -> CatalogVersion:
    """The version named by ``?v=<number>``, else 404."""
    return edition_from_query(request, CatalogVersion)


def _item(request: HttpRequest) -> CatalogItem:
    """The item named by ``?id=<public id>``, else 404."""
    item = selectors.catalog_item_by_public_id(request.GET.get("id", ""))
    if item is None:
        raise Http404
    return item


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even when empty, so the form is bound), else None."""
    return request.POST if request.method == "POST" else None


def _require_editor(request: HttpRequest) -> None:
    if not services.catalog_editor(request.user):
        raise PermissionDenied


def _version_url(version: CatalogVersion) -> str:
    return f"{reverse('catalog:version_detail')}?v={version.number}"


def _item_url(item: CatalogItem) -> str:
    return f"{reverse('catalog:item_detail')}?id={item.public_id}"


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@access_staff()
@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    """Every version of the catalog, with the one in force today marked."""
    return render(
        request,
        "catalog/version_list.html",
        {
            "versions": selectors.catalog_versions(),
            "current": selectors.current_catalog_version(),
            "can_edit": services.catalog_editor(request.user),
        },
    )


@access_staff()
@require_GET
def version_detail(request: HttpRequest) -> HttpResponse:
    """One version: its items with their severity and disclosure mode, and what it changed
    against the version before it."""
    version = _version(request)
    previous = selectors.catalog_version_before(version)
    return render(
        request,
        "catalog/version_detail.html",
        {
            "version": version,
            "previous": previous,
            "changes": selectors.catalog_version_changes(version, previous) if previous else None,
            "items": selectors.catalog_items(version),
            "is_draft": version.status == CatalogVersionStatus.DRAFT,
            "can_edit": services.catalog_editor(request.user),
        },
    )


@access_staff()
@require_GET
def item_detail(request: HttpRequest) -> HttpResponse:
    """One item: the §11 elements, policies and field schema."""
    item = _item(request)
    fields = [
        {**field, "type_label": FIELD_TYPE_LABELS.get(field.get("type", ""), field.get("type"))}
        for field in item.field_schema
    ]
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "fields": fields,
            "can_edit": services.catalog_editor(request.user)
            and item.version.status == CatalogVersionStatus.DRAFT,
        },
    )


@access_staff()
@require_GET
def version_export(request: HttpRequest) -> HttpResponse:
    """The version as an XLSX workbook in the provincial template's columns."""
    version = _version(request)
    response = HttpResponse(
        export_version(version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"catalog-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest) -> HttpResponse:
    """A new draft, copied from the version published now."""
    _require_editor(request)
    form = CatalogVersionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.catalog_version_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已创建草稿第 %(n)s 版。") % {"n": version.number})
            return redirect(_version_url(version))
    return render(request, "catalog/version_form.html", {"form": form})


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest) -> HttpResponse:
    """Edit an item of a draft version."""
    _require_editor(request)
    item = _item(request)
    if item.version.status != CatalogVersionStatus.DRAFT:
        raise PermissionDenied
    form = CatalogItemForm(_posted(request), initial=CatalogItemForm.initial_for(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.catalog_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_item_url(item))
    return render(request, "catalog/item_form.html", {"form": form, "item": item})


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def version_import(request: HttpRequest) -> HttpResponse:
    """Replace a draft's items with those of an uploaded workbook, all or nothing."""
    _require_editor(request)
    version = _version(request)
    if version.status != CatalogVersionStatus.DRAFT:
        raise PermissionDenied
    form = CatalogImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = catalog_version_import(
                actor=request.user, version=version, content=form.cleaned_data["file"].read()
            )
        except CatalogImportError as error:
            errors = error.errors
        else:
            messages.success(request, _("已导入 %(n)s 个条目。") % {"n": result.items})
            return redirect(_version_url(version))
    return render(
        request,
        "catalog/import_form.html",
        {"form": form, "version": version, "errors": errors},
    )


@access_staff(UserRole.ADMIN, powers=[Power.PROVINCIAL_OFFICE])
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest) -> HttpResponse:
    """Publish a draft: in force from its effective date, replacing the version before it."""
    _require_editor(request)
    version = _version(request)
    if version.status != CatalogVersionStatus.DRAFT:
        raise PermissionDenied
    form = CatalogPublishForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.catalog_version_publish(
                actor=request.user, version=version, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("已发布第 %(n)s 版。") % {"n": version.number})
            return redirect(_version_url(version))
    return render(
        request,
        "catalog/publish_form.html",
        {"form": form, "version": version, "current": selectors.current_catalog_version()},
    )
