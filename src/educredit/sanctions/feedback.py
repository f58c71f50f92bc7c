"""Feedback (反馈): what a business system did with a hit, and the hits still waiting for it.

A hit is a check by an API client whose verdict was ``restricted`` or ``review`` (a name
mismatch included: the system decided something about it too). The client that ran the check
reports the outcome once and may correct it once (ADR 0023). A hit without feedback after
``EDUCREDIT_FEEDBACK_WORKING_DAYS`` working days (counted as ``core.workdays`` counts every
deadline, from the Beijing date of the check) is overdue: the to-do list of the client's owner
organisation counts it live, so no job is needed to raise the warning.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from educredit.accounts.models import ApiClient
from educredit.audit.services import audit_append
from educredit.core import clock
from educredit.core.workdays import WorkingCalendar, working_calendar
from educredit.sanctions.models import (
    CheckFeedback,
    CheckFeedbackOutcome,
    ScreeningCheck,
)
from educredit.sanctions.screening import ScreeningCheckNotFoundError

HIT_VERDICTS = ("restricted", "review")
REASON_MAX = 1000


class FeedbackError(ValueError):
    """The feedback was refused as sent; ``errors`` maps each field to "中文 / English"."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class FeedbackNotAHitError(FeedbackError):
    """The check did not hit (clear or reward): there is nothing to report on."""


class FeedbackAlreadyReportedError(LookupError):
    """The check's feedback was reported and corrected once already."""


def feedback_working_days() -> int:
    return int(settings.EDUCREDIT_FEEDBACK_WORKING_DAYS)


def hits() -> QuerySet[ScreeningCheck]:
    """Every check by a business system that hit (staff checks take no feedback)."""
    return ScreeningCheck.objects.filter(client__isnull=False, verdict__in=HIT_VERDICTS)


# The cutoff of a day, kept a few minutes per process: the to-do list asks on every home page
# and should not read the holiday table each time. A holiday entered later applies within
# CUTOFF_CACHE_SECONDS.
CUTOFF_CACHE_SECONDS = 600
_cutoffs: dict[tuple[dt.date, int], tuple[dt.date, float]] = {}


def overdue_cutoff(
    as_of: dt.date, *, days: int | None = None, calendar: WorkingCalendar | None = None
) -> dt.date:
    """The latest check date whose feedback is overdue on ``as_of``: its ``days``-th working
    day after it is before ``as_of``. Due dates grow with the check date, so the first such
    date counting back is the latest one (a few dozen in-memory steps over any holiday)."""
    days = feedback_working_days() if days is None else days
    key = (as_of, days)
    cached = _cutoffs.get(key)
    if calendar is None and cached is not None and cached[1] > time.monotonic():
        return cached[0]
    calendar = calendar or working_calendar()
    day = as_of - dt.timedelta(days=1)
    while calendar.add(day, days).date >= as_of:
        day -= dt.timedelta(days=1)
    if len(_cutoffs) > 100:
        _cutoffs.clear()
    _cutoffs[key] = (day, time.monotonic() + CUTOFF_CACHE_SECONDS)
    return day


def overdue_q(as_of: dt.date | None = None) -> Q:
    """Hits checked on or before the cutoff and still without feedback."""
    cutoff = overdue_cutoff(as_of or clock.today())
    start_after = dt.datetime.combine(
        cutoff + dt.timedelta(days=1), dt.time(), tzinfo=clock.BEIJING
    )
    return Q(created_at__lt=start_after, feedback__isnull=True)


def overdue_hits(as_of: dt.date | None = None) -> QuerySet[ScreeningCheck]:
    """Hits without feedback after the configured number of working days (逾期未反馈)."""
    return hits().filter(overdue_q(as_of))


def _check_of(client: ApiClient, check_id: Any) -> ScreeningCheck:
    try:
        key = check_id if isinstance(check_id, uuid.UUID) else uuid.UUID(str(check_id))
    except ValueError as exc:
        raise ScreeningCheckNotFoundError(str(check_id)) from exc
    check = ScreeningCheck.objects.select_for_update().filter(client=client, public_id=key).first()
    if check is None:
        raise ScreeningCheckNotFoundError(str(check_id))
    return check


@transaction.atomic
def check_feedback_report(
    *, client: ApiClient, check: Any, outcome: str, reason: str = ""
) -> CheckFeedback:
    """Record (or correct once) what the business system did with its hit, audited.

    ``check`` is a ``ScreeningCheck`` or its public id; only the client that ran it may report
    (``ScreeningCheckNotFoundError`` otherwise, as for a check that does not exist).
    """
    if isinstance(check, ScreeningCheck):
        check = check.public_id
    found = _check_of(client, check)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if outcome not in CheckFeedbackOutcome.values:
        errors["outcome"] = (
            f"反馈结果应为 {'、'.join(CheckFeedbackOutcome.values)} 之一 / "
            f"outcome must be one of {', '.join(CheckFeedbackOutcome.values)}"
        )
    elif outcome == CheckFeedbackOutcome.NOT_APPLIED and not reason:
        errors["reason"] = "未采纳须说明理由 / not_applied needs a reason"
    if len(reason) > REASON_MAX:
        errors["reason"] = f"理由最多 {REASON_MAX} 个字符 / reason: at most {REASON_MAX} characters"
    if found.verdict not in HIT_VERDICTS:
        raise FeedbackNotAHitError(
            {
                "check": f"该核查结论为 {found.verdict}，未命中惩戒措施，无需反馈 / the check's "
                f"verdict is {found.verdict}: it did not hit, there is nothing to report"
            }
        )
    if errors:
        raise FeedbackError(errors)
    now = timezone.now()
    actor = f"api:{client.key_prefix}"
    existing = CheckFeedback.objects.filter(screening_check=found).first()
    if existing is None:
        feedback = CheckFeedback.objects.create(
            screening_check=found, outcome=outcome, reason=reason, reported_at=now
        )
        audit_append(
            actor=actor,
            action="sanctions.check_feedback",
            target=feedback,
            before=None,
            reason=f"反馈 / feedback {outcome}",
        )
        return feedback
    if existing.corrected_at is not None:
        raise FeedbackAlreadyReportedError(str(found.public_id))
    before = existing.audit_snapshot()
    existing.outcome, existing.reason, existing.corrected_at = outcome, reason, now
    existing.save(update_fields=["outcome", "reason", "corrected_at"])
    audit_append(
        actor=actor,
        action="sanctions.check_feedback_correct",
        target=existing,
        before=before,
        reason=f"更正反馈 / feedback corrected to {outcome}",
    )
    return existing
