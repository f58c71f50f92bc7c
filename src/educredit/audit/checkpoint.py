"""Signed tree heads in the C2SP checkpoint / signed-note format, and entry MACs.

A checkpoint is the note body ``<origin>\\n<size>\\n<base64 root>\\n``, a blank line, and one
signature line per signer: ``— <key name> <base64(4-byte key hash ‖ Ed25519 signature)>``.
The key hash is the first four bytes of SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ public key), 0x01
naming Ed25519; the signature covers the body bytes. Anyone holding the verifier key
(``educredit audit public-key``: ``<name>+<hex key hash>+<base64(0x01 ‖ public key)>``) can
check a checkpoint with any signed-note implementation, or the snippet in docs/audit-proofs.md.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

ED25519_ALGORITHM = b"\x01"
SIGNATURE_DASH = "\u2014"  # the em dash that starts a signed-note signature line


@dataclass(frozen=True)
class Checkpoint:
    """The parsed body of a checkpoint (what the signature vouches for)."""

    origin: str
    size: int
    root: bytes


@functools.lru_cache(maxsize=4)
def _key_pair(raw: bytes) -> tuple[Ed25519PrivateKey, bytes]:
    # Built once per key: every check signs an entry timestamp with it.
    key = Ed25519PrivateKey.from_private_bytes(raw)
    return key, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signing_key() -> Ed25519PrivateKey:
    """The platform's audit signing key (from the key file)."""
    return _key_pair(bytes(settings.EDUCREDIT_AUDIT_SIGNING_KEY))[0]


def public_key_bytes() -> bytes:
    """The raw 32-byte Ed25519 public key matching the signing key."""
    return _key_pair(bytes(settings.EDUCREDIT_AUDIT_SIGNING_KEY))[1]


def key_name() -> str:
    """The signer's name on checkpoint signature lines: the log's origin."""
    return str(settings.EDUCREDIT_AUDIT_ORIGIN)


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte signed-note key hash of an Ed25519 key."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_key).digest()[:4]


def verifier_key(name: str | None = None, public_key: bytes | None = None) -> str:
    """The signed-note verifier key: ``<name>+<hex key hash>+<base64(0x01 ‖ public key)>``."""
    name = key_name() if name is None else name
    public_key = public_key_bytes() if public_key is None else public_key
    encoded = base64.b64encode(ED25519_ALGORITHM + public_key).decode("ascii")
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """The signed part of a checkpoint."""
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def sign_checkpoint(size: int, root: bytes) -> tuple[str, str]:
    """A checkpoint for a tree of ``size`` with ``root``, signed now: (note text, signature)."""
    name = key_name()
    body = checkpoint_body(name, size, root)
    raw = signing_key().sign(body.encode())
    signature = base64.b64encode(key_hash(name, public_key_bytes()) + raw).decode("ascii")
    return f"{body}\n{SIGNATURE_DASH} {name} {signature}\n", signature


def parse_verifier_key(vkey: str) -> tuple[str, bytes]:
    """(name, raw public key) from a verifier key; ``ValueError`` if it is malformed."""
    # The name and the hash hold no "+", but the base64 key may.
    name, hash_hex, encoded = vkey.strip().split("+", 2)
    material = base64.b64decode(encoded, validate=True)
    if material[:1] != ED25519_ALGORITHM or len(material) != 33:
        raise ValueError("not an Ed25519 verifier key")
    if key_hash(name, material[1:]).hex() != hash_hex:
        raise ValueError("verifier key hash does not match its key")
    return name, material[1:]


def open_checkpoint(text: str, name: str, public_key: bytes) -> Checkpoint | None:
    """The checkpoint's body if ``text`` carries a valid signature by (name, key), else None."""
    body, separator, signatures = text.partition("\n\n")
    if not separator or not body or body.count("\n") < 2:
        return None
    body += "\n"
    lines = body.split("\n")
    try:
        checkpoint = Checkpoint(lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True))
    except ValueError:
        return None
    if checkpoint.size < 0 or len(checkpoint.root) != 32 or not lines[1].isdigit():
        return None
    expected_hash = key_hash(name, public_key)
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != SIGNATURE_DASH or parts[1] != name:
            continue
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        if blob[:4] != expected_hash:
            continue
        try:
            verifier.verify(blob[4:], body.encode())
        except InvalidSignature:
            continue
        return checkpoint
    return None


def _mac_key() -> bytes:
    # A key of its own, derived from the signing key with a label, for the entries' HMACs.
    return hashlib.sha256(
        b"educredit audit entry mac v1\x00" + settings.EDUCREDIT_AUDIT_SIGNING_KEY
    ).digest()


def entry_mac(leaf_hash_hex: str) -> str:
    """HMAC-SHA-256 of an entry's leaf hash under a key that is not in the database."""
    return hmac.new(_mac_key(), bytes.fromhex(leaf_hash_hex), hashlib.sha256).hexdigest()


def entry_mac_valid(leaf_hash_hex: str, mac: str) -> bool:
    """Whether ``mac`` is the MAC EduCredit wrote for ``leaf_hash_hex``."""
    try:
        expected = entry_mac(leaf_hash_hex)
    except ValueError:
        return False
    return hmac.compare_digest(expected, mac)
