"""Signed entry timestamps (SET): the log's promise, handed out at once, to integrate an entry.

A writer that gives its caller a receipt (a screening check) appends with ``receipt=True``;
the entry then carries a merge deadline, and ``entry_timestamp`` signs, with the audit key,
a signed note whose body is::

    <origin>
    entry timestamp v1
    <base64 leaf hash>
    <time written, RFC 3339>
    <merge deadline, RFC 3339>

followed by a blank line and ``— <origin> <base64(4-byte key hash ‖ Ed25519 signature)>``, as a
checkpoint (``audit.checkpoint``). The second line keeps the two kinds of note apart: a SET
never parses as a checkpoint, whose second line is a tree size. Ed25519 signatures are
deterministic, so the same entry always gets the same SET and nothing needs storing: the entry
itself (its leaf hash and deadline) is the record of the promise, which ``audit verify``
checks against the time the sequencer integrated it. Anyone with the verifier key
(``educredit audit public-key``) can check a SET with ``open_entry_timestamp`` or any
signed-note library; the inclusion proof follows once the entry is integrated.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from educredit.audit.checkpoint import (
    SIGNATURE_DASH,
    key_hash,
    key_name,
    public_key_bytes,
    signing_key,
)
from educredit.audit.models import AuditEntry

KIND_LINE = "entry timestamp v1"


@dataclass(frozen=True)
class EntryTimestamp:
    """What a signed entry timestamp vouches for."""

    origin: str
    leaf_hash: bytes
    timestamp: dt.datetime
    merge_deadline: dt.datetime


@dataclass(frozen=True)
class SignedEntryTimestamp:
    """A signed entry timestamp as handed out: the body's fields and the signed note."""

    body: EntryTimestamp
    note: str
    signature: str

    def as_dict(self) -> dict[str, Any]:
        """The receipt's ``entry_timestamp`` member."""
        return {
            "origin": self.body.origin,
            "leaf_hash": self.body.leaf_hash.hex(),
            "timestamp": _rfc3339(self.body.timestamp),
            "merge_deadline": _rfc3339(self.body.merge_deadline),
            "note": self.note,
            "signature": self.signature,
        }


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def timestamp_body(stamp: EntryTimestamp) -> str:
    """The signed part of a SET."""
    leaf = base64.b64encode(stamp.leaf_hash).decode("ascii")
    return (
        f"{stamp.origin}\n{KIND_LINE}\n{leaf}\n{_rfc3339(stamp.timestamp)}\n"
        f"{_rfc3339(stamp.merge_deadline)}\n"
    )


def entry_timestamp(entry: AuditEntry) -> SignedEntryTimestamp:
    """The SET of an entry appended with ``receipt=True``."""
    if entry.merge_deadline is None:
        raise ValueError("this entry was appended without a receipt: it carries no promise")
    name = key_name()
    stamp = EntryTimestamp(
        origin=name,
        leaf_hash=bytes.fromhex(entry.leaf_hash),
        timestamp=entry.created_at,
        merge_deadline=entry.merge_deadline,
    )
    body = timestamp_body(stamp)
    raw = signing_key().sign(body.encode())
    signature = base64.b64encode(key_hash(name, public_key_bytes()) + raw).decode("ascii")
    return SignedEntryTimestamp(stamp, f"{body}\n{SIGNATURE_DASH} {name} {signature}\n", signature)


def open_entry_timestamp(text: str, name: str, public_key: bytes) -> EntryTimestamp | None:
    """The SET's body if ``text`` is a SET signed by (name, key), else None."""
    body, separator, signatures = text.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) != 5 or lines[1] != KIND_LINE or lines[0] != name:
        return None
    try:
        leaf = base64.b64decode(lines[2], validate=True)
        written = dt.datetime.fromisoformat(lines[3])
        deadline = dt.datetime.fromisoformat(lines[4])
    except ValueError:
        return None
    if len(leaf) != 32 or written.tzinfo is None or deadline.tzinfo is None:
        return None
    signed = (body + "\n").encode()
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    expected_hash = key_hash(name, public_key)
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != SIGNATURE_DASH or parts[1] != name:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
            if blob[:4] != expected_hash:
                continue
            verifier.verify(blob[4:], signed)
        except (ValueError, InvalidSignature):
            continue
        return EntryTimestamp(lines[0], leaf, written, deadline)
    return None
