"""The client: one method per operation of ``/api/sanctions/`` and the webhook check.

Every failure raises ``EduCreditError`` — an HTTP error, a network failure, an answer that
is not what the API promises. Nothing here ever turns a failure into a verdict: a business
system that catches the error must treat the subject as *not checked*, never as clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CheckMeasure", "CheckResult", "Client", "EduCreditError", "verify_webhook"]

USER_AGENT = "educredit-client/0.1"
# ADR 0007: the rate limit is a fixed one-minute window; the server does not say when it ends.
RATE_LIMIT_WINDOW_SECONDS = 60


class EduCreditError(Exception):
    """The API refused or could not answer.

    ``status`` is the HTTP status (0 when no answer arrived: network error or timeout),
    ``detail`` the server's message ("中文 / English", or ninja's list of schema problems),
    ``errors`` the per-field problems of a 422, ``retry_after`` the seconds to wait before
    retrying (503 and 429 only).
    """

    def __init__(
        self,
        status: int,
        detail: Any,
        *,
        errors: dict[str, str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.retry_after = retry_after
        super().__init__(f"{status}: {detail}")


@dataclass(frozen=True)
class CheckMeasure:
    """One measure in force on the subject: its legal basis and its (exclusive) end."""

    code: str
    matter: str
    means: str
    legal_basis: str
    verdict: str
    measure_version: int
    starts_on: dt.date
    ends_on: dt.date | None  # first day it no longer applies; None: no end
    basis: dict[str, Any] | None = None


@dataclass(frozen=True)
class CheckResult:
    """A check's answer: keep ``check_id`` (for feedback and the proof) and ``receipt``."""

    check_id: str
    verdict: str  # clear | restricted | review | reward
    scenario: str
    as_of: dt.date
    subject_found: bool
    name_match: str  # '' | current | former | mismatch
    reason: str  # '' | name_mismatch
    details_given: bool
    measures: list[CheckMeasure]
    receipt: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def is_clear(self) -> bool:
        return self.verdict == "clear"


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _check_result(body: Any) -> CheckResult:
    try:
        measures = [
            CheckMeasure(
                code=m["code"],
                matter=m["matter"],
                means=m["means"],
                legal_basis=m["legal_basis"],
                verdict=m["verdict"],
                measure_version=int(m["measure_version"]),
                starts_on=dt.date.fromisoformat(m["starts_on"]),
                ends_on=_date(m.get("ends_on")),
                basis=m.get("basis"),
            )
            for m in body["measures"]
        ]
        return CheckResult(
            check_id=str(body["check_id"]),
            verdict=str(body["verdict"]),
            scenario=str(body["scenario"]),
            as_of=dt.date.fromisoformat(body["as_of"]),
            subject_found=bool(body["subject_found"]),
            name_match=str(body["name_match"]),
            reason=str(body["reason"]),
            details_given=bool(body["details_given"]),
            measures=measures,
            receipt=dict(body["receipt"]),
            raw=body,
        )
    except (KeyError, TypeError, ValueError) as exc:
        # A malformed answer is a failure, not a verdict.
        raise EduCreditError(200, f"无法解析核查结果 / unreadable check answer: {exc}") from exc


def _retry_after(status: int, header: str | None, body: Any) -> int | None:
    if status not in (429, 503):
        return None
    for value in (header, body.get("retry_after") if isinstance(body, dict) else None):
        try:
            if value is not None:
                return max(0, int(value))
        except (TypeError, ValueError):
            continue
    return RATE_LIMIT_WINDOW_SECONDS if status == 429 else 30


class Client:
    """``Client("https://credit.example.gov.cn", "ek_…")``; one instance per business system."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 5) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise ValueError("base_url must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # --- transport ---------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        url = f"{self.base_url}/api/sanctions{path}"
        if query:
            pairs = {k: str(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked in __init__)
        request.add_header("Authorization", f"Bearer {self.api_key}")
        request.add_header("Accept", "application/json")
        request.add_header("User-Agent", USER_AGENT)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = {"detail": raw.decode("utf-8", "replace")}
            detail = payload.get("detail") if isinstance(payload, dict) else payload
            errors = payload.get("errors") if isinstance(payload, dict) else None
            raise EduCreditError(
                exc.code,
                detail,
                errors=errors if isinstance(errors, dict) else None,
                retry_after=_retry_after(exc.code, exc.headers.get("Retry-After"), payload),
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EduCreditError(0, f"无法连接 / no answer: {reason}", retry_after=None) from exc
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise EduCreditError(200, "回答不是 JSON / the answer is not JSON") from exc

    # --- operations --------------------------------------------------------------------

    def check(
        self,
        *,
        scenario: str,
        reference: str,
        uscc: str | None = None,
        document_type: str | None = None,
        document_number: str | None = None,
        name: str | None = None,
        as_of: dt.date | str | None = None,
    ) -> CheckResult:
        """``POST /check``: the verdict for one subject in one scenario. The identifier
        travels only in the body. Raises ``EduCreditError`` on every failure (503 included)."""
        body: dict[str, Any] = {"scenario": scenario, "reference": reference}
        optional = {
            "uscc": uscc,
            "document_type": document_type,
            "document_number": document_number,
            "name": name,
            "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return _check_result(self._request("POST", "/check", body=body))

    def feedback(self, check_id: str, outcome: str, reason: str = "") -> dict[str, Any]:
        """``POST /checks/{id}/feedback``: refused | restricted | enhanced_review |
        not_applied (with a reason). One correction is allowed; a third report is 409."""
        path = f"/checks/{urllib.parse.quote(str(check_id), safe='')}/feedback"
        answer: dict[str, Any] = self._request(
            "POST", path, body={"outcome": outcome, "reason": reason}
        )
        return answer

    def proof(self, check_id: str) -> dict[str, Any]:
        """``GET /checks/{id}/proof``: the inclusion proof (409 until a tree head covers it)."""
        path = f"/checks/{urllib.parse.quote(str(check_id), safe='')}/proof"
        answer: dict[str, Any] = self._request("GET", path)
        return answer

    def feed(self, after: int | None = None, limit: int = 100) -> dict[str, Any]:
        """``GET /feed``: initiation events after the cursor; continue with
        ``after=answer["next_cursor"]`` while ``answer["has_more"]``."""
        answer: dict[str, Any] = self._request(
            "GET", "/feed", query={"after": after, "limit": limit}
        )
        return answer

    def scenarios(self) -> list[dict[str, Any]]:
        """``GET /scenarios``: every scenario code (retired ones have ``retired_from``)."""
        answer: list[dict[str, Any]] = self._request("GET", "/scenarios")["scenarios"]
        return answer

    def measures(self, as_of: dt.date | str | None = None) -> dict[str, Any]:
        """``GET /measures``: the measure-list version in force on ``as_of`` (today)."""
        day = as_of.isoformat() if isinstance(as_of, dt.date) else as_of
        answer: dict[str, Any] = self._request("GET", "/measures", query={"as_of": day})
        return answer


def verify_webhook(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature_header: str,
    tolerance: int = 300,
    *,
    now: float | None = None,
) -> bool:
    """True when ``signature_header`` (``X-EduCredit-Signature``: ``sha256=<hex>``) is the
    HMAC-SHA256 under ``secret`` of ``<X-EduCredit-Timestamp>.<raw body bytes>`` and the
    timestamp is within ``tolerance`` seconds of now (ADR 0023). Pass the RAW body, before
    any JSON parsing."""
    try:
        sent = int(str(timestamp))
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False  # a captured request replayed later
    message = str(timestamp).encode() + b"." + body
    expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature_header.strip().encode())
