"""Planning the checks of commitments (核查任务) and the selectors of the task list.

The matter list says how each commitment is checked and when: a task per commitment, due on
the matter's working days after acceptance. A matter checked in full gets a task as soon as a
commitment is accepted; a sampled matter's commitments wait for the daily draw, which pools,
per matter and accepting body, every accepted commitment not yet planned, draws the rate
(``draws``) and gives the drawn ones their tasks; the others stay under supervision with no
check of their own. Each draw keeps its seed and pool and is written to the audit log.
A 免于核查 matter gets none; a minor's commitment is no credit information (Henan §3) and is
not planned either.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from educredit.audit.services import audit_append
from educredit.commitments.checks import draws
from educredit.commitments.choices import (
    CommitmentDecision,
    CommitmentSupervisionState,
    MatterCheckMethod,
    MatterCheckScope,
    VerificationTaskStatus,
)
from educredit.commitments.models import CheckDraw, Commitment, VerificationTask
from educredit.core import clock
from educredit.core.workdays import add_working_days

DRAW_ACTOR = "system:check-draw"


def check_due_on(commitment: Commitment) -> dt.date:
    """The day the matter's check is due: its working days after the commitment was accepted."""
    days = commitment.matter.check_due_working_days
    if days <= 0:
        return commitment.signed_on
    return add_working_days(commitment.signed_on, days).date


def _sampled(commitment: Commitment) -> bool:
    matter = commitment.matter
    return matter.check_scope == MatterCheckScope.SAMPLE and matter.sample_rate < 100


def _waiting() -> QuerySet[Commitment]:
    """Accepted commitments under supervision whose checks are not planned yet."""
    return Commitment.objects.filter(
        decision=CommitmentDecision.SIGNED,
        supervision_state=CommitmentSupervisionState.SUPERVISING,
        credit_record__isnull=False,
        check_planned_on__isnull=True,
    ).exclude(matter__check_method=MatterCheckMethod.EXEMPT)


def _task_for(
    commitment: Commitment, *, day: dt.date, draw: CheckDraw | None = None
) -> VerificationTask:
    task = VerificationTask.objects.create(
        commitment=commitment,
        organisation=commitment.accepting_organisation,
        method=commitment.matter.check_method,
        draw=draw,
        due_on=check_due_on(commitment),
    )
    Commitment.objects.filter(pk=commitment.pk).update(check_planned_on=day)
    return task


def verification_plan_commitment(commitment: Commitment) -> VerificationTask | None:
    """The task of a commitment just accepted, when its matter is checked in full (a sampled
    matter waits for the draw). Runs inside the acceptance's transaction."""
    if not _waiting().filter(pk=commitment.pk).exists() or _sampled(commitment):
        return None
    return _task_for(commitment, day=clock.today())


@transaction.atomic
def _draw_group(pks: list[int], day: dt.date) -> CheckDraw | None:
    pool = list(
        _waiting()
        .select_for_update()
        .filter(pk__in=pks)
        .select_related("matter", "accepting_organisation")
        .order_by("pk")
    )
    if not pool:  # another planner took them first
        return None
    matter = pool[0].matter
    by_code = {commitment.code or "": commitment for commitment in pool}
    codes = draws.sorted_pool(by_code)
    seed = draws.new_seed()
    drawn = draws.draw(seed, codes, matter.sample_rate)
    record = CheckDraw.objects.create(
        matter=matter,
        accepting_organisation=pool[0].accepting_organisation,
        drawn_on=day,
        method=draws.METHOD,
        seed=seed,
        pool=codes,
        pool_sha256=draws.pool_digest(codes),
        sample_rate=matter.sample_rate,
        sample_size=len(drawn),
        selected=drawn,
    )
    for code in drawn:
        _task_for(by_code[code], day=day, draw=record)
    Commitment.objects.filter(pk__in=[c.pk for c in pool]).update(check_planned_on=day)
    audit_append(
        actor=DRAW_ACTOR,
        action="commitments.check_draw",
        target=record,
        before=None,
        reason=(
            f"{matter.code} {draws.METHOD} seed={seed} pool={len(codes)} "
            f"sha256={record.pool_sha256} rate={matter.sample_rate}% drawn={','.join(drawn)}"
        )[:2000],
    )
    return record


def verification_plan_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Plan every accepted commitment not planned yet: tasks for the matters checked in full,
    one draw per sampled matter and body. Returns the tasks made and the draws."""
    day = today or clock.today()
    counts = {"tasks": 0, "draws": 0}
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    waiting = _waiting().filter(signed_on__lte=day).select_related("matter").order_by("pk")
    for commitment in waiting.iterator(chunk_size=500):
        if _sampled(commitment):
            groups[commitment.matter_id, commitment.accepting_organisation_id].append(commitment.pk)
            continue
        with transaction.atomic():
            if _waiting().select_for_update().filter(pk=commitment.pk).exists():
                _task_for(commitment, day=day)
                counts["tasks"] += 1
    for _group, pks in sorted(groups.items()):
        record = _draw_group(pks, day)
        if record is None:
            continue
        counts["draws"] += 1
        counts["tasks"] += record.sample_size
    return counts


def verification_task_close(
    commitment: Commitment, *, findings: str, by: str, day: dt.date
) -> VerificationTask | None:
    """Close the commitment's open task, if it has one, as its fulfilment is decided."""
    task = (
        VerificationTask.objects.select_for_update()
        .filter(commitment=commitment, status=VerificationTaskStatus.OPEN)
        .first()
    )
    if task is None:
        return None
    task.status = VerificationTaskStatus.DONE
    task.findings = findings
    task.done_on = day
    task.done_by = by
    task.save(update_fields=["status", "findings", "done_on", "done_by"])
    return task


# --- selectors ------------------------------------------------------------------------------


def tasks_visible_to(user: Any) -> QuerySet[VerificationTask]:
    """Tasks of the bodies within the user's jurisdiction."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return VerificationTask.objects.none()
    return VerificationTask.objects.filter(
        organisation__path__startswith=organisation.path
    ).select_related("commitment", "commitment__matter", "organisation", "draw")


def overdue_tasks(tasks: QuerySet[VerificationTask], today: dt.date) -> QuerySet[VerificationTask]:
    """Tasks still open after their due day."""
    return tasks.filter(status=VerificationTaskStatus.OPEN, due_on__lt=today)


def draws_visible_to(user: Any) -> QuerySet[CheckDraw]:
    """Draws of the bodies within the user's jurisdiction."""
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return CheckDraw.objects.none()
    return CheckDraw.objects.filter(
        accepting_organisation__path__startswith=organisation.path
    ).select_related("matter", "accepting_organisation")
