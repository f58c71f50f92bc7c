"""Replaying a check (核查复现, ADR 0042): the verdict and measures as they were at a screening
data version, from the restriction history, whatever has changed since.

A check logs its subject, scenario, day (``as_of``), how the name compared, whether details
were given, its verdict and measures, and the data version it was answered from
(``sanctions.versions``). ``verdict_at`` rebuilds the restriction rows of that version from
``RestrictionChange`` (per row, its latest change at or before the version, unless a
deletion) and answers from them with the check's own decision (``screening_decision``), so
``replay_check`` gives the logged verdict and measures back — or shows where they differ.

What it does not replay: who the identifier named (the check keeps the subject it resolved,
not the identifier, and a later correction of a subject's identifier or name is not in this
history), how the name compared (it keeps the outcome), and the scenario's retirement (a
logged check was answered, so its scenario was in use). Checks answered before the history
began (before migration 0009) cannot be replayed: ``ReplayUnavailableError``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Subquery

from educredit.sanctions.models import RestrictionChange, ScreeningCheck, ScreeningNameMatch
from educredit.sanctions.screening import screening_decision
from educredit.sanctions.versions import screening_data_version, screening_history_from
from educredit.subjects.models import Institution, Person


class ReplayUnavailableError(LookupError):
    """The check cannot be replayed; the message says why, "中文 / English"."""


@dataclass(frozen=True)
class ReplayedCheck:
    """A check's logged answer beside its replay at its day and data version."""

    check_id: uuid.UUID
    scenario: str
    as_of: dt.date
    data_version: int
    logged_verdict: str
    logged_measures: list[dict[str, Any]]
    verdict: str
    measures: list[dict[str, Any]]

    @property
    def same(self) -> bool:
        """Whether the replay gives the logged verdict and measures."""
        return self.verdict == self.logged_verdict and self.measures == self.logged_measures


def _state_at(
    subject: Institution | Person, scenario: str, version: int, *, details: bool
) -> list[RestrictionChange]:
    """The subject's restriction rows in the scenario as ``version`` left them (two reads:
    the rows it ever had there, then each one's latest change — a row may have moved to
    another subject since, or from one)."""
    field = "person" if isinstance(subject, Person) else "institution"
    ever = RestrictionChange.objects.filter(
        **{field: subject}, scenario=scenario, version__lte=version
    ).values("restriction_id")
    changes = RestrictionChange.objects.filter(
        restriction_id__in=Subquery(ever), version__lte=version
    ).select_related("measure", *(["basis_record", "basis_list_entry"] if details else []))
    latest: dict[int, RestrictionChange] = {}
    for change in changes.order_by("version", "id"):
        latest[change.restriction_id] = change
    return [
        row
        for row in latest.values()
        if not row.deleted and getattr(row, f"{field}_id") == subject.pk
    ]


def _logged(row: RestrictionChange, *, details: bool) -> dict[str, Any]:
    """A measure as the check row logs it (``screening._logged``)."""
    logged: dict[str, Any] = {
        "code": row.measure.code,
        "version": row.measure_version,
        "verdict": row.verdict,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat() if row.ends_on else None,
    }
    if details:
        if row.basis_record is not None:
            logged["basis"] = f"record:{row.basis_record.public_id}"
        elif row.basis_list_entry is not None:
            logged["basis"] = f"list_entry:{row.basis_list_entry.public_id}"
    return logged


def verdict_at(
    subject: Institution | Person | None,
    scenario: str,
    as_of: dt.date,
    version: int,
    *,
    name_match: str = ScreeningNameMatch.NOT_GIVEN,
    details: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The verdict and measures (as a check logs them) of a subject in a scenario on ``as_of``,
    from the restrictions as they were at screening data ``version``; ``details`` adds each
    measure's basis. No subject (nothing held on the identifier): "clear"."""
    history_from = screening_history_from()
    if version < history_from:
        raise ReplayUnavailableError(
            f"数据版本 {version} 早于措施变更历史的起点 {history_from}，无法复现 / "
            f"data version {version} predates the restriction history (from {history_from})"
        )
    if version > screening_data_version():
        raise ReplayUnavailableError(
            f"数据版本 {version} 尚不存在 / data version {version} does not exist yet"
        )
    if subject is None:
        return screening_decision(name_match, [])[0], []
    rows = [
        row
        for row in _state_at(subject, scenario, version, details=details)
        if row.starts_on <= as_of and (row.ends_on is None or as_of < row.ends_on)
    ]
    rows.sort(key=lambda row: (row.starts_on, row.restriction_id))  # the check's own order
    verdict, reason, in_force = screening_decision(name_match, rows)
    return verdict, [_logged(row, details=details and not reason) for row in in_force]


def replay_check(check: ScreeningCheck) -> ReplayedCheck:
    """Replay a logged check with its ``as_of`` and data version, beside what it logged."""
    subject: Institution | Person | None = check.person or check.institution
    verdict, measures = verdict_at(
        subject,
        check.scenario,
        check.as_of,
        check.data_version,
        name_match=check.name_match,
        details=check.details_given,
    )
    return ReplayedCheck(
        check_id=check.public_id,
        scenario=check.scenario,
        as_of=check.as_of,
        data_version=check.data_version,
        logged_verdict=check.verdict,
        logged_measures=list(check.measures),
        verdict=verdict,
        measures=measures,
    )


__all__ = ["ReplayUnavailableError", "ReplayedCheck", "replay_check", "verdict_at"]
