"""Reads of the measure list. It is province-wide reference data: every staff user reads it.

The version in force on a day is the published (or since retired) version whose effective date
is on or before that day and which was not yet retired on it. Filters on the JSON columns
(scenarios, triggers) run in Python over one version's measures — a few dozen rows — so they
behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from educredit.catalog.choices import SubjectType
from educredit.catalog.selectors import catalog_items, current_catalog_version
from educredit.editions.selectors import edition_in_force
from educredit.sanctions.choices import MeasureVerdict
from educredit.sanctions.models import (
    BulkCheckAnswer,
    Measure,
    MeasureListVersion,
    Restriction,
    Scenario,
    ScreeningCheck,
)
from educredit.subjects.models import Institution, Person


def measure_list_in_force(as_of: datetime.date | None = None) -> MeasureListVersion | None:
    """The measure-list version in force on ``as_of`` (today by default), or None."""
    return edition_in_force(MeasureListVersion, as_of)


def measure_list_versions() -> QuerySet[MeasureListVersion]:
    """Every version, newest first, with its number of measures (``measure_count``)."""
    return MeasureListVersion.objects.annotate(measure_count=Count("measures")).order_by("-number")


def measure_list_version_by_number(number: int) -> MeasureListVersion | None:
    """The version with this number, or None."""
    return MeasureListVersion.objects.filter(number=number).first()


def measure_by_public_id(public_id: str) -> Measure | None:
    """Any version's measure by its public id, or None (also for a malformed id)."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Measure.objects.select_related("version").filter(public_id=key).first()


def measures(
    version: MeasureListVersion | None,
    *,
    direction: str = "",
    scenario: str = "",
    subject_type: str = "",
    trigger: str = "",
) -> list[Measure]:
    """The measures of ``version`` in list order, optionally filtered.

    ``subject_type`` "person" also keeps measures for both kinds of subject; ``trigger`` is a
    catalog item code or ``list:<CreditListKind>``.
    """
    if version is None:
        return []
    rows: Iterable[Measure] = Measure.objects.filter(version=version).order_by("sort_order", "code")
    if direction:
        rows = [m for m in rows if m.direction == direction]
    if subject_type:
        rows = [m for m in rows if m.subject_type in (subject_type, SubjectType.BOTH)]
    if scenario:
        rows = [m for m in rows if scenario in m.scenarios]
    if trigger.startswith("list:"):
        rows = [m for m in rows if trigger.removeprefix("list:") in m.trigger_lists]
    elif trigger:
        rows = [m for m in rows if trigger in m.trigger_items]
    return list(rows)


def measures_for_trigger(
    *,
    item_code: str | None = None,
    list_kind: str | None = None,
    as_of: datetime.date | None = None,
) -> list[Measure]:
    """The measures of the list in force on ``as_of`` that a record of catalog item
    ``item_code`` or an entry on list ``list_kind`` triggers (before ``trigger_where``)."""
    version = measure_list_in_force(as_of)
    return [
        measure
        for measure in measures(version)
        if (item_code and item_code in measure.trigger_items)
        or (list_kind and list_kind in measure.trigger_lists)
    ]


def scenarios(*, include_retired: bool = True) -> QuerySet[Scenario]:
    """The business scenarios in their shared order (retired ones too unless asked not to)."""
    rows = Scenario.objects.order_by("sort_order", "code")
    return rows if include_retired else rows.filter(retired_from__isnull=True)


def catalog_item_names(as_of: datetime.date | None = None) -> dict[str, str]:
    """Code → name of the catalog items in force on ``as_of`` (for showing triggers)."""
    catalog = current_catalog_version(as_of) or current_catalog_version()
    if catalog is None:
        return {}
    return dict(catalog_items(catalog).values_list("code", "name"))


def catalog_field_labels(as_of: datetime.date | None = None) -> dict[str, dict[str, str]]:
    """Code → {payload field name → label} of the catalog items in force on ``as_of``
    (for showing a measure's ``trigger_where`` conditions in words)."""
    catalog = current_catalog_version(as_of) or current_catalog_version()
    if catalog is None:
        return {}
    return {
        code: {str(f.get("name", "")): str(f.get("label", "")) for f in schema}
        for code, schema in catalog_items(catalog).values_list("code", "field_schema")
    }


# --- restrictions (ADR 0021) ---------------------------------------------------------------

CLEAR = "clear"
# Strongest first: a subject restricted and rewarded in one scenario is restricted there.
VERDICT_STRENGTH: dict[str, int] = {
    MeasureVerdict.RESTRICTED: 3,
    MeasureVerdict.REVIEW: 2,
    MeasureVerdict.REWARD: 1,
}


def _in_force(
    subject: Institution | Person, as_of: datetime.date, *, with_basis: bool = True
) -> QuerySet[Restriction]:
    """The subject's restrictions in force on ``as_of``, with their measure — and the record
    or list entry behind each unless ``with_basis`` is False (a check that may not show them
    reads none of their columns)."""
    if isinstance(subject, Institution):
        rows = Restriction.objects.filter(institution=subject)
    elif isinstance(subject, Person):
        rows = Restriction.objects.filter(person=subject)
    else:
        raise TypeError("a restriction's subject is an institution or a person")
    basis = ("basis_record", "basis_record__catalog_item", "basis_list_entry") if with_basis else ()
    return (
        rows.filter(starts_on__lte=as_of)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=as_of))
        .select_related("measure", *basis)
    )


def restrictions_for(
    subject: Institution | Person,
    *,
    scenario: str | None = None,
    as_of: datetime.date,
    with_basis: bool = True,
) -> list[Restriction]:
    """The measures in force on ``as_of`` for the subject (in one scenario if given), with
    their measure and basis, strongest verdict first (one query)."""
    rows = _in_force(subject, as_of, with_basis=with_basis)
    if scenario:
        rows = rows.filter(scenario=scenario)
    found = list(rows.order_by("scenario", "starts_on", "pk"))
    return sorted(found, key=lambda row: -VERDICT_STRENGTH.get(row.verdict, 0))


@dataclass(frozen=True)
class Screening:
    """A screening answer: clear / restricted / review / reward, and the rows behind it."""

    verdict: str
    restrictions: list[Restriction]


def verdict_for(
    subject: Institution | Person,
    *,
    scenario: str,
    as_of: datetime.date,
    with_basis: bool = True,
) -> Screening:
    """The strongest verdict (restricted > review > reward > clear) for the subject in a
    scenario on a day, with every restriction in force behind it — one query, a range scan
    of the (subject, scenario, starts_on) index."""
    rows = restrictions_for(subject, scenario=scenario, as_of=as_of, with_basis=with_basis)
    verdict = rows[0].verdict if rows else CLEAR
    return Screening(verdict=str(verdict), restrictions=rows)


def checks_of_subject(
    *, person: Person | None = None, institution: Institution | None = None
) -> QuerySet[ScreeningCheck]:
    """The screening checks made about one subject, newest first (the subject's own query
    history: who checked them, when and for which scenario)."""
    if (person is None) == (institution is None):
        return ScreeningCheck.objects.none()
    subject_filter = Q(person=person) if person is not None else Q(institution=institution)
    return (
        ScreeningCheck.objects.filter(subject_filter)
        .select_related("client", "user", "organisation")
        .order_by("-created_at", "-pk")
    )


def bulk_answers_of_subject(
    *, person: Person | None = None, institution: Institution | None = None
) -> QuerySet[BulkCheckAnswer]:
    """The bulk-check rows that named one subject, newest first (the subject's query history,
    as ``checks_of_subject``: who asked is the row's run's caller, the purpose its scenario)."""
    if (person is None) == (institution is None):
        return BulkCheckAnswer.objects.none()
    subject_filter = Q(person=person) if person is not None else Q(institution=institution)
    return (
        BulkCheckAnswer.objects.filter(subject_filter)
        .select_related("run__client", "run__user", "run__organisation")
        .order_by("-created_at", "-pk")
    )
