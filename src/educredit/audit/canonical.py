"""Canonical serialisation and digests of audited rows and log entries.

A row's snapshot maps each audited field's attribute name to a string (or ``None``), the way
``Field.value_to_string`` writes it, after normalising the value to what the database gives
back: an aware datetime in UTC, a date as a date, a decimal at its field's scale. So the digest
of an instance in memory right after ``save()``, of the same row read back on SQLite or
PostgreSQL, and of the values a bulk loader is about to ``COPY`` are all the same bytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import json
import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

Converter = Callable[[Any], Any]


def canonical_json(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 (same bytes on every engine)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(value: Any) -> str:
    """SHA-256 hex of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


class _Holder:
    """Stands in for a model instance when a field's own ``value_to_string`` must be used."""

    def __init__(self, attname: str, value: Any) -> None:
        setattr(self, attname, value)


def _text(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return value if type(value) is str else str(field.to_python(value))

    return convert


def _integer(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return str(value) if type(value) is int else str(field.to_python(value))

    return convert


def _boolean(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return str(value if type(value) is bool else field.to_python(value))

    return convert


def _date(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return (value if type(value) is dt.date else field.to_python(value)).isoformat()

    return convert


def _datetime(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is not dt.datetime:
            value = field.to_python(value)
        if settings.USE_TZ:
            # Django stores a naive value as local time; the database hands back UTC.
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            value = value.astimezone(dt.UTC)
        return value.isoformat()

    return convert


def _time(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return (value if type(value) is dt.time else field.to_python(value)).isoformat()

    return convert


def _uuid(field: models.Field[Any, Any]) -> Converter:
    def convert(value: Any) -> Any:
        return str(value if type(value) is uuid.UUID else field.to_python(value))

    return convert


def _decimal(field: models.DecimalField[Any, Any]) -> Converter:
    places = field.decimal_places
    quantum = decimal.Decimal(1).scaleb(-places) if places is not None else None

    def convert(value: Any) -> Any:
        number = value if type(value) is decimal.Decimal else field.to_python(value)
        return str(number.quantize(quantum) if quantum is not None else number)

    return convert


def _binary(value: Any) -> Any:
    return base64.b64encode(bytes(value)).decode("ascii")


def _json(value: Any) -> Any:
    # JSONField.value_to_string gives the decoded value itself; canonical_json orders it.
    return value


def _fallback(field: models.Field[Any, Any]) -> Converter:
    attname = field.attname

    def convert(value: Any) -> Any:
        return field.value_to_string(_Holder(attname, value))  # type: ignore[arg-type]

    return convert


def field_converter(field: models.Field[Any, Any]) -> Converter:
    """How one field's value (not ``None``) becomes its snapshot string."""
    if field.is_relation:
        # A foreign key's attribute holds the target's key: write it as the target field would.
        target = field.target_field  # type: ignore[attr-defined]
        return field_converter(target)
    checks: Sequence[tuple[type[models.Field[Any, Any]], Callable[[Any], Converter]]] = (
        (models.BooleanField, _boolean),
        (models.DateTimeField, _datetime),  # before DateField: it is a subclass
        (models.DateField, _date),
        (models.TimeField, _time),
        (models.UUIDField, _uuid),
        (models.DecimalField, _decimal),
        (models.IntegerField, _integer),  # covers the small, big, positive and auto kinds
        (models.AutoField, _integer),
        (models.BigAutoField, _integer),
        (models.SmallAutoField, _integer),
        (models.CharField, _text),
        (models.TextField, _text),
    )
    for field_class, make in checks:
        if isinstance(field, field_class):
            return make(field)
    if isinstance(field, models.BinaryField):
        return _binary
    if isinstance(field, models.JSONField):
        return _json
    return _fallback(field)


SnapshotPlan = tuple[tuple[str, Converter], ...]
_plans: dict[type[models.Model], SnapshotPlan] = {}
_digesters: dict[type[models.Model], Callable[[Mapping[str, Any]], str]] = {}


def snapshot_plan(model: type[models.Model]) -> SnapshotPlan:
    """The audited fields of ``model`` (sorted by attribute name) and their converters."""
    plan = _plans.get(model)
    if plan is None:
        exclude = set(getattr(model, "audit_exclude", ()))
        fields = [
            field
            for field in model._meta.concrete_fields
            if field.name not in exclude and field.attname not in exclude
        ]
        plan = tuple(
            (field.attname, field_converter(field))
            for field in sorted(fields, key=lambda f: f.attname)
        )
        _plans[model] = plan
    return plan


_neutral: dict[type[models.Model], dict[str, Any]] = {}


def snapshot_neutral(model: type[models.Model]) -> dict[str, Any]:
    """Fields added to ``model`` after rows of it were audited, by attname, with the converted
    value at which the snapshot leaves them out (``AuditedModel.audit_added_fields``).

    A new column would otherwise change the digest of every row audited before it existed,
    and ``audit verify`` would report them all as changed behind the services' back. A row
    whose new field still holds the value it was added with digests as it did before; once a
    service sets another value, the field is part of the snapshot like any other.
    """
    neutral = _neutral.get(model)
    if neutral is None:
        converters = dict(snapshot_plan(model))
        added = getattr(model, "audit_added_fields", {})
        neutral = _neutral[model] = {
            attname: None if value is None else converters[attname](value)
            for attname, value in added.items()
        }
    return neutral


def _drop_neutral(model: type[models.Model], snapshot: dict[str, Any]) -> dict[str, Any]:
    for attname, value in snapshot_neutral(model).items():
        if snapshot.get(attname, value) == value:
            snapshot.pop(attname, None)
    return snapshot


def snapshot_attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The attribute names a snapshot of ``model`` covers (what a bulk loader must supply)."""
    return tuple(attname for attname, _ in snapshot_plan(model))


def snapshot_from_values(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot of a row of ``model`` given its values by attribute name."""
    plan = snapshot_plan(model)
    try:
        snapshot = {
            attname: None if (value := values[attname]) is None else convert(value)
            for attname, convert in plan
        }
    except KeyError as exc:
        missing = [attname for attname, _ in plan if attname not in values]
        raise ValueError(
            f"{model._meta.label}: a row digest needs every audited field; missing {missing}"
        ) from exc
    return _drop_neutral(model, snapshot)


def row_digest_from_values(model: type[models.Model], values_by_attname: Mapping[str, Any]) -> str:
    """The digest of a row from the values about to be inserted (same as ``row_digest``).

    For a loader that holds each row's values before a ``COPY`` or ``bulk_create``: every
    audited attribute must be present (``snapshot_attnames``), with the value the row will
    hold (Python objects or their text forms: a UUID or its string, a date or "1980-02-29").
    """
    digester = _digesters.get(model)
    if digester is None:
        digester = _digesters[model] = row_digester(model)
    return digester(values_by_attname)


def row_digester(model: type[models.Model]) -> Callable[[Mapping[str, Any]], str]:
    """A fast ``row_digest_from_values(model, …)`` for loops over many rows."""
    attnames = snapshot_attnames(model)
    pick = operator.itemgetter(*attnames)
    digest_of_sequence = sequence_digester(model)

    def row_digest_of(values: Mapping[str, Any]) -> str:
        try:
            in_order = pick(values)
        except KeyError:
            snapshot_from_values(model, values)  # raises the error naming what is missing
            raise
        return digest_of_sequence(in_order if len(attnames) > 1 else (in_order,))

    return row_digest_of


def sequence_digester(model: type[models.Model]) -> Callable[[Sequence[Any]], str]:
    """Like ``row_digester``, for a row given as its values in ``snapshot_attnames`` order.

    The plan is looked up once and the canonical JSON is written directly (keys are already
    sorted; strings escaped by the same C function ``json.dumps`` uses), which gives the very
    bytes ``canonical_json`` would at a fraction of the cost. For rows read straight from a
    database cursor (an ``UPDATE … RETURNING``, say) it skips building a mapping per row.
    """
    text_fields = {
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.is_relation
    }
    neutral = snapshot_neutral(model)
    steps = tuple(
        (
            json.dumps(attname, ensure_ascii=False) + ":",
            attname in text_fields,
            convert,
            attname in neutral,
            neutral.get(attname),
        )
        for attname, convert in snapshot_plan(model)
    )
    quote: Callable[[str], str] = json.encoder.encode_basestring
    sha256 = hashlib.sha256

    def sequence_digest_of(values: Sequence[Any]) -> str:
        if len(values) != len(steps):
            raise ValueError(
                f"{model._meta.label}: a row digest needs {len(steps)} values, got {len(values)}"
            )
        parts: list[str] = []
        append = parts.append
        for (prefix, is_text, convert, omittable, omitted_at), value in zip(
            steps, values, strict=True
        ):
            if value is None:
                if not (omittable and omitted_at is None):
                    append(prefix + "null")
                continue
            # Most audited fields are text that needs no conversion: skip the call.
            text = value if is_text and type(value) is str else convert(value)
            if omittable and text == omitted_at:
                continue
            if type(text) is str:
                append(prefix + quote(text))
            else:  # a JSON field's decoded value
                append(prefix + canonical_json(text).decode())
        return sha256(("{" + ",".join(parts) + "}").encode()).hexdigest()

    return sequence_digest_of


def row_digest(instance: models.Model) -> str:
    """The digest of an audited row as it is in memory: ``digest(instance.audit_snapshot())``."""
    return digest(snapshot_of(instance))


def snapshot_of(instance: models.Model) -> dict[str, Any]:
    """The snapshot of an instance (deferred fields are loaded as ``getattr`` does)."""
    model = type(instance)
    return _drop_neutral(
        model,
        {
            attname: None if (value := getattr(instance, attname)) is None else convert(value)
            for attname, convert in snapshot_plan(model)
        },
    )
