"""Exports of list pages that show credit subjects (ADR 0036): the core list export
(``core.exports``) with the two rules every export of non-public information keeps.

- More subjects than ``EDUCREDIT_BULK_ACCESS_THRESHOLD`` need a bulk-access approval
  (``rights.approvals.bulk_access_guard``: the user is sent to ask for one, with the count);
- every subject in the file is written to the query log as an export (``staff_read_log``).

The page's own view builds the filtered queryset (jurisdiction through its ``visible_to``
selector) and hands it here with its columns and a function naming each row's subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from educredit.core.exports import (
    Column,
    ExportError,
    check_export_view,
    export_format,
    export_refused,
    export_response,
    export_rows,
)
from educredit.rights.approvals import bulk_access_guard, canonical_parameters
from educredit.rights.purpose import staff_read_log
from educredit.subjects.choices import QueryKind
from educredit.subjects.models import Institution, Person

# What a row is about: (person, institution), either may be None.
SubjectsOf = Callable[[Any], tuple[Person | None, Institution | None]]


def subject_of(row: Any) -> tuple[Person | None, Institution | None]:
    """The subject of a row that has ``person`` and ``institution`` (records, list entries)."""
    return getattr(row, "person", None), getattr(row, "institution", None)


def subject_name(row: Any) -> str:
    """The name of the row's subject (a column of every export of subjects)."""
    person, institution = subject_of(row)
    subject = institution or person
    return subject.name if subject is not None else ""


def subject_identifier(row: Any) -> str:
    """The institution's USCC or the person's masked number (never the number itself)."""
    person, institution = subject_of(row)
    if institution is not None:
        return institution.uscc or ""
    return person.id_number_masked if person is not None else ""


def export_subject_list(
    request: HttpRequest,
    objects: Iterable[Any],
    columns: Sequence[Column],
    *,
    stem: str,
    sheet: Any,
    subjects: SubjectsOf = subject_of,
) -> HttpResponse:
    """The list page's current filter as a file, after the bulk approval (above the threshold)
    and with one query-log row per subject in it."""
    check_export_view(request)
    try:
        export_format(request)
        rows = export_rows(objects)
    except ExportError as exc:
        return export_refused(request, exc)
    persons: dict[int, Person] = {}
    institutions: dict[int, Institution] = {}
    for row in rows:
        person, institution = subjects(row)
        if person is not None:
            persons[person.pk] = person
        if institution is not None:
            institutions[institution.pk] = institution
    match = getattr(request, "resolver_match", None)
    route = str(match.view_name) if match is not None else request.path
    stopped = bulk_access_guard(
        request, route, canonical_parameters(request), len(persons) + len(institutions)
    )
    if stopped is not None:
        return stopped
    staff_read_log(
        request,
        persons=persons.values(),
        institutions=institutions.values(),
        kind=QueryKind.EXPORT,
    )
    return export_response(request, rows, columns, stem=stem, sheet=sheet)
