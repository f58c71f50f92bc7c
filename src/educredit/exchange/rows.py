"""National-layout rows as the outbox keeps them: identity numbers sealed until sending."""

from __future__ import annotations

from typing import Any

from educredit.core.crypto import decrypt_text, encrypt_text

SEALED = "$sealed"
# Identity numbers that must never sit in clear in the database.
SEALED_FIELDS = frozenset({"CF_XDR_ZJHM", "CF_FR_ZJHM", "XK_XDR_ZJHM", "XK_FR_ZJHM"})


def seal_value(value: str) -> dict[str, str]:
    """The stored form of an identity number: ``{"$sealed": <ciphertext token>}``."""
    return {SEALED: encrypt_text(value)}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED} and isinstance(value[SEALED], str)


def unseal_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with every sealed value decrypted (call right before sending)."""
    return {
        field: decrypt_text(value[SEALED]) if is_sealed(value) else value
        for field, value in row.items()
    }


def clear_identity_fields(row: dict[str, Any]) -> list[str]:
    """Fields of ``row`` that hold an identity number in clear (should be empty)."""
    return [
        field
        for field in sorted(SEALED_FIELDS & row.keys())
        if row[field] not in (None, "") and not is_sealed(row[field])
    ]
