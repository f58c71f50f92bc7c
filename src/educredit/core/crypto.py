"""Field-level protection of identity numbers: AES-GCM encryption, blind index, masking.

A ciphertext token is ``<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``. New values are encrypted
with the current key; every key in the key file can still decrypt, so rotating the key leaves
old rows readable until they are re-encrypted. The blind index is an HMAC-SHA-256 of the
normalised value under a separate key: equal numbers give equal indexes, and nothing about the
number can be read from it without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


class FieldDecryptionError(ValueError):
    """A ciphertext token could not be decrypted (unknown key id, or tampered data)."""


def normalise_document_number(value: str) -> str:
    """Upper-case, without spaces: the form numbers are compared, indexed and encrypted in."""
    return "".join(value.split()).upper()


class DocumentSealer:
    """Encrypts and blind-indexes many numbers with one set of keys.

    Keeps the cipher and the keyed HMAC so a bulk loader pays their set-up once; workers of a
    process pool get the key material explicitly and need no settings.
    """

    def __init__(self, *, key_id: str, field_key: bytes, blind_index_key: bytes) -> None:
        self.key_id = key_id
        self._aead = AESGCM(field_key)
        self._index_mac = hmac.new(blind_index_key, digestmod=hashlib.sha256)

    @classmethod
    def current(cls) -> DocumentSealer:
        """A sealer with the current field key and the blind-index key from settings."""
        key_id = settings.EDUCREDIT_FIELD_KEY_CURRENT
        return cls(
            key_id=key_id,
            field_key=settings.EDUCREDIT_FIELD_KEYS[key_id],
            blind_index_key=settings.EDUCREDIT_BLIND_INDEX_KEY,
        )

    def encrypt(
        self, plain: str, *, nonce: bytes | None = None, associated_data: bytes = b""
    ) -> str:
        """A ``<key id>:<base64>`` token; ``nonce`` lets a caller draw nonces in bulk."""
        nonce = secrets.token_bytes(NONCE_BYTES) if nonce is None else nonce
        sealed = self._aead.encrypt(nonce, plain.encode(), associated_data)
        return f"{self.key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def blind_index(self, normalised: str, *, purpose: str = "document") -> str:
        """Keyed hash of an already normalised value; ``purpose`` separates domains."""
        mac = self._index_mac.copy()
        mac.update(f"{purpose}\x00{normalised}".encode())
        return mac.hexdigest()


def encrypt_text(plain: str, *, associated_data: bytes = b"") -> str:
    """Encrypt ``plain`` under the current field key."""
    return DocumentSealer.current().encrypt(plain, associated_data=associated_data)


def decrypt_text(token: str, *, associated_data: bytes = b"") -> str:
    """Decrypt a token made by ``encrypt_text`` with whichever key it names."""
    key_id, _, payload = token.partition(":")
    key = settings.EDUCREDIT_FIELD_KEYS.get(key_id)
    if key is None:
        raise FieldDecryptionError(f"unknown field key id {key_id!r}")
    try:
        raw = base64.b64decode(payload, validate=True)
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data)
    except Exception as exc:  # InvalidTag for any tampering; binascii.Error for mangled text
        raise FieldDecryptionError("ciphertext failed authentication") from exc
    return plain.decode()


def token_key_id(token: str) -> str:
    """The id of the key a token was encrypted with (to find rows needing re-encryption)."""
    return token.partition(":")[0]


def blind_index(value: str, *, purpose: str = "document") -> str:
    """Keyed hash for exact lookup of an encrypted value; ``purpose`` separates domains."""
    return DocumentSealer.current().blind_index(normalise_document_number(value), purpose=purpose)


def mask_document_number(value: str) -> str:
    """Display mask: first six and last four characters kept (``410105********123X``).

    Short numbers (passports) keep fewer characters so that at least half is hidden.
    """
    value = normalise_document_number(value)
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    keep = max(1, len(value) // 4)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]
