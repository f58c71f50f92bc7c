"""Entering one 双公示 decision from the form or the API: validate, find the subject, write.

``decision_enter`` is what both the workspace form and the JSON API call for a row that
``RowValidator`` accepted. It is idempotent on 文书号 + issuing body USCC (per kind):

- no record yet → a new draft (``credit_record_create``) and its prepared ``Decision``
  (``decision_prepare``, keeping the national fields EduCredit has no column for);
- a draft of the same decision → updated in place (``credit_record_update``, the decision's
  extra fields replaced), or left alone if nothing changed;
- a record already submitted or effective → left alone, with a pointer to correction
  (``EntryError`` for the form; the API answers with the record unchanged).

Every write goes through the records and disclosure services; this module only orders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from educredit.accounts.models import ApiClient, User
from educredit.catalog.models import CatalogItem
from educredit.disclosure import mapping, services
from educredit.disclosure import national as n
from educredit.disclosure.models import Decision
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource, CreditRecordStatus, DecisionProcedure
from educredit.records.models import CreditRecord
from educredit.subjects.models import Institution, Person

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
LOCKED = "locked"  # submitted or effective: changes go through review or correction


class EntryError(ValueError):
    """The row cannot be entered; ``code`` names the field the message is about ("" = row)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class EntryOutcome:
    """What happened to one row: created, updated, unchanged or locked, and the record."""

    outcome: str
    record: CreditRecord


def subject_index(actor: User | ApiClient, kind: str, values: dict[str, Any]) -> Any:
    """The row's subject looked up only among those the actor's organisation sees."""
    return mapping.SubjectIndex.load(
        kind,
        [values],
        institutions=Institution.objects.visible_to(actor),
        people=Person.objects.visible_to(actor),
    )


def existing_record(kind: str, values: dict[str, Any]) -> CreditRecord | None:
    """The record of this decision (文书号 + issuing body USCC, same kind), if entered."""
    number = values.get(n.DOCUMENT_NUMBER[kind])
    uscc = values.get(n.ISSUING_BODY_USCC[kind])
    if not number or not uscc:
        return None
    return (
        CreditRecord.objects.select_related("catalog_item", "organisation")
        .filter(
            catalog_item__category=kind,
            decision_number=number,
            issuing_body_uscc=uscc,
        )
        .order_by("pk")
        .first()
    )


def _same(record: CreditRecord, create: dict[str, Any], procedure: str, extra: Any) -> bool:
    decision = Decision.objects.filter(record=record).first()
    kept = mapping.unsealed_for_validation(decision.extra) if decision is not None else {}
    try:
        payload = records.validate_payload(record.catalog_item, create["payload"])
    except records.RecordError:
        return False
    return (
        record.title == " ".join(str(create["title"]).split())
        and record.issuing_body == " ".join(str(create["issuing_body"]).split())
        and record.decision_date == create["decision_date"]
        and record.procedure == procedure
        and record.payload == payload
        and kept == mapping.unsealed_for_validation(extra)
    )


@transaction.atomic
def decision_enter(
    *,
    actor: User | ApiClient,
    kind: str,
    values: dict[str, Any],
    catalog_item: CatalogItem,
    procedure: str = DecisionProcedure.ORDINARY,
    submit: bool = False,
    source: str = CreditRecordSource.PAGE,
) -> EntryOutcome:
    """Enter one validated row (``RowResult.values``) as a draft record, or update its draft.

    Raises ``EntryError`` (subject not registered in the actor's jurisdiction, decision
    entered by another organisation, a draft's subject or catalog item changed) and lets the
    records services' ``RecordError`` / ``PermissionDenied`` through.
    """
    who = records.actor_of(actor)
    subjects = subject_index(actor, kind, values)
    try:
        args = mapping.record_arguments(kind, values, subjects=subjects, catalog_item=catalog_item)
    except mapping.MappingError as exc:
        raise EntryError(exc.code, str(exc)) from exc
    existing = existing_record(kind, values)
    if existing is not None:
        existing = CreditRecord.objects.select_for_update().get(pk=existing.pk)
        if who.organisation is None or not who.organisation.covers(existing.organisation):
            raise EntryError(
                n.DOCUMENT_NUMBER[kind],
                "该决定已由其他单位录入 / This decision was entered by another organisation",
            )
        if existing.status != CreditRecordStatus.DRAFT:
            return EntryOutcome(LOCKED, existing)
        subject = args.create["institution"] or args.create["person"]
        if subject != (existing.institution or existing.person):
            raise EntryError(
                f"{'CF' if kind == 'penalty' else 'XK'}_XDR_MC",
                "同一决定的行政相对人不能更改 / The party of a decision cannot change",
            )
        if existing.catalog_item_id != catalog_item.pk:
            raise EntryError(
                "catalog_item",
                "同一决定的目录条目不能更改 / The catalog item of a decision cannot change",
            )
        if _same(existing, args.create, procedure, args.extra):
            outcome, record = UNCHANGED, existing
        else:
            record = records.credit_record_update(
                actor=actor,
                record=existing,
                title=args.create["title"],
                issuing_body=args.create["issuing_body"],
                decision_date=args.create["decision_date"],
                procedure=procedure,
                payload=args.create["payload"],
            )
            services.decision_refresh_draft(actor=who.audit_actor, record=record, extra=args.extra)
            outcome = UPDATED
    else:
        record = records.credit_record_create(
            actor=actor, source=source, procedure=procedure, **args.create
        )
        services.decision_prepare(actor=who.audit_actor, record=record, extra=args.extra)
        outcome = CREATED
    if submit and record.status == CreditRecordStatus.DRAFT:
        record = records.credit_record_submit(actor=actor, record=record)
        if outcome == UNCHANGED:
            outcome = UPDATED
    return EntryOutcome(outcome, record)
