"""The client: one method per operation of ``/api/sanctions/`` and the webhook check.

Every failure raises ``EduCreditError`` — an HTTP error, a network failure, an answer that
is not what the API promises. Nothing here ever turns a failure into a verdict: a business
system that catches the error must treat the subject as *not checked*, never as clear.

Receipts (ADR 0022): given the platform's verifier key (``educredit audit public-key``), the
client checks each answer's signed entry timestamp at once — the log's signed promise to
integrate the check's entry by its merge deadline — and ``verify_proof`` checks the inclusion
proof fetched later against the same promise, the check record and a signed tree head. Both
use the standard library only (Ed25519 in pure Python when ``cryptography`` is absent).
"""

from __future__ import annotations

import base64
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

__all__ = [
    "CheckMeasure",
    "CheckResult",
    "Client",
    "EduCreditError",
    "EntryTimestamp",
    "VerifierKey",
    "verify_entry_timestamp",
    "verify_proof",
    "verify_webhook",
]

USER_AGENT = "educredit-client/0.2"
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
    # The receipt's signed entry timestamp, checked (None: the client holds no verifier key).
    entry_timestamp: EntryTimestamp | None = None

    @property
    def is_clear(self) -> bool:
        return self.verdict == "clear"


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _check_result(body: Any, verifier: VerifierKey | None = None) -> CheckResult:
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
            entry_timestamp=(
                None if verifier is None else verify_entry_timestamp(body["receipt"], verifier)
            ),
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

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float = 5,
        *,
        verifier_key: str | None = None,
    ) -> None:
        """``verifier_key``: the platform's (``educredit audit public-key``); with it every
        answer's receipt signature is checked before the answer is returned."""
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise ValueError("base_url must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.verifier = None if verifier_key is None else VerifierKey.parse(verifier_key)

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
        travels only in the body. Raises ``EduCreditError`` on every failure (503 included),
        and, with a verifier key, when the receipt's signature does not verify."""
        body: dict[str, Any] = {"scenario": scenario, "reference": reference}
        optional = {
            "uscc": uscc,
            "document_type": document_type,
            "document_number": document_number,
            "name": name,
            "as_of": as_of.isoformat() if isinstance(as_of, dt.date) else as_of,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return _check_result(self._request("POST", "/check", body=body), self.verifier)

    def feedback(self, check_id: str, outcome: str, reason: str = "") -> dict[str, Any]:
        """``POST /checks/{id}/feedback``: refused | restricted | enhanced_review |
        not_applied (with a reason). One correction is allowed; a third report is 409."""
        path = f"/checks/{urllib.parse.quote(str(check_id), safe='')}/feedback"
        answer: dict[str, Any] = self._request(
            "POST", path, body={"outcome": outcome, "reason": reason}
        )
        return answer

    def proof(self, check_id: str, receipt: dict[str, Any] | None = None) -> dict[str, Any]:
        """``GET /checks/{id}/proof``: the inclusion proof (409 until the sequencer has
        integrated the check's entry, within the receipt's merge deadline). Given the check's
        ``receipt`` (and the client a verifier key), the proof is checked against it first:
        ``EduCreditError`` when it does not hold."""
        path = f"/checks/{urllib.parse.quote(str(check_id), safe='')}/proof"
        answer: dict[str, Any] = self._request("GET", path)
        if receipt is not None:
            if self.verifier is None:
                raise ValueError("checking a proof needs the client's verifier_key")
            problem = verify_proof(answer, receipt=receipt, verifier_key=self.verifier)
            if problem is not None:
                raise EduCreditError(200, f"证明不成立 / the proof does not hold: {problem}")
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


# --- receipts: signed entry timestamps and inclusion proofs (standard library) -----------

_DASH = "\u2014"
_SET_KIND = "entry timestamp v1"


@dataclass(frozen=True)
class VerifierKey:
    """A signed-note verifier key ``<name>+<hex key hash>+<base64(0x01 ‖ Ed25519 key)>``."""

    name: str
    key_hash: bytes
    public_key: bytes

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        try:
            name, hash_hex, encoded = text.strip().split("+", 2)  # base64 may hold "+"
            key = base64.b64decode(encoded, validate=True)
            expected = bytes.fromhex(hash_hex)
        except ValueError as exc:
            raise ValueError(f"not a verifier key: {exc}") from exc
        if len(key) != 33 or key[0] != 1:
            raise ValueError("not an Ed25519 verifier key")
        if hashlib.sha256(name.encode() + b"\n" + key).digest()[:4] != expected:
            raise ValueError("the verifier key's hash does not match its name and key")
        return cls(name, expected, key[1:])

    def opens(self, note: str) -> str | None:
        """The note's signed body if one of its signatures is this key's, else None."""
        body, separator, signatures = note.partition("\n\n")
        if not separator:
            return None
        signed = body + "\n"
        for line in signatures.splitlines():
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != _DASH or parts[1] != self.name:
                continue
            try:
                blob = base64.b64decode(parts[2], validate=True)
            except ValueError:
                continue
            if blob[:4] == self.key_hash and _ed25519_verify(
                self.public_key, signed.encode(), blob[4:]
            ):
                return signed
        return None


@dataclass(frozen=True)
class EntryTimestamp:
    """What a verified signed entry timestamp promises: the entry with this leaf hash was
    written at ``timestamp`` and will be in the log by ``merge_deadline``."""

    origin: str
    leaf_hash: str  # hex
    timestamp: dt.datetime
    merge_deadline: dt.datetime


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return value


def verify_entry_timestamp(
    receipt: dict[str, Any], verifier_key: str | VerifierKey
) -> EntryTimestamp:
    """The promise of a receipt's ``entry_timestamp`` once its signature verifies under the
    platform's key and its fields are those it signed; ``EduCreditError`` otherwise."""
    key = verifier_key if isinstance(verifier_key, VerifierKey) else VerifierKey.parse(verifier_key)
    stamp = receipt.get("entry_timestamp") if isinstance(receipt, dict) else None
    if not isinstance(stamp, dict) or not isinstance(stamp.get("note"), str):
        raise EduCreditError(200, "回执没有签名时间戳 / the receipt has no signed entry timestamp")
    body = key.opens(stamp["note"])
    lines = [] if body is None else body.split("\n")
    if len(lines) != 6 or lines[0] != key.name or lines[1] != _SET_KIND:
        raise EduCreditError(200, "回执签名无效 / the receipt's signature does not verify")
    try:
        promise = EntryTimestamp(
            origin=lines[0],
            leaf_hash=base64.b64decode(lines[2], validate=True).hex(),
            timestamp=_instant(lines[3]),
            merge_deadline=_instant(lines[4]),
        )
        fields_agree = (
            stamp.get("origin") == promise.origin
            and stamp.get("leaf_hash") == promise.leaf_hash
            and _instant(str(stamp.get("timestamp"))) == promise.timestamp
            and _instant(str(stamp.get("merge_deadline"))) == promise.merge_deadline
        )
    except ValueError as exc:
        raise EduCreditError(
            200, f"回执签名无效 / the receipt's signature does not verify: {exc}"
        ) from exc
    if not fields_agree or len(promise.leaf_hash) != 64:
        raise EduCreditError(
            200, "回执与其签名不符 / the receipt's fields differ from what was signed"
        )
    return promise


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root an inclusion path leads to, or None if it cannot fit."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for node in path:
        if sn == 0 or len(node) != 32:
            return None
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + node + r)
            while fn & 1 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _sha256(b"\x01" + r + node)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_proof(
    proof: dict[str, Any], *, receipt: dict[str, Any], verifier_key: str | VerifierKey
) -> str | None:
    """None when the proof shows the receipt's check in a signed tree head, else what fails:
    the receipt's signed promise names the proof's leaf, the entry text hashes to it and
    climbs the audit path to the root of a checkpoint signed by the platform's key, and the
    check record hashes to the entry's (and the receipt's) digest."""
    key = verifier_key if isinstance(verifier_key, VerifierKey) else VerifierKey.parse(verifier_key)
    try:
        promise = verify_entry_timestamp(receipt, key)
    except EduCreditError as exc:
        return str(exc.detail)
    try:
        entry_text = str(proof["entry"])
        leaf = _sha256(b"\x00" + entry_text.encode("utf-8"))
        if leaf.hex() != proof["leaf_hash"] or leaf.hex() != promise.leaf_hash:
            return "the entry does not hash to the leaf the receipt's timestamp names"
        path = [bytes.fromhex(node) for node in proof["audit_path"]]
        size = int(proof["tree_size"])
        root = _root_from_path(leaf, int(proof["leaf_index"]), size, path)
        signed = key.opens(str(proof["checkpoint"]))
        if signed is None:
            return "the checkpoint is not signed by the platform's key"
        origin, signed_size, signed_root = signed.split("\n")[:3]
        if origin != key.name or int(signed_size) != size:
            return "the checkpoint is not of this log or of another size"
        if root is None or base64.b64decode(signed_root, validate=True) != root:
            return "the audit path does not lead to the checkpoint's root"
        entry = json.loads(entry_text)
        record = json.dumps(
            proof["record"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        record_digest = hashlib.sha256(record).hexdigest()
        if not record_digest == entry.get("after") == receipt.get("digest"):
            return "the check record does not hash to the entry's and the receipt's digest"
    except (KeyError, TypeError, ValueError) as exc:
        return f"malformed proof: {exc}"
    return None


# Ed25519 signature verification (RFC 8032 §5.1.7), used when ``cryptography`` is absent:
# slow (a few milliseconds) but exact; signatures need no secrecy, so plain integers do.
_P = 2**255 - 19
_Q = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_Point = tuple[int, int, int, int]


def _point_add(a: _Point, b: _Point) -> _Point:
    first = (a[1] - a[0]) * (b[1] - b[0]) % _P
    second = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    d = 2 * a[2] * b[2] % _P
    e, f, g, h = second - first, d - c, d + c, second + first
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _point_mul(scalar: int, point: _Point) -> _Point:
    result: _Point = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _point_add(result, point)
        point = _point_add(point, point)
        scalar >>= 1
    return result


def _point_equal(a: _Point, b: _Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _decompress(data: bytes) -> _Point | None:
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0) or 0
_G: _Point = (_GX, _GY, 1, _GX * _GY % _P)


def _ed25519_verify_pure(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a, r = _decompress(public_key), _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    return _point_equal(_point_mul(s, _G), _point_add(r, _point_mul(h % _Q, a)))


def _ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return _ed25519_verify_pure(public_key, message, signature)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
