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

from educredit.audit.canonical import row_digest
from educredit.audit.services import audit_append, audit_append_bulk
from educredit.commitments.checks import draws
from educredit.commitments.choices import (
    CommitmentDecision,
    CommitmentSupervisionState,
    MatterCheckMethod,
    MatterCheckScope,
    VerificationTaskStatus,
)
from educredit.commitments.models import CheckDraw, Commitment, Matter, VerificationTask
from educredit.core import clock
from educredit.core.workdays import add_working_days

PLAN_ACTOR = "system:check-plan"
DRAW_ACTOR = "system:check-draw"


def accepted_on(commitment: Commitment) -> dt.date:
    """The day the accepting body accepted the commitment: its JY-CN-01 record was made then
    (staff and business systems accept as they sign; self-service when the body accepts)."""
    if commitment.credit_record is None:
        return commitment.signed_on
    return max(commitment.signed_on, clock.local_date(commitment.credit_record.created_at))


def check_due_on(commitment: Commitment) -> dt.date:
    """The day the matter's check is due: its working days after the commitment was accepted."""
    days = commitment.matter.check_due_working_days
    start = accepted_on(commitment)
    if days <= 0:
        return start
    return add_working_days(start, days).date


def matter_sampled(matter: Matter) -> bool:
    """Whether the matter checks a sample of its commitments (drawn daily), not every one."""
    return matter.check_scope == MatterCheckScope.SAMPLE and matter.sample_rate < 100


def _waiting() -> QuerySet[Commitment]:
    """Accepted commitments under supervision whose checks are not planned yet."""
    return Commitment.objects.filter(
        decision=CommitmentDecision.SIGNED,
        supervision_state=CommitmentSupervisionState.SUPERVISING,
        credit_record__isnull=False,
        check_planned_on__isnull=True,
    ).exclude(matter__check_method=MatterCheckMethod.EXEMPT)


def _task_create(commitment: Commitment, *, draw: CheckDraw | None = None) -> VerificationTask:
    task = VerificationTask.objects.create(
        commitment=commitment,
        organisation=commitment.accepting_organisation,
        method=commitment.matter.check_method,
        draw=draw,
        due_on=check_due_on(commitment),
    )
    audit_append(
        actor=PLAN_ACTOR if draw is None else DRAW_ACTOR,
        action="commitments.task_plan",
        target=task,
        before=None,
        reason=f"{commitment.code} {task.method} {task.due_on.isoformat()}",
    )
    return task


def verification_plan_commitment(commitment: Commitment) -> VerificationTask | None:
    """The task of a commitment just accepted, when its matter is checked in full (a sampled
    matter waits for the draw). Runs inside the acceptance, whose own audit entry follows and
    records the commitment as planned."""
    if not _waiting().filter(pk=commitment.pk).exists() or matter_sampled(commitment.matter):
        return None
    commitment.check_planned_on = clock.today()
    commitment.save(update_fields=["check_planned_on"])
    return _task_create(commitment)


@transaction.atomic
def _plan_one(pk: int, day: dt.date) -> bool:
    commitment = (
        _waiting().select_for_update().select_related("matter", "credit_record").filter(pk=pk)
    ).first()
    if commitment is None:  # another planner took it first
        return False
    before = commitment.audit_snapshot()
    commitment.check_planned_on = day
    commitment.save(update_fields=["check_planned_on"])
    audit_append(
        actor=PLAN_ACTOR, action="commitments.check_plan", target=commitment, before=before
    )
    _task_create(commitment)
    return True


@transaction.atomic
def _draw_group(pks: list[int], day: dt.date) -> CheckDraw | None:
    pool = list(
        _waiting()
        .select_for_update()
        .filter(pk__in=pks)
        .select_related("matter", "accepting_organisation", "credit_record")
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
    members = []
    for commitment in pool:
        commitment.check_planned_on = day
        commitment.save(update_fields=["check_planned_on"])
        members.append((commitment.pk, row_digest(commitment)))
    audit_append_bulk(
        actor=DRAW_ACTOR,
        action="commitments.check_plan",
        model=Commitment,
        members=members,
        reason=f"{matter.code} {record.public_id}",
    )
    for code in drawn:
        _task_create(by_code[code], draw=record)
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
        if matter_sampled(commitment.matter):
            groups[commitment.matter_id, commitment.accepting_organisation_id].append(commitment.pk)
            continue
        if _plan_one(commitment.pk, day):
            counts["tasks"] += 1
    for _group, pks in sorted(groups.items()):
        record = _draw_group(pks, day)
        if record is None:
            continue
        counts["draws"] += 1
        counts["tasks"] += record.sample_size
    return counts


def verification_task_close(
    commitment: Commitment, *, actor: Any, findings: str, by: str, day: dt.date
) -> VerificationTask | None:
    """Close the commitment's open task, if it has one, as its fulfilment is decided."""
    task = (
        VerificationTask.objects.select_for_update()
        .filter(commitment=commitment, status=VerificationTaskStatus.OPEN)
        .first()
    )
    if task is None:
        return None
    before = task.audit_snapshot()
    task.status = VerificationTaskStatus.DONE
    task.findings = findings
    task.done_on = day
    task.done_by = by
    task.save(update_fields=["status", "findings", "done_on", "done_by"])
    audit_append(actor=actor, action="commitments.task_done", target=task, before=before)
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
