"""A subject's query history ("who looked at me", Henan §24, §40): every read of the subject's
non-public credit information by someone else, from the query log and the screening checks.

The subject sees which organisation (or authorised third party) read what, when, how and for
what purpose; staff names are masked (the organisation answers for its staff, and a subject
has no claim to a civil servant's full name). Credit reports list the same rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from educredit.core.i18n import english
from educredit.sanctions.models import BulkCheckRun, Scenario, ScreeningCheck
from educredit.sanctions.selectors import bulk_answers_of_subject, checks_of_subject
from educredit.subjects.choices import QueryKind, QueryMode
from educredit.subjects.models import Institution, Person, SubjectQueryLog


@dataclass(frozen=True)
class QueryHistoryRow:
    """One read of the subject's credit information by someone else, as the subject sees it."""

    at: dt.datetime
    organisation: str
    who: str
    mode: str
    kind: str
    purpose: str


def mask_name(name: str) -> str:
    """A person's name with all but its first character hidden (张三 → 张*)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def query_history_for(
    *, person: Person | None = None, institution: Institution | None = None, limit: int = 200
) -> list[QueryHistoryRow]:
    """The subject's query history, newest first: query-log rows (not the subject's own) and
    screening checks about the subject, at most ``limit`` rows."""
    if (person is None) == (institution is None):
        return []
    subject: dict[str, Person | Institution | None] = (
        {"person": person} if person is not None else {"institution": institution}
    )
    logs = (
        SubjectQueryLog.objects.filter(**subject)
        .exclude(mode=QueryMode.SELF)
        .select_related("user", "api_client", "organisation")
        .order_by("-at", "-pk")[:limit]
    )
    rows = [
        QueryHistoryRow(
            at=log.at,
            organisation=(
                log.organisation.name
                if log.organisation is not None
                else log.requester_name or (log.api_client.name if log.api_client else "")
            ),
            who=(
                mask_name(str(log.user))
                if log.user is not None
                else (log.api_client.name if log.api_client is not None else log.requester_name)
            ),
            mode=str(QueryMode(log.mode).label) if log.mode in QueryMode.values else log.mode,
            kind=str(QueryKind(log.kind).label) if log.kind in QueryKind.values else log.kind,
            purpose=log.purpose_shown,
        )
        for log in logs
    ]
    checks = list(checks_of_subject(person=person, institution=institution)[:limit])
    # A bulk check's rows are logged narrowly: who asked and why is their run's.
    answers = list(bulk_answers_of_subject(person=person, institution=institution)[:limit])
    runs = [answer.run for answer in answers]
    # A check's purpose is its business scenario, named in the reader's language.
    scenario_names = dict(
        Scenario.objects.filter(
            code__in={check.scenario for check in checks} | {run.scenario for run in runs}
        ).values_list("code", "name_en" if english() else "name")
    )
    # A single check, or a bulk row's run (who asked and why), with when it was answered.
    sources: list[tuple[dt.datetime, ScreeningCheck | BulkCheckRun]] = [
        *((check.created_at, check) for check in checks),
        *((answer.created_at, run) for answer, run in zip(answers, runs, strict=True)),
    ]
    rows += [
        QueryHistoryRow(
            at=at,
            organisation=check.organisation.name,
            who=(
                check.client.name
                if check.client is not None
                else mask_name(str(check.user))
                if check.user is not None
                else ""
            ),
            mode=str(QueryMode.GOVERNMENT.label),
            kind=_("信用核查"),
            purpose=scenario_names.get(check.scenario, check.scenario),
        )
        for at, check in sources
    ]
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:limit]
