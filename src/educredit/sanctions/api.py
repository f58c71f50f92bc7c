"""JSON API of the sanctions app: the scenario codes and the measure list in force, and the
check (核查) business systems run before granting (ADR 0022)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.responses import NinjaJSONEncoder, Status

from educredit.accounts.api_auth import (
    KNOWN_SCOPES,
    ApiKeyAuth,
    StaffSessionAuth,
    admit_key,
    api_auth,
    api_client_remembered,
)
from educredit.accounts.models import ApiClient
from educredit.core import refusals
from educredit.core.clock import today
from educredit.rights.purpose import staff_read_log
from educredit.sanctions import feedback, initiations, screening
from educredit.sanctions.models import InitiationEvent, Subscription
from educredit.sanctions.schemas import (
    CheckErrorOut,
    CheckIn,
    CheckOut,
    ErrorOut,
    FeedbackIn,
    FeedbackOut,
    FeedOut,
    MeasureOut,
    MeasuresOut,
    ProofOut,
    ScenariosOut,
    UnavailableOut,
)
from educredit.sanctions.selectors import measure_list_in_force, measures, scenarios

router = Router(tags=["sanctions"])

READ = "sanctions:read"
# What a key or a session can be refused with, on every operation (ADR 0007).
AUTH_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


@router.get(
    "/scenarios",
    response={200: ScenariosOut, **AUTH_ERRORS},
    auth=api_auth(READ),
    summary="业务场景代码 / Business scenario codes",
)
def scenario_list(request: HttpRequest) -> dict[str, Any]:
    """Every scenario code, retired ones included (the list is province-wide)."""
    return {"scenarios": list(scenarios())}


@router.get(
    "/measures",
    response={200: MeasuresOut, **AUTH_ERRORS, 422: CheckErrorOut},
    auth=api_auth(READ),
    summary="现行激励和惩戒措施清单 / The measure list in force",
)
def measure_list(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, Any]:
    """The version in force on ``as_of`` (today by default) and all its measures."""
    day = as_of or today()
    version = measure_list_in_force(day)
    return {
        "version": version.number if version else None,
        "title": version.title if version else "",
        "effective_from": version.effective_from if version else None,
        "as_of": day,
        "measures": [
            {**_fields(measure), "duration_text": measure.duration_text()}
            for measure in measures(version)
        ],
    }


def _fields(measure: Any) -> dict[str, Any]:
    return {
        name: getattr(measure, name) for name in MeasureOut.model_fields if name != "duration_text"
    }


# --- the check (ADR 0022) -------------------------------------------------------------------

# No operation declares the details scope (it widens the check's answer), so it is made
# known here for ``apiclient create`` and the scope list.
KNOWN_SCOPES.add(screening.DETAILS_SCOPE)

# The check fails closed (ADR 0022) as a case of the site's one mechanism (ADR 0039): every
# database error while it authenticates or answers — not only a lost connection or a time-out —
# raises ``DatabaseUnavailableError``, which ``core.refusals`` answers with 503, ``Retry-After``
# and ``retry_after``; never a "clear".
RETRY_AFTER_SECONDS = refusals.RETRY_AFTER_SECONDS


class CheckKeyAuth(ApiKeyAuth):
    """``ApiKeyAuth`` that fails closed: any database error answers 503."""

    def __call__(self, request: HttpRequest) -> Any:
        with refusals.fail_closed():
            return super().__call__(request)


class RememberedCheckKeyAuth(CheckKeyAuth):
    """The check's key authentication: a client this process remembers is taken from memory
    without a read; the check's own statement reads the access version, and the check
    authenticates again from the database before it answers if the version moved (a key
    revoked, a scope or a scenario changed: ADR 0043)."""

    def client_for(self, request: HttpRequest, key: str) -> ApiClient | None:
        remembered = api_client_remembered(key)
        if remembered is None:
            return super().client_for(request, key)
        client, version = remembered
        request.access_version_seen = version  # type: ignore[attr-defined]
        return client


class CheckSessionAuth(StaffSessionAuth):
    """``StaffSessionAuth`` that fails closed: any database error answers 503."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        with refusals.fail_closed():
            return super().authenticate(request, key)


_KEY_AUTH = CheckKeyAuth(screening.CHECK_SCOPE)
CHECK_AUTH = [RememberedCheckKeyAuth(screening.CHECK_SCOPE), CheckSessionAuth()]
PROOF_AUTH = [_KEY_AUTH, CheckSessionAuth()]


@router.post(
    "/check",
    response={200: CheckOut, **AUTH_ERRORS, 422: CheckErrorOut, 503: UnavailableOut},
    auth=CHECK_AUTH,
    summary="核查主体在业务场景中的惩戒或激励措施 / Check a subject in a business scenario",
)
def check(
    request: HttpRequest, data: CheckIn, response: HttpResponse
) -> Status[Any] | HttpResponse:
    """Verdict (clear / restricted / review / reward) with each measure's legal basis and end,
    a check id and a receipt. 400: a body that is not JSON; 401: no or a wrong key; 403: the
    key lacks ``sanctions:check``; 422: a bad identifier, both or neither identifiers, an
    unknown or retired scenario, no reference; 429: over the client's rate limit; 503 (with
    ``Retry-After``): the database cannot answer — never a "clear" in its place."""
    caller = request.auth  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    try:
        with refusals.fail_closed():
            identifier = screening.identifier_from(
                uscc=data.uscc,
                document_type=data.document_type,
                document_number=data.document_number,
                name=data.name,
            )

            def answer_for(who: Any, seen: int | None) -> screening.ScreeningAnswer:
                return screening.screen(
                    caller=who,
                    identifier=identifier,
                    scenario=data.scenario,
                    reference=data.reference,
                    as_of=data.as_of,
                    access_version_seen=seen,
                )

            try:
                answer = answer_for(caller, getattr(request, "access_version_seen", None))
            except screening.CallerChangedError:
                # The remembered key, its scopes or a scenario changed meanwhile: the key as
                # the database holds it now (401 / 403 if it no longer may check).
                key = ApiKeyAuth.key_of(request) or ""
                caller = admit_key(_KEY_AUTH.client_for(request, key), screening.CHECK_SCOPE)
                answer = answer_for(caller, None)
    except screening.ScreeningError as exc:
        return Status(422, {"detail": str(exc), "errors": exc.errors})
    # Encoded as ninja would encode ``CheckOut`` (its JSON encoder), without building and
    # validating the pydantic model of our own dataclasses on every check.
    answered = JsonResponse(_answer_body(answer), encoder=NinjaJSONEncoder)
    answered["Cache-Control"] = "no-store"
    return answered


def _measure_body(measure: screening.ScreenedMeasure) -> dict[str, Any]:
    return {
        "code": measure.code,
        "matter": measure.matter,
        "means": measure.means,
        "legal_basis": measure.legal_basis,
        "verdict": measure.verdict,
        "measure_version": measure.measure_version,
        "starts_on": measure.starts_on,
        "ends_on": measure.ends_on,
        "basis": None if measure.basis is None else dataclasses.asdict(measure.basis),
    }


def _answer_body(answer: screening.ScreeningAnswer) -> dict[str, Any]:
    """``CheckOut`` of an answer, as plain values."""
    receipt = answer.receipt
    return {
        "check_id": answer.check_id,
        "scenario": answer.scenario,
        "as_of": answer.as_of,
        "verdict": answer.verdict,
        "subject_found": answer.subject_found,
        "name_match": answer.name_match,
        "reason": answer.reason,
        "details_given": answer.details_given,
        "measures": [_measure_body(measure) for measure in answer.measures],
        "receipt": {
            "entry_id": receipt.entry_id,
            "entry_timestamp": receipt.entry_timestamp,
            "data_version": receipt.data_version,
            "digest": receipt.digest,
            "checked_at": receipt.checked_at,
        },
    }


@router.get(
    "/checks/{check_id}/proof",
    response={
        200: ProofOut,
        **AUTH_ERRORS,
        404: ErrorOut,
        409: ErrorOut,
        503: UnavailableOut,
    },
    auth=PROOF_AUTH,
    summary="核查的审计包含证明 / Inclusion proof of a check",
)
def check_proof(request: HttpRequest, check_id: str, response: HttpResponse) -> Status[Any]:
    """The RFC 9162 inclusion proof of the check's audit entry in the latest signed tree head,
    for the client that ran it (or staff over its organisation). 404: no such check of yours;
    409: the entry is not integrated into the log yet — try again after the receipt's
    ``merge_deadline`` (the sequencer integrates it by then)."""
    caller = request.auth  # type: ignore[attr-defined]
    try:
        with refusals.fail_closed():
            proof = screening.screening_check_proof(caller=caller, check_id=check_id)
    except screening.ScreeningCheckNotFoundError:
        return Status(404, {"detail": "没有该核查记录 / No such check"})
    except screening.ScreeningProofNotReadyError:
        return Status(
            409,
            {
                "detail": "该核查的审计条目尚未并入日志，请在回执的 merge_deadline 之后重试 / "
                "The check's audit entry is not integrated into the log yet: try again after "
                "the receipt's merge_deadline"
            },
        )
    return Status(200, proof)


# --- the loop: feedback and the initiation feed (ADR 0023) ----------------------------------

FEED_SCOPE = "sanctions:feed"
NO_CHECK = "没有该核查记录 / No such check"


@router.post(
    "/checks/{check_id}/feedback",
    response={
        200: FeedbackOut,
        201: FeedbackOut,
        **AUTH_ERRORS,
        404: ErrorOut,
        409: ErrorOut,
        422: CheckErrorOut,
    },
    auth=api_auth(screening.CHECK_SCOPE),
    summary="反馈核查命中的处理结果 / Report what was done with a hit",
)
def check_feedback(
    request: HttpRequest, check_id: str, data: FeedbackIn, response: HttpResponse
) -> Status[Any]:
    """The business system that ran the check reports its outcome: ``refused`` 拒绝,
    ``restricted`` 限制, ``enhanced_review`` 加强审查 or ``not_applied`` 未采纳 (with a reason).
    201: recorded; 200: corrected (one correction is allowed); 404: no such check of this
    client (another client's check included; staff sessions never report); 409: already
    reported and corrected; 422: an unknown outcome, ``not_applied`` without a reason, or a
    check that did not hit."""
    response["Cache-Control"] = "no-store"
    client = request.auth  # type: ignore[attr-defined]
    if not isinstance(client, ApiClient):
        # Staff sign in but never report for a business system: no check is theirs to report.
        return Status(404, {"detail": NO_CHECK})
    try:
        recorded = feedback.check_feedback_report(
            client=client, check=check_id, outcome=data.outcome, reason=data.reason
        )
    except screening.ScreeningCheckNotFoundError:
        return Status(404, {"detail": NO_CHECK})
    except feedback.FeedbackAlreadyReportedError:
        return Status(
            409,
            {
                "detail": "该核查已反馈并更正过一次，不能再更改 / The feedback on this check was "
                "reported and corrected once already: it cannot change again"
            },
        )
    except feedback.FeedbackError as exc:
        return Status(422, {"detail": str(exc), "errors": exc.errors})
    body = {
        "check_id": recorded.screening_check.public_id,
        "outcome": recorded.outcome,
        "reason": recorded.reason,
        "reported_at": recorded.reported_at,
        "corrected_at": recorded.corrected_at,
    }
    return Status(201 if recorded.corrected_at is None else 200, body)


@router.get(
    "/feed",
    response={200: FeedOut, **AUTH_ERRORS, 422: CheckErrorOut},
    auth=[ApiKeyAuth(FEED_SCOPE)],
    summary="订阅场景的措施发起事件 / Initiations in the subscribed scenarios",
)
def feed(request: HttpRequest, response: HttpResponse, after: int = 0, limit: int = 100) -> Any:
    """Restrictions created, changed, ended early or withdrawn in the scenarios the client
    subscribes to, oldest first, after the cursor ``after`` (an event id; 0 from the start).
    ``limit`` 1–500. Persons are named by document type, masked number and public id only.
    A client without an active subscription reads an empty feed."""
    response["Cache-Control"] = "no-store"
    client = request.auth  # type: ignore[attr-defined]
    subscription = Subscription.objects.filter(client=client).first()
    page = initiations.feed_for(subscription, after=max(0, after), limit=limit)
    # The events name subjects under measures: a read of non-public information, logged.
    read = InitiationEvent.objects.filter(
        id__in=[event["event_id"] for event in page.events]
    ).select_related("person", "institution")
    staff_read_log(
        request,
        reader=client,
        persons=[event.person for event in read],
        institutions=[event.institution for event in read],
        fields=("feed",),
    )
    return {"events": page.events, "next_cursor": page.next_cursor, "has_more": page.has_more}
