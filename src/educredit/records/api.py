"""JSON API of credit records: idempotent submission by business systems, reading one record.

API clients act as ``api:<key prefix>`` with a clerk's rights on behalf of their organisation;
staff sessions may call the same operations as themselves.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from educredit.accounts.api_auth import api_auth
from educredit.catalog.models import CatalogItem
from educredit.core.crypto import blind_index, normalise_document_number
from educredit.records import services
from educredit.records.choices import CreditRecordSource, CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.schemas import RecordErrorOut, RecordIn, RecordOut
from educredit.records.selectors import access_credit_record_for_user, credit_records_visible_to
from educredit.rights.purpose import staff_read_log
from educredit.subjects.models import Institution, Person

router = Router(tags=["records"])

READ = "records:read"
WRITE = "records:write"


def record_out(record: CreditRecord) -> dict[str, Any]:
    subject = record.institution or record.person
    assert subject is not None  # noqa: S101 - a check constraint guarantees one subject
    return {
        "public_id": record.public_id,
        "status": record.status,
        "severity": record.severity,
        "catalog_item": {
            "public_id": record.catalog_item.public_id,
            "code": record.catalog_item.code,
            "name": record.catalog_item.name,
        },
        "subject_type": "institution" if record.institution_id else "person",
        "subject": {"public_id": subject.public_id, "name": subject.name},
        "subject_masked_number": record.person.id_number_masked if record.person else "",
        "organisation": {
            "public_id": record.organisation.public_id,
            "name": record.organisation.name,
        },
        "title": record.title,
        "decision_number": record.decision_number,
        "issuing_body": record.issuing_body,
        "issuing_body_uscc": record.issuing_body_uscc,
        "decision_date": record.decision_date,
        "procedure": record.procedure,
        "corrected_minor_violation": record.corrected_minor_violation,
        "payload": record.payload,
        "source": record.source,
        "public_from": record.public_from,
        "public_until": record.public_until,
        "reportable": record.is_reportable,
        "may_ground_punishment": record.may_ground_punishment,
    }


def _refused(errors: dict[str, str]) -> Status[dict[str, Any]]:
    return Status(422, {"detail": "; ".join(errors.values()), "errors": errors})


def _subject(caller: Any, data: RecordIn) -> tuple[Institution | None, Person | None]:
    if data.institution_uscc.strip():
        institution = (
            Institution.objects.visible_to(caller)
            .filter(uscc=data.institution_uscc.strip().upper())
            .first()
        )
        if institution is None:
            raise services.RecordError(
                {"institution_uscc": "管辖范围内没有该机构 / No such institution here"}
            )
        return institution, None
    if data.person_id_number.strip():
        index = blind_index(normalise_document_number(data.person_id_number))
        person = (
            Person.objects.visible_to(caller)
            .filter(document_type=data.person_document_type, id_number_index=index)
            .first()
        )
        if person is None:
            raise services.RecordError(
                {"person_id_number": "管辖范围内没有该人员 / No such person in your jurisdiction"}
            )
        return None, person
    raise services.RecordError(
        {"subject": "须指定 institution_uscc 或 person_id_number / Name the subject"}
    )


@router.post(
    "/",
    response={200: RecordOut, 201: RecordOut, 409: RecordErrorOut, 422: RecordErrorOut},
    auth=api_auth(WRITE),
    summary="报送信用记录（幂等）/ Submit a credit record (idempotent)",
)
def record_submit(request: HttpRequest, data: RecordIn) -> Status[dict[str, Any]]:
    """Create a draft (201), update the same decision's draft (200), or answer with the record
    already entered (200). Never a duplicate. With ``submit``, a draft is sent for review."""
    caller = request.auth  # type: ignore[attr-defined]
    item = CatalogItem.objects.filter(public_id=data.catalog_item).first()
    if item is None:
        return _refused({"catalog_item": "目录条目不存在 / No such catalog item"})
    try:
        with transaction.atomic():
            status, record = _create_or_update(caller, item, data)
    except services.RecordError as exc:
        return _refused(exc.errors)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except IntegrityError:
        # The same decision arrived twice at once: the other request created it; answer it.
        status, record = _existing_answer(caller, item, data)
    return Status(status, record_out(record))


def _key(item: CatalogItem, data: RecordIn) -> dict[str, Any]:
    return {
        "catalog_item": item,
        "issuing_body_uscc": services.clean_uscc_optional(data.issuing_body_uscc),
        "decision_number": " ".join(data.decision_number.split()),
    }


def _existing_answer(caller: Any, item: CatalogItem, data: RecordIn) -> tuple[int, CreditRecord]:
    record = credit_records_visible_to(caller).filter(**_key(item, data)).first()
    if record is None:
        raise HttpError(409, "该决定已由其他单位报送 / This decision was reported by another body")
    return 200, record


def _create_or_update(caller: Any, item: CatalogItem, data: RecordIn) -> tuple[int, CreditRecord]:
    existing = CreditRecord.objects.select_for_update().filter(**_key(item, data)).first()
    if existing is not None:
        if not credit_records_visible_to(caller).filter(pk=existing.pk).exists():
            raise HttpError(
                409, "该决定已由其他单位报送 / This decision was reported by another body"
            )
        if existing.status != CreditRecordStatus.DRAFT:
            return 200, existing
        institution, person = _subject(caller, data)
        if (institution, person) != (existing.institution, existing.person):
            raise services.RecordError(
                {"subject": "同一决定的主体不能更改 / The subject of a decision cannot change"}
            )
        record = services.credit_record_update(
            actor=caller,
            record=existing,
            title=data.title,
            issuing_body=data.issuing_body,
            decision_date=data.decision_date,
            procedure=data.procedure,
            corrected_minor_violation=data.corrected_minor_violation,
            payload=data.payload,
        )
        status = 200
    else:
        institution, person = _subject(caller, data)
        record = services.credit_record_create(
            actor=caller,
            catalog_item=item,
            institution=institution,
            person=person,
            title=data.title,
            decision_number=data.decision_number,
            issuing_body=data.issuing_body,
            issuing_body_uscc=data.issuing_body_uscc,
            decision_date=data.decision_date,
            procedure=data.procedure,
            corrected_minor_violation=data.corrected_minor_violation,
            payload=data.payload,
            source=CreditRecordSource.API,
        )
        status = 201
    if data.submit and record.status == CreditRecordStatus.DRAFT:
        record = services.credit_record_submit(actor=caller, record=record)
    return status, record


@router.get(
    "/{credit_record_id}",
    response=RecordOut,
    auth=api_auth(READ),
    summary="信用记录详情 / One credit record",
)
def record_detail(request: HttpRequest, credit_record_id: uuid.UUID) -> dict[str, Any]:
    """One record, or 404 whether it is missing or outside the caller's jurisdiction."""
    caller = request.auth  # type: ignore[attr-defined]
    record = access_credit_record_for_user(caller, credit_record_id)
    staff_read_log(
        request, reader=caller, persons=[record.person], institutions=[record.institution]
    )
    return record_out(record)
