"""The edition base's publication, draft check, numbering and in-force look-up, through the
catalog's and the measure list's edition models."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from educredit.audit.models import AuditEntry
from educredit.audit.services import target_type_of
from educredit.audit.verification import verify_audit_log
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.services import catalog_version_create
from educredit.catalog.tests.factories import TEST_ACTOR
from educredit.core.i18n import Bilingual
from educredit.editions.models import EditionStatus
from educredit.editions.selectors import edition_in_force
from educredit.editions.services import (
    edition_copy_rows,
    edition_create,
    edition_latest_published,
    edition_next_number,
    edition_publish,
    edition_require_draft,
)
from educredit.sanctions.models import MeasureListVersion
from educredit.sanctions.tests.factories import make_draft as make_measure_draft

EMPTY = Bilingual("空的", "empty edition")
NOT_DRAFT = Bilingual("不是草稿", "not a draft")
DAY = datetime.timedelta(days=1)


def _draft(effective_from: datetime.date, *, copy_items: bool = True) -> CatalogVersion:
    return catalog_version_create(
        actor=TEST_ACTOR, title="修订版", effective_from=effective_from, copy_items=copy_items
    )


def _publish(edition: CatalogVersion, **extra: Any) -> CatalogVersion:
    return edition_publish(
        actor=TEST_ACTOR,
        edition=edition,
        rows=CatalogItem.objects.filter(version=edition),
        action_prefix="catalog",
        empty_message=EMPTY,
        draft_message=NOT_DRAFT,
        **extra,
    )


def _actions(edition: CatalogVersion | MeasureListVersion) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            target_type=target_type_of(edition), target_id=str(edition.pk)
        ).values_list("action", flat=True)
    )


def test_publish_retires_the_previous_from_the_new_date(shipped):
    new_day = datetime.date(2027, 3, 1)
    draft = _draft(new_day)
    published = _publish(draft, reason="年度修订")
    shipped.refresh_from_db()
    assert published.status == EditionStatus.PUBLISHED
    assert shipped.status == EditionStatus.RETIRED and shipped.retired_from == new_day
    assert "catalog.version_retire" in _actions(shipped)
    assert "catalog.version_publish" in _actions(published)
    publish_entry = AuditEntry.objects.get(
        action="catalog.version_publish", target_id=str(published.pk)
    )
    assert publish_entry.reason == "年度修订" and "status" in publish_entry.changed_fields
    assert verify_audit_log().ok


def test_the_edition_in_force_on_the_boundary_days(shipped):
    new_day = datetime.date(2027, 3, 1)
    published = _publish(_draft(new_day))
    assert edition_in_force(CatalogVersion, shipped.effective_from - DAY) is None
    assert edition_in_force(CatalogVersion, shipped.effective_from) == shipped
    assert edition_in_force(CatalogVersion, new_day - DAY) == shipped
    assert edition_in_force(CatalogVersion, new_day) == published
    shipped.refresh_from_db()
    assert shipped.in_force_on(new_day - DAY) and not shipped.in_force_on(new_day)
    assert published.in_force_on(new_day) and not published.in_force_on(new_day - DAY)


def test_a_draft_is_never_in_force(shipped):
    draft = _draft(datetime.date(2026, 6, 1))
    assert not draft.in_force_on(datetime.date(2026, 7, 1))
    assert edition_in_force(CatalogVersion, datetime.date(2026, 7, 1)) == shipped


def test_a_published_edition_is_refused_with_the_callers_message(shipped):
    with pytest.raises(ValidationError) as refused:
        _publish(shipped)
    assert refused.value.code == "not_draft" and refused.value.messages == ["不是草稿"]
    with pytest.raises(ValidationError, match="不是草稿"):
        edition_require_draft(shipped, NOT_DRAFT)
    edition_require_draft(_draft(datetime.date(2027, 1, 1)), NOT_DRAFT)  # a draft passes


def test_an_edition_without_rows_is_refused_and_nothing_changes(shipped):
    empty = _draft(datetime.date(2027, 1, 1), copy_items=False)
    with pytest.raises(ValidationError) as refused:
        _publish(empty)
    assert refused.value.code == "empty" and refused.value.messages == ["空的"]
    empty.refresh_from_db()
    shipped.refresh_from_db()
    assert empty.status == EditionStatus.DRAFT and shipped.status == EditionStatus.PUBLISHED
    assert "catalog.version_retire" not in _actions(shipped)


@pytest.mark.parametrize("offset", [0, -1], ids=["same day", "day before"])
def test_an_effective_date_not_after_the_published_one_is_refused(shipped, offset):
    draft = _draft(shipped.effective_from + offset * DAY)
    with pytest.raises(ValidationError) as refused:
        _publish(draft)
    [message] = refused.value.message_dict["effective_from"]
    assert "施行日期应晚于现行第 1 版的施行日期 2026-01-01" in message
    shipped.refresh_from_db()
    assert shipped.status == EditionStatus.PUBLISHED and shipped.retired_from is None


def test_the_given_effective_date_is_saved_and_the_callers_check_can_refuse(db):
    draft = make_measure_draft()
    shipped = MeasureListVersion.objects.get(number=1)
    new_day = datetime.date(2027, 5, 1)

    def refuse(edition: MeasureListVersion) -> None:
        assert edition.effective_from == new_day  # the check sees the new date
        raise ValidationError("措施有误", code="invalid_measures")

    def publish(**extra: Any) -> MeasureListVersion:
        return edition_publish(
            actor=TEST_ACTOR,
            edition=draft,
            rows=draft.measures.all(),
            action_prefix="sanctions",
            empty_message=EMPTY,
            effective_from=new_day,
            **extra,
        )

    with pytest.raises(ValidationError, match="措施有误"):
        publish(check=refuse)
    shipped.refresh_from_db()
    assert shipped.status == EditionStatus.PUBLISHED and shipped.retired_from is None
    published = publish()
    published.refresh_from_db()
    shipped.refresh_from_db()
    assert published.effective_from == new_day and published.status == EditionStatus.PUBLISHED
    assert shipped.retired_from == new_day
    assert "sanctions.version_retire" in _actions(shipped)
    assert edition_in_force(MeasureListVersion, new_day) == published


def test_numbers_and_the_latest_published(shipped):
    assert edition_next_number(CatalogVersion) == 2
    assert edition_next_number(MeasureListVersion) == 1  # each model counts its own
    draft = _draft(datetime.date(2027, 1, 1))
    assert edition_next_number(CatalogVersion) == 3
    assert edition_latest_published(CatalogVersion) == shipped  # a draft is not published
    _publish(draft)
    assert edition_latest_published(CatalogVersion) == draft


def test_a_new_draft_copies_the_published_rows_each_audited(shipped):
    draft = edition_create(
        actor=TEST_ACTOR,
        model=CatalogVersion,
        title="  修订版 ",
        effective_from=datetime.date(2027, 1, 1),
        action_prefix="catalog",
    )
    assert (draft.number, draft.title, draft.status) == (2, "修订版", EditionStatus.DRAFT)
    assert _actions(draft) == ["catalog.version_create"]
    copies = edition_copy_rows(
        actor=TEST_ACTOR,
        source=shipped,
        edition=draft,
        rows=shipped.items.order_by("code"),
        fields=("code", "name", "severity"),
        action="catalog.item_create",
    )
    assert [c.code for c in copies] == list(
        shipped.items.order_by("code").values_list("code", flat=True)
    )
    assert all(c.version_id == draft.pk and c.pk for c in copies)
    entry = AuditEntry.objects.filter(
        action="catalog.item_create", target_id=str(copies[0].pk)
    ).get()
    assert entry.reason == "复制自第 1 版 / copied from version 1"
    with pytest.raises(ValidationError) as refused:
        edition_create(
            actor=TEST_ACTOR,
            model=CatalogVersion,
            title=" ",
            effective_from=datetime.date(2027, 1, 1),
            action_prefix="catalog",
        )
    assert "title" in refused.value.message_dict
