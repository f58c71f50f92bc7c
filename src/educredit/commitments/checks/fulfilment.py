"""践诺: deciding whether a commitment was kept, and what follows from it.

The standard keeps two fields apart (domain rules §12): the supervision state goes 监管中 →
监管完成 when the result is decided, and the fulfilment result is 全部履行, 部分履行 or 全部未履行,
with what was not fulfilled and the liability pursued when it was not kept. A decision is taken
by staff of the accepting body from the evidence of a check, or — for a 网络核验 matter — by
the daily online check itself (``commitment_online_checks_run``), which decides the clause from
the platform's own records as ``system:online-check`` on the body's behalf. Either way the
record that follows is submitted for review: a person of the accepting body approves it before
it takes effect (and JY-CN-03 follows the two-person rule).

What follows goes through the records service: a kept commitment adds the trustworthy JY-CN-02
record; a breach adds the matter's breach item (JY-CN-03), submitted for review, whose measures
reach screening once it is effective (不适用告知承诺等简化程序 until the credit is repaired); and
the new state goes to the provincial platform (``sharing``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.catalog.selectors import catalog_item_by_code
from educredit.commitments.checks.online import OnlineCheckError, OnlineCheckResult, online_check
from educredit.commitments.checks.verification import check_due_on, verification_task_close
from educredit.commitments.choices import (
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSupervisionState,
    MatterCheckMethod,
    PublicationType,
    VerificationTaskStatus,
)
from educredit.commitments.models import Commitment, VerificationTask
from educredit.commitments.services import CommitmentError
from educredit.commitments.sharing import commitment_share
from educredit.core import clock
from educredit.core.i18n import Bilingual
from educredit.records import lifecycle
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource
from educredit.records.models import CreditRecord
from educredit.records.services import RecordError
from educredit.rights.models import RepairApplication
from educredit.rights.repair import repair_commitment_breach

logger = logging.getLogger(__name__)

KEPT_ITEM = "JY-CN-02"
# Enters the record of a decision taken by a reviewer, who does not enter records.
DECISION_RECORDER = "system:commitment-decision"
# §33(八): breached with serious consequences — serious dishonesty, a listing's possible basis.
SERIOUS_BREACH_ITEM = "JY-CN-04"
UNFULFILLED = (CommitmentFulfilment.PARTIAL, CommitmentFulfilment.UNFULFILLED)


def commitment_online_check(
    commitment: Commitment, *, today: dt.date | None = None
) -> OnlineCheckResult | None:
    """The 网络核验 of ``commitment`` once its check is due, or None when the matter is not
    checked online or the check is not due yet."""
    matter = commitment.matter
    if matter.check_method != MatterCheckMethod.ONLINE or not matter.online_clause:
        return None
    due = check_due_on(commitment)
    if (today or clock.today()) <= due:
        return None
    return online_check(
        clause=matter.online_clause,
        params=dict(matter.online_parameters or {}),
        institution=commitment.institution,
        person=commitment.person,
        made_on=commitment.signed_on,
        due_on=due,
    )


def _refuse(field: str, zh: str, en: str) -> CommitmentError:
    return CommitmentError({field: Bilingual(zh, en)})


def _check_decision(
    commitment: Commitment,
    result: str,
    unperformed_content: str,
    liability_pursued: str,
    serious_consequences: str,
) -> None:
    if commitment.decision != CommitmentDecision.SIGNED:
        raise _refuse("commitment", "未作出承诺，无履行可认定", "no commitment was made")
    if commitment.fulfilment != CommitmentFulfilment.UNDECIDED:
        raise _refuse(
            "fulfilment",
            f"该承诺的履行状态已认定为“{commitment.fulfilment}”",
            f"the fulfilment was already decided: {commitment.fulfilment}",
        )
    if result not in (CommitmentFulfilment.FULFILLED, *UNFULFILLED):
        raise _refuse(
            "fulfilment",
            "履行状态应为全部履行、部分履行或全部未履行",
            "the result is 全部履行, 部分履行 or 全部未履行",
        )
    if result in UNFULFILLED:
        if not unperformed_content.strip():
            raise _refuse(
                "unperformed_content",
                f"{result}时须写明未履行的承诺内容",
                "say what was not fulfilled",
            )
        if not liability_pursued.strip():
            raise _refuse(
                "liability_pursued",
                f"{result}时须写明违诺责任追究内容",
                "say what liability is pursued",
            )
    if serious_consequences.strip():
        if result not in UNFULFILLED:
            raise _refuse(
                "serious_consequences",
                "仅未履行的承诺可认定造成严重后果",
                "only a commitment not kept can have had serious consequences",
            )
        if (
            commitment.publication_type != PublicationType.PUBLIC
            or commitment.credit_record_id is None
        ):
            raise _refuse(
                "serious_consequences",
                "《河南省社会信用条例》第三十三条第（八）项仅适用于公开的信用承诺",
                "Henan §33(8) applies to public commitments only",
            )


def _fulfilment_record(
    *, actor: User | str, commitment: Commitment, item_code: str, payload: dict[str, Any]
) -> CreditRecord:
    """The record that follows the decision, submitted for review. A decider who does not
    enter records (a reviewer) has it entered on the accepting body's behalf; the decider
    approves it only where the item needs no second person."""
    day = commitment.fulfilment_decided_on or clock.today()
    item = catalog_item_by_code(item_code, day)
    if item is None:
        raise _refuse("fulfilment", f"现行目录中没有条目 {item_code}", f"no item {item_code}")
    body = commitment.accepting_organisation
    who = records.actor_of(actor)
    recorder: User | str = actor
    if isinstance(actor, User) and not who.roles & lifecycle.CLERKS:
        recorder = DECISION_RECORDER
    record = records.credit_record_create(
        actor=recorder,
        catalog_item=item,
        institution=commitment.institution,
        person=commitment.person,
        title=f"{commitment.reason}（承诺编码 {commitment.code}）",
        decision_number=f"{commitment.code}-{item_code}",
        issuing_body=body.name,
        issuing_body_uscc=body.uscc or "",
        decision_date=day,
        payload=payload,
        source=CreditRecordSource.SYSTEM if isinstance(recorder, str) else CreditRecordSource.PAGE,
        on_behalf_of=body if isinstance(recorder, str) else None,
    )
    record = records.credit_record_submit(actor=recorder, record=record)
    if isinstance(actor, User) and not item.two_person_rule and who.roles & {"reviewer", "admin"}:
        record = records.credit_record_approve(actor=actor, record=record)
    return record


@transaction.atomic
def commitment_fulfilment_decide(
    *,
    actor: User | str,
    commitment: Commitment,
    result: str,
    unperformed_content: str = "",
    liability_pursued: str = "",
    evidence: OnlineCheckResult | None = None,
    findings: str = "",
    serious_consequences: str = "",
    request_id: str = "",
) -> Commitment:
    """Decide the fulfilment of ``commitment``: supervision 监管完成, the result with its
    content, its check task done with ``findings``, the record that follows and the report to
    the platform, all or nothing."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_decision(
        commitment, result, unperformed_content, liability_pursued, serious_consequences
    )
    if isinstance(actor, User) and commitment.accepting_organisation_id != actor.organisation_id:
        raise _refuse(
            "commitment",
            "履行状态由承诺受理单位认定",
            "the accepting body decides the fulfilment",
        )
    before = commitment.audit_snapshot()
    commitment.supervision_state = CommitmentSupervisionState.COMPLETED
    commitment.fulfilment = result
    commitment.fulfilment_decided_on = clock.today()
    commitment.fulfilment_decided_by = commitment.accepting_organisation.name
    commitment.unperformed_content = unperformed_content.strip()
    commitment.liability_pursued = liability_pursued.strip()
    commitment.serious_consequences = serious_consequences.strip()
    if commitment.credit_record_id is not None:  # a minor's commitment writes no record
        if result == CommitmentFulfilment.FULFILLED:
            commitment.fulfilment_record = _fulfilment_record(
                actor=actor,
                commitment=commitment,
                item_code=KEPT_ITEM,
                payload={
                    "commitment_number": commitment.code,
                    "fulfilment_status": result,
                    "confirming_unit": commitment.fulfilment_decided_by,
                },
            )
        else:
            payload = {
                "commitment_number": commitment.code,
                "fulfilment_status": result,
                "unperformed_content": commitment.unperformed_content[:4000],
                "liability_pursued": commitment.liability_pursued[:4000],
                "confirming_unit": commitment.fulfilment_decided_by,
            }
            item_code = commitment.matter.breach_item_code
            if commitment.serious_consequences:
                item_code = SERIOUS_BREACH_ITEM
                payload["serious_consequences"] = commitment.serious_consequences[:4000]
            commitment.fulfilment_record = _fulfilment_record(
                actor=actor, commitment=commitment, item_code=item_code, payload=payload
            )
    commitment.save(
        update_fields=[
            "supervision_state",
            "fulfilment",
            "fulfilment_decided_on",
            "fulfilment_decided_by",
            "unperformed_content",
            "liability_pursued",
            "serious_consequences",
            "fulfilment_record",
        ]
    )
    application = commitment.repair_application
    if result in UNFULFILLED and application is not None:
        _repair_breached(actor, commitment, application)
    why = f"{commitment.code} {result}"
    if evidence is not None:
        findings = (
            f"网络核验：{evidence.finding.zh}；依据记录 {', '.join(evidence.evidence) or '无'}"
        )
    if findings.strip():
        why += f"；{findings.strip()}"
    verification_task_close(
        commitment,
        actor=actor,
        findings=findings.strip() or result,
        by=actor.full_name or actor.username if isinstance(actor, User) else actor,
        day=commitment.fulfilment_decided_on,
    )
    audit_append(
        actor=actor,
        action="commitments.fulfilment_decide",
        target=commitment,
        before=before,
        reason=why[:2000],
        request_id=request_id,
    )
    commitment_share(commitment)
    return commitment


def _repair_breached(
    actor: User | str, commitment: Commitment, application: RepairApplication
) -> None:
    """A breached repair commitment: the repaired record is shown again for its longest window
    and its measures come back (``rights.repair``), in the same transaction."""
    if not isinstance(actor, User):
        raise _refuse(
            "fulfilment",
            "信用修复承诺的违诺由认定单位的审核人员认定",
            "a reviewer of the deciding body decides a breach of a repair commitment",
        )
    try:
        repair_commitment_breach(
            actor=actor, application=application, reason=commitment.unperformed_content
        )
    except ValidationError as exc:
        raise _refuse("fulfilment", "；".join(exc.messages), "; ".join(exc.messages)) from exc


ONLINE_CHECK_ACTOR = "system:online-check"


def commitment_online_checks_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Do every open 网络核验 task past its due day: the commitment kept or breached by its
    clause, with the records relied on as evidence (the daily job). Each in its own
    transaction; one that cannot be checked as written stays open and is counted as failed."""
    day = today or clock.today()
    counts = {"kept": 0, "breached": 0, "failed": 0}
    due = (
        VerificationTask.objects.filter(
            status=VerificationTaskStatus.OPEN,
            method=MatterCheckMethod.ONLINE,
            due_on__lt=day,
        )
        .select_related(
            "commitment__matter",
            "commitment__accepting_organisation",
            "commitment__institution",
            "commitment__person",
        )
        .order_by("pk")
    )
    for task in due.iterator(chunk_size=200):
        commitment = task.commitment
        try:
            finding = commitment_online_check(commitment, today=day)
            if finding is None:
                continue
            kept = finding.kept
            commitment_fulfilment_decide(
                actor=ONLINE_CHECK_ACTOR,
                commitment=commitment,
                result=CommitmentFulfilment.FULFILLED if kept else CommitmentFulfilment.UNFULFILLED,
                unperformed_content="" if kept else finding.finding.zh,
                liability_pursued="" if kept else commitment.matter.breach_measures,
                evidence=finding,
            )
        except (OnlineCheckError, CommitmentError, RecordError, PermissionDenied) as exc:
            # Left open for staff to decide; the job's result counts it.
            logger.warning("commitment %s: online check not decided: %s", commitment.code, exc)
            counts["failed"] += 1
            continue
        counts["kept" if kept else "breached"] += 1
    return counts
