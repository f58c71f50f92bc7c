"""Catalog services and selectors: drafts, items, publication, the version in force."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from educredit.audit.models import AuditEntry
from educredit.audit.verification import verify_audit_log
from educredit.catalog import selectors, services
from educredit.catalog.choices import CatalogVersionStatus, Severity, SubjectType
from educredit.catalog.data import VERSION_1_ITEMS
from educredit.catalog.tests.factories import TEST_ACTOR

NEW_ITEM = {
    "code": "JY-QT-01",
    "name": "其他信息",
    "provider": "省教育厅",
    "subject_type": SubjectType.INSTITUTION,
    "category": "inspection",
    "sharing": "conditional",
    "severity": Severity.NEUTRAL,
    "disclosure_mode": "government",
    "field_schema": [{"name": "note", "label": "说明", "type": "text", "required": True}],
}


def test_the_shipped_catalog_is_published_complete_and_audited(shipped):
    assert shipped.number == 1 and shipped.status == CatalogVersionStatus.PUBLISHED
    assert shipped.effective_from == datetime.date(2026, 1, 1)
    codes = set(shipped.items.values_list("code", flat=True))
    assert codes == {item["code"] for item in VERSION_1_ITEMS}
    assert services.catalog_version_seed(actor=TEST_ACTOR) == shipped  # idempotent
    assert AuditEntry.objects.filter(action="catalog.item_create").count() == len(codes)
    assert verify_audit_log().ok


@pytest.mark.parametrize(
    ("code", "subject_type", "severity", "mode"),
    [
        ("JY-XK-01", "both", "neutral", "public"),
        ("JY-CF-01", "both", "minor", "government"),
        ("JY-CF-02", "both", "general", "public"),
        ("JY-CF-03", "both", "serious", "public"),
        ("JY-CN-03", "both", "general", "public"),
        ("JY-TS-01", "both", "neutral", "government"),
        ("JY-SD-02", "person", "general", "government"),
        ("JY-ZG-01", "person", "serious", "public"),
        ("JY-XS-01", "person", "serious", "public"),
        ("JY-KY-01", "person", "serious", "public"),
        ("JY-KS-01", "person", "serious", "government"),
        ("JY-BZ-01", "both", "trustworthy", "public"),
        ("JY-MD-01", "both", "trustworthy", "public"),
        ("JY-MD-02", "both", "serious", "public"),
    ],
)
def test_shipped_items_carry_their_policy(shipped, code, subject_type, severity, mode):
    item = selectors.catalog_item_by_code(code, as_of=datetime.date(2026, 6, 1))
    assert item is not None
    assert (item.subject_type, item.severity, item.disclosure_mode) == (
        subject_type,
        severity,
        mode,
    )
    assert item.legal_basis and item.field_schema and item.provider


def test_a_new_draft_copies_the_published_items(shipped, province_admin):
    draft = services.catalog_version_create(
        actor=province_admin, title="2027年版", effective_from=datetime.date(2027, 1, 1)
    )
    assert draft.number == 2 and draft.status == CatalogVersionStatus.DRAFT
    assert draft.items.count() == shipped.items.count()
    original = shipped.items.get(code="JY-CF-02")
    copy = draft.items.get(code="JY-CF-02")
    assert copy.pk != original.pk and copy.field_schema == original.field_schema


@pytest.mark.parametrize("persona", ["county_admin", "city_reviewer", "county_clerk"])
def test_only_provincial_admins_change_the_catalog(request, shipped, draft, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.catalog_version_create(
            actor=actor, title="x", effective_from=datetime.date(2027, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.catalog_item_update(actor=actor, item=draft.items.first(), name="x")
    with pytest.raises(PermissionDenied):
        services.catalog_version_publish(actor=actor, version=draft)


def test_a_province_user_without_the_admin_role_is_refused(province, shipped):
    from educredit.accounts.choices import UserRole
    from educredit.testing.factories import make_user

    clerk = make_user(organisation=province, username="sheng.clerk", roles=[UserRole.CLERK])
    assert not services.catalog_editor(clerk)


def test_items_change_only_in_drafts(shipped, province_admin):
    with pytest.raises(ValidationError):
        services.catalog_item_update(actor=province_admin, item=shipped.items.first(), name="改名")
    with pytest.raises(ValidationError):
        services.catalog_item_create(actor=province_admin, version=shipped, **NEW_ITEM)


def test_create_and_update_items_in_a_draft_audited(draft, province_admin):
    item = services.catalog_item_create(actor=province_admin, version=draft, **NEW_ITEM)
    assert item.field_schema[0]["public"] is False and item.field_schema[0]["max_length"] == 2000
    services.catalog_item_update(
        actor=province_admin, item=item, name="其他监管信息", reason="更名"
    )
    entry = AuditEntry.objects.filter(action="catalog.item_update").latest("id")
    assert entry.target_id == str(item.pk) and entry.reason == "更名"
    assert entry.changed_fields == ["name"]


def test_bad_items_are_refused_with_messages_in_the_reader_language(draft, province_admin):
    with pytest.raises(ValidationError) as caught:
        services.catalog_item_create(
            actor=province_admin,
            version=draft,
            **{**NEW_ITEM, "code": "JY-CF-02", "severity": "awful", "field_schema": [{}]},
        )
    errors = caught.value.message_dict
    assert errors["code"] == ["本版本已有数据代码 JY-CF-02"]
    assert "severity" in errors and "field_schema" in errors
    with translation.override("en"):
        english = caught.value.message_dict
    assert english["code"] == ["code JY-CF-02 already exists in this version"]
    assert english["severity"] == ["invalid severity"]


def test_publishing_retires_the_previous_version_from_the_new_date(shipped, draft, province_admin):
    before_switch = datetime.date(2026, 12, 31)
    services.catalog_version_publish(actor=province_admin, version=draft)
    shipped.refresh_from_db()
    assert shipped.status == CatalogVersionStatus.RETIRED
    assert shipped.retired_from == datetime.date(2027, 1, 1)
    assert selectors.current_catalog_version(before_switch) == shipped
    assert selectors.current_catalog_version(datetime.date(2027, 1, 1)) == draft
    assert selectors.current_catalog_version(datetime.date(2025, 12, 31)) is None
    item = selectors.catalog_item_by_code("JY-CF-02", as_of=datetime.date(2027, 3, 1))
    assert item is not None and item.version == draft
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"catalog.version_publish", "catalog.version_retire"} <= actions
    with pytest.raises(ValidationError):
        services.catalog_version_publish(actor=province_admin, version=draft)


def test_a_draft_cannot_take_effect_before_the_version_in_force(shipped, province_admin):
    early = services.catalog_version_create(
        actor=province_admin, title="早", effective_from=datetime.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        services.catalog_version_publish(actor=province_admin, version=early)
    assert "effective_from" in caught.value.message_dict
    shipped.refresh_from_db()
    assert shipped.status == CatalogVersionStatus.PUBLISHED


def test_an_empty_draft_cannot_be_published(shipped, province_admin):
    empty = services.catalog_version_create(
        actor="system:test",
        title="空",
        effective_from=datetime.date(2027, 1, 1),
        copy_items=False,
    )
    with pytest.raises(ValidationError):
        services.catalog_version_publish(actor=province_admin, version=empty)


def test_catalog_items_defaults_to_the_version_in_force(shipped, db):
    assert list(selectors.catalog_items()) == list(shipped.items.order_by("sort_order", "code"))
    assert selectors.catalog_item_by_code("JY-NOPE") is None


def test_no_catalog_means_no_items(db):
    assert selectors.current_catalog_version() is None
    assert not selectors.catalog_items().exists()
    assert selectors.catalog_item_by_code("JY-CF-02") is None
