"""Writes to the catalog (公共信用信息目录): draft versions, their items, publication.

Only the provincial department's administrators (an admin of the root organisation) and
``system:`` actors may change the catalog. Items change only while their version is a draft;
publishing a draft makes it the catalog in force from its effective date and retires the
version it replaces from that same date. Every write is audited in its transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.audit.services import audit_append
from educredit.catalog.choices import (
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.schema import SchemaError, validate_field_schema
from educredit.core.i18n import Bilingual
from educredit.editions.services import (
    edition_copy_rows,
    edition_create,
    edition_latest_published,
    edition_publish,
    edition_require_draft,
)

Actor = Any

# The attributes of an item a service may set (everything but the version and the public id).
ITEM_FIELDS = (
    "code",
    "name",
    "data_format",
    "provider",
    "subject_type",
    "category",
    "nature",
    "sharing",
    "coverage",
    "update_cycle",
    "field_schema",
    "severity",
    "disclosure_mode",
    "legal_basis",
    "two_person_rule",
    "reportable",
    "recorder_kinds",
    "sort_order",
)
# Field names in Chinese and English: the messages carry both and show the reader's
# (``core.i18n.Bilingual``; the spreadsheet import checks every item with them).
REQUIRED_TEXT: dict[str, tuple[str, str]] = {
    "code": ("数据代码", "code"),
    "name": ("数据名称", "name"),
    "provider": ("提供单位", "provider"),
}
CHOICE_FIELDS: dict[str, tuple[type[Any], tuple[str, str]]] = {
    "subject_type": (SubjectType, ("主体类型", "subject type")),
    "category": (InfoCategory, ("信息类别", "category")),
    "sharing": (SharingAttribute, ("共享属性", "sharing attribute")),
    "severity": (Severity, ("信用性质", "severity")),
    "disclosure_mode": (DisclosureMode, ("公开方式", "disclosure mode")),
}


def catalog_editor(actor: Actor) -> bool:
    """Whether ``actor`` may change the catalog: a provincial admin or a ``system:`` actor."""
    if isinstance(actor, str):
        return actor.startswith("system:")
    organisation = getattr(actor, "organisation", None)
    if organisation is None or not getattr(actor, "is_active", False):
        return False
    is_root = organisation.parent_id is None or (
        organisation.kind == OrganisationKind.PROVINCIAL_DEPARTMENT
    )
    return bool(is_root and actor.has_role(UserRole.ADMIN))


def _require_editor(actor: Actor) -> None:
    if not catalog_editor(actor):
        raise PermissionDenied(
            Bilingual(
                "只有省教育厅管理员可以修改目录",
                "only provincial administrators may change the catalog",
            )
        )


NOT_DRAFT = Bilingual(
    "只能修改草稿版本的目录", "only a draft version of the catalog can be changed"
)


def _require_draft(version: CatalogVersion) -> None:
    edition_require_draft(version, NOT_DRAFT)


def item_errors(item: CatalogItem) -> dict[str, list[str]]:
    """Messages (``Bilingual``) by field for an unsaved or changed item (normalises it in
    place)."""
    errors: dict[str, list[str]] = {}
    for name, (zh, en) in REQUIRED_TEXT.items():
        value = str(getattr(item, name) or "").strip()
        setattr(item, name, value)
        if not value:
            errors[name] = [Bilingual(f"{zh}为必填项", f"{en} is required")]
    for name, (choices, (zh, en)) in CHOICE_FIELDS.items():
        if getattr(item, name) not in choices.values:
            with translation.override("zh-hans"):
                labels = "、".join(str(c.label) for c in choices)
            errors[name] = [Bilingual(f"{zh}应为 {labels} 之一", f"invalid {en}")]
    try:
        item.field_schema = validate_field_schema(item.field_schema)
    except SchemaError as error:
        errors["field_schema"] = error.errors
    kinds = item.recorder_kinds
    if not isinstance(kinds, list | tuple) or any(k not in OrganisationKind.values for k in kinds):
        with translation.override("zh-hans"):
            labels = "、".join(str(kind.label) for kind in OrganisationKind)
        errors["recorder_kinds"] = [
            Bilingual(
                f"录入单位类型应为 {labels} 中的若干项", "invalid recorder organisation kinds"
            )
        ]
    else:  # one canonical order, so an export → import round trip changes nothing
        item.recorder_kinds = [kind for kind in OrganisationKind.values if kind in kinds]
    for field in item._meta.fields:
        limit = getattr(field, "max_length", None)
        current = getattr(item, field.attname, None)
        too_long = limit and isinstance(current, str) and len(current) > limit
        if too_long and field.name not in errors:
            with translation.override("zh-hans"):
                zh = f"{field.verbose_name}不能超过 {limit} 个字符"
            errors[field.name] = [Bilingual(zh, f"{field.name} must be at most {limit} characters")]
    clash = CatalogItem.objects.filter(version_id=item.version_id, code=item.code)
    if item.version_id is None:
        clash = clash.none()
    elif item.pk:
        clash = clash.exclude(pk=item.pk)
    if item.code and clash.exists():
        errors["code"] = [
            Bilingual(
                f"本版本已有数据代码 {item.code}",
                f"code {item.code} already exists in this version",
            )
        ]
    return errors


def _check_item(item: CatalogItem) -> None:
    errors = item_errors(item)
    if errors:
        raise ValidationError(errors)


def _latest_published() -> CatalogVersion | None:
    return edition_latest_published(CatalogVersion)


@transaction.atomic
def catalog_version_create(
    *,
    actor: Actor,
    title: str,
    effective_from: datetime.date,
    notes: str = "",
    copy_items: bool = True,
) -> CatalogVersion:
    """A new draft version, with a copy of the items of the version currently published."""
    _require_editor(actor)
    version = edition_create(
        actor=actor,
        model=CatalogVersion,
        title=title,
        effective_from=effective_from,
        notes=notes,
        action_prefix="catalog",
    )
    source = _latest_published() if copy_items else None
    if source is not None:
        edition_copy_rows(
            actor=actor,
            source=source,
            edition=version,
            rows=source.items.order_by("sort_order", "code"),
            fields=ITEM_FIELDS,
            action="catalog.item_create",
        )
    return version


@transaction.atomic
def catalog_item_create(*, actor: Actor, version: CatalogVersion, **attributes: Any) -> CatalogItem:
    """A new item in a draft version; ``attributes`` are among ``ITEM_FIELDS``."""
    _require_editor(actor)
    version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    unknown = set(attributes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown catalog item attributes: {sorted(unknown)}")
    item = CatalogItem(version=version, **attributes)
    if "sort_order" not in attributes:
        top = version.items.aggregate(top=Max("sort_order"))["top"]
        item.sort_order = (top or 0) + 10
    _check_item(item)
    item.save()
    audit_append(actor=actor, action="catalog.item_create", target=item, before=None)
    return item


@transaction.atomic
def catalog_item_update(
    *, actor: Actor, item: CatalogItem, reason: str = "", **changes: Any
) -> CatalogItem:
    """Change attributes of an item of a draft version."""
    _require_editor(actor)
    item = CatalogItem.objects.select_for_update().select_related("version").get(pk=item.pk)
    _require_draft(item.version)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown catalog item attributes: {sorted(unknown)}")
    before = item.audit_snapshot()
    for name, value in changes.items():
        setattr(item, name, value)
    _check_item(item)
    item.save()
    audit_append(
        actor=actor, action="catalog.item_update", target=item, before=before, reason=reason
    )
    return item


@transaction.atomic
def catalog_item_delete(*, actor: Actor, item: CatalogItem, reason: str = "") -> None:
    """Remove an item from a draft version (published versions are never changed)."""
    _require_editor(actor)
    item = CatalogItem.objects.select_for_update().select_related("version").get(pk=item.pk)
    _require_draft(item.version)
    before = item.audit_snapshot()
    item.delete()
    audit_append(
        actor=actor, action="catalog.item_delete", target=item, before=before, reason=reason
    )


@transaction.atomic
def catalog_version_replace_items(
    *, actor: Actor, version: CatalogVersion, items: list[dict[str, Any]], reason: str = ""
) -> CatalogVersion:
    """Make a draft's items exactly ``items`` (by code): update, add, remove. All or nothing.

    Used by the spreadsheet import; a ``ValidationError`` for any item rolls back the whole.
    """
    _require_editor(actor)
    version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    existing = {item.code: item for item in version.items.all()}
    wanted = {str(attributes["code"]).strip() for attributes in items}
    for code, item in existing.items():
        if code not in wanted:
            catalog_item_delete(actor=actor, item=item, reason=reason)
    for attributes in items:
        code = str(attributes["code"]).strip()
        if code in existing:
            changes = {
                name: value
                for name, value in attributes.items()
                if getattr(existing[code], name) != value
            }
            if changes:
                catalog_item_update(actor=actor, item=existing[code], reason=reason, **changes)
        else:
            catalog_item_create(actor=actor, version=version, **attributes)
    return version


@transaction.atomic
def catalog_version_publish(
    *, actor: Actor, version: CatalogVersion, reason: str = ""
) -> CatalogVersion:
    """Publish a draft: it is in force from its effective date, and the version published
    before it is retired from that date (one version in force on any day)."""
    _require_editor(actor)
    return edition_publish(
        actor=actor,
        edition=version,
        rows=CatalogItem.objects.filter(version=version),
        action_prefix="catalog",
        reason=reason,
        draft_message=NOT_DRAFT,
        empty_message=Bilingual(
            "不能发布没有条目的目录", "a catalog version without items cannot be published"
        ),
    )


@transaction.atomic
def catalog_version_seed(*, actor: Actor) -> CatalogVersion:
    """Load the shipped version 1 (``catalog.data``) as the published catalog, once.

    Idempotent: when any catalog version exists, returns version 1 (or the first) untouched.
    The shipped catalog is loaded through the services rather than by a data migration so that
    every row it writes has its audit entry.
    """
    from educredit.catalog import data

    existing = CatalogVersion.objects.order_by("number").first()
    if existing is not None:
        return existing
    version = catalog_version_create(
        actor=actor,
        title=data.VERSION_1_TITLE,
        effective_from=data.VERSION_1_EFFECTIVE,
        notes=data.VERSION_1_NOTES,
        copy_items=False,
    )
    for attributes in data.VERSION_1_ITEMS:
        catalog_item_create(actor=actor, version=version, **attributes)
    return catalog_version_publish(
        actor=actor,
        version=version,
        reason="随系统发布的目录第 1 版 / catalog version 1 as shipped",
    )
