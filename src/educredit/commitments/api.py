"""The commitments API: a business system signs a commitment in its own flow, and reads one
back exactly as signed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from educredit.accounts.api_auth import api_auth
from educredit.accounts.models import ApiClient
from educredit.commitments import services
from educredit.commitments.choices import CommitmentChannel
from educredit.commitments.models import Commitment
from educredit.commitments.schemas import CommitmentErrorOut, CommitmentIn, CommitmentOut
from educredit.commitments.selectors import commitments_visible_to, matter_in_force
from educredit.core import clock
from educredit.core.crypto import blind_index, normalise_document_number
from educredit.subjects.models import Institution, Person

router = Router(tags=["commitments"])

READ = "commitments:read"
WRITE = "commitments:write"


def commitment_out(commitment: Commitment) -> dict[str, Any]:
    """The API's view of a commitment (a person's number only masked)."""
    record = commitment.credit_record
    return {
        "public_id": commitment.public_id,
        "code": commitment.code,
        "decision": commitment.decision,
        "channel": commitment.channel,
        "matter_code": commitment.matter.code,
        "commitment_type": commitment.commitment_type,
        "subject_name": commitment.subject_name,
        "subject_code": commitment.subject_code,
        "accepting_body": commitment.accepting_organisation.name,
        "signed_on": commitment.signed_on,
        "valid_until": commitment.valid_until,
        "publication_type": commitment.publication_type,
        "signed_text": commitment.signed_text,
        "signed_text_sha256": commitment.signed_text_sha256,
        "supervision_state": commitment.supervision_state,
        "fulfilment": commitment.fulfilment,
        "credit_record": record.public_id if record is not None else None,
        "reference": commitment.external_reference,
    }


def _refused(status: int, errors: Mapping[str, str]) -> Status[dict[str, Any]]:
    shown = {field: str(message) for field, message in errors.items()}
    return Status(status, {"detail": "; ".join(shown.values()), "errors": shown})


def _subject(caller: Any, data: CommitmentIn) -> tuple[Institution | None, Person | None]:
    if data.institution_uscc.strip():
        institution = (
            Institution.objects.visible_to(caller)
            .filter(uscc=data.institution_uscc.strip().upper())
            .first()
        )
        if institution is None:
            raise services.CommitmentError(
                {
                    "institution_uscc": services.bilingual(
                        "管辖范围内没有该机构", "No such institution here"
                    )
                }
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
            raise services.CommitmentError(
                {
                    "person_id_number": services.bilingual(
                        "管辖范围内没有该人员", "No such person here"
                    )
                }
            )
        return None, person
    raise services.CommitmentError(
        {
            "subject": services.bilingual(
                "须指定 institution_uscc 或 person_id_number", "Name the subject"
            )
        }
    )


def _sign(caller: ApiClient, data: CommitmentIn) -> services.SignOutcome:
    matter = matter_in_force(data.matter_code.strip(), clock.today())
    if matter is None:
        raise services.CommitmentError(
            {
                "matter_code": services.bilingual(
                    f"现行信用承诺事项清单中没有事项 {data.matter_code}（或已废止）",
                    f"no matter {data.matter_code} in the matter list in force (or retired)",
                )
            }
        )
    institution, person = _subject(caller, data)
    return services.commitment_sign(
        actor=caller,
        matter=matter,
        institution=institution,
        person=person,
        reason=data.reason,
        channel=CommitmentChannel.API,
        valid_until=data.valid_until,
        shown_sha256=data.shown_sha256.strip().lower(),
        guardian_name=data.guardian_name,
        guardian_document=data.guardian_id_number,
        external_reference=data.reference,
    )


@router.post(
    "/",
    response={
        200: CommitmentOut,
        201: CommitmentOut,
        409: CommitmentErrorOut,
        422: CommitmentErrorOut,
    },
    auth=api_auth(WRITE),
    summary="签署信用承诺（按业务系统编号幂等）/ Sign a commitment (idempotent on the reference)",
)
def commitment_create(request: HttpRequest, data: CommitmentIn) -> Status[dict[str, Any]]:
    """Sign (201), or answer the commitment the same reference already made with the same
    content (200); the same reference with different content is refused (409), a bad request
    (a retired matter, a missing guardian…) too (422); nothing is half-written."""
    caller = request.auth  # type: ignore[attr-defined]
    if not isinstance(caller, ApiClient):
        raise HttpError(403, "仅业务系统可通过接口签署承诺 / Only a business system signs here")
    try:
        with transaction.atomic():
            outcome = _sign(caller, data)
    except services.CommitmentConflictError as exc:
        return _refused(409, exc.errors)
    except services.CommitmentError as exc:
        return _refused(422, exc.errors)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except IntegrityError:
        # The same reference arrived twice at once: the other request made it; answer as a
        # repeat (or a conflict) now that it is committed.
        with transaction.atomic():
            outcome = _sign(caller, data)
    return Status(201 if outcome.created else 200, commitment_out(outcome.commitment))


@router.get(
    "/{commitment_id}",
    response=CommitmentOut,
    auth=api_auth(READ),
    summary="信用承诺详情（签署原文）/ One commitment, as signed",
)
def commitment_detail(request: HttpRequest, commitment_id: uuid.UUID) -> dict[str, Any]:
    """One commitment accepted within the caller's jurisdiction, or 404."""
    caller = request.auth  # type: ignore[attr-defined]
    found = (
        commitments_visible_to(caller)
        .select_related("matter", "accepting_organisation", "credit_record")
        .filter(public_id=commitment_id)
        .first()
    )
    if found is None:
        raise Http404
    return commitment_out(found)
