"""Row digests: the same from memory, from the database, and from a loader's values."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
import zoneinfo
from typing import Any

import pytest
from django.db import models

from educredit.accounts.models import Organisation
from educredit.audit.canonical import (
    digest,
    field_converter,
    row_digest,
    row_digest_from_values,
    row_digester,
    snapshot_attnames,
    snapshot_from_values,
)
from educredit.audit.models import AuditedModel
from educredit.audit.tests.helpers import organisation_made
from educredit.subjects.choices import AffiliationRole, Gender, InstitutionKind
from educredit.subjects.models import Affiliation, FormerName, Institution, Person

pytestmark = pytest.mark.django_db


def loader_values(instance: models.Model, *, as_text: bool = False) -> dict[str, Any]:
    """The values a bulk loader holds for a row: Python objects (or their text forms)."""
    values = {name: getattr(instance, name) for name in snapshot_attnames(type(instance))}
    if as_text:
        values = {
            name: value.isoformat()
            if isinstance(value, dt.date)
            else str(value)
            if isinstance(value, uuid.UUID | int) and not isinstance(value, bool)
            else value
            for name, value in values.items()
        }
    return values


def assert_digest_agrees(instance: AuditedModel) -> None:
    model = type(instance)
    in_memory = row_digest(instance)
    from_db = model._base_manager.get(pk=instance.pk)
    assert row_digest(from_db) == in_memory
    assert instance.audit_snapshot() == from_db.audit_snapshot()
    assert row_digest_from_values(model, loader_values(instance)) == in_memory
    assert row_digest_from_values(model, loader_values(instance, as_text=True)) == in_memory
    assert row_digester(model)(loader_values(instance)) == in_memory


def make_subjects() -> tuple[Organisation, Institution, Person, Affiliation, FormerName]:
    supervisor = organisation_made()
    institution = Institution.objects.create(
        name="郑州大学",
        uscc=None,  # null
        moe_code="4141010459",
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
        supervisor=supervisor,  # FK
    )
    person = Person.objects.create(
        document_type="resident_id",
        id_number_cipher="k1:abc",
        id_number_index="f" * 64,
        id_number_masked="410105********123X",
        name="张三",
        gender=Gender.MALE,
        birth_date=dt.date(1980, 2, 29),  # date
    )
    affiliation = Affiliation.objects.create(
        person=person,
        institution=institution,
        role=AffiliationRole.TEACHER,
        started_on=dt.date(2001, 9, 1),
        ended_on=None,
    )
    former = FormerName.objects.create(
        institution=institution,
        name="郑州工业大学",
        used_from=None,
        used_until=dt.date(2000, 7, 10),
    )
    return supervisor, institution, person, affiliation, former


def test_subject_rows_digest_the_same_from_memory_database_and_loader_values():
    for instance in make_subjects():  # UUID, date, bool, FK, char, null
        assert_digest_agrees(instance)


def test_snapshot_covers_uuid_bool_fk_and_null_as_value_to_string_writes_them():
    supervisor, institution, person, *_ = make_subjects()
    snapshot = institution.audit_snapshot()
    assert snapshot["public_id"] == str(institution.public_id)  # hyphenated, as value_to_string
    assert snapshot["supervisor_id"] == str(supervisor.pk)
    assert snapshot["uscc"] is None
    assert "created_at" not in snapshot and "updated_at" not in snapshot
    assert supervisor.audit_snapshot()["is_active"] == "True"
    assert person.audit_snapshot()["birth_date"] == "1980-02-29"
    assert "id_number_cipher" not in person.audit_snapshot()


def test_the_fast_digester_writes_the_same_bytes_as_canonical_json():
    _, institution, *_ = make_subjects()
    values = loader_values(institution)
    for name in ['引号"与\\反斜杠', "换行\n制表\t", "控制\x01\x1f", "emoji 🎓 \u2028", ""]:
        values["name"] = values["legal_representative"] = name
        expected = digest(snapshot_from_values(Institution, values))
        assert row_digest_from_values(Institution, values) == expected
        assert row_digester(Institution)(values) == expected


def test_a_missing_field_is_named():
    _, institution, *_ = make_subjects()
    values = loader_values(institution)
    del values["region_code"]
    with pytest.raises(ValueError, match="region_code"):
        row_digest_from_values(Institution, values)
    with pytest.raises(ValueError, match="region_code"):
        row_digester(Institution)(values)


def test_a_changed_value_changes_the_digest():
    _, institution, *_ = make_subjects()
    values = loader_values(institution)
    before = row_digest_from_values(Institution, values)
    values["name"] = "郑州大学 "
    assert row_digest_from_values(Institution, values) != before


def test_datetimes_are_written_in_utc_whatever_zone_they_were_made_in():
    field: models.DateTimeField[Any, Any] = models.DateTimeField()
    field.set_attributes_from_name("at")
    convert = field_converter(field)
    utc = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC)
    shanghai = utc.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert convert(utc) == convert(shanghai) == "2026-03-02T01:30:00+00:00"
    # A naive value is what Django stores as local (Asia/Shanghai) time.
    assert convert(dt.datetime(2026, 3, 2, 9, 30)) == "2026-03-02T01:30:00+00:00"  # noqa: DTZ001


def test_decimals_are_written_at_their_field_scale():
    field: models.DecimalField[Any, Any] = models.DecimalField(max_digits=6, decimal_places=2)
    field.set_attributes_from_name("score")
    convert = field_converter(field)
    assert convert(decimal.Decimal("1.5")) == convert("1.50") == "1.50"


def test_booleans_and_integers_given_as_other_types():
    flag: models.BooleanField[Any, Any] = models.BooleanField()
    flag.set_attributes_from_name("flag")
    number: models.IntegerField[Any, Any] = models.IntegerField()
    number.set_attributes_from_name("n")
    assert field_converter(flag)(1) == "True"
    assert field_converter(number)("42") == "42"


def test_a_field_added_later_leaves_rows_audited_before_it_verifiable():
    """CatalogItem.recorder_kinds came after items were audited: empty, it is not in the
    snapshot (the digest an item had before the column existed); set, it is covered."""
    from educredit.catalog.models import CatalogItem
    from educredit.records.tests.factories import make_catalog_item

    item = make_catalog_item()
    assert item.recorder_kinds == []
    snapshot = item.audit_snapshot()
    assert "recorder_kinds" not in snapshot
    before_column = digest(snapshot)
    assert row_digest(item) == before_column
    assert row_digester(CatalogItem)(loader_values(item)) == before_column
    assert digest(snapshot_from_values(CatalogItem, loader_values(item))) == before_column

    item.recorder_kinds = ["county"]
    item.save()
    assert item.audit_snapshot()["recorder_kinds"] == ["county"]
    assert row_digest(item) != before_column
    assert_digest_agrees(item)
