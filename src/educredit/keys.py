"""Local secrets: generated into a key file on first run, never committed, never printed.

The file holds the Django secret key, the AES-GCM field-encryption keys (several, for
rotation: old ciphertexts stay readable), the blind-index key and the audit signing key
(Ed25519). Its location is ``EDUCREDIT_KEY_FILE`` or ``var/keys.json``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


@dataclass(frozen=True)
class Keys:
    """The platform's secrets, as loaded from the key file."""

    django_secret: str
    field_keys: dict[str, bytes]
    field_key_current: str
    blind_index_key: bytes
    audit_signing_key: bytes


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _new_key_material() -> dict[str, object]:
    signing = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return {
        "django_secret": secrets.token_urlsafe(50),
        "field_keys": {"k1": _b64(secrets.token_bytes(32))},
        "field_key_current": "k1",
        "blind_index_key": _b64(secrets.token_bytes(32)),
        "audit_signing_key": _b64(signing),
    }


def write_key_file(path: Path, material: dict[str, object], *, replace: bool = False) -> None:
    """Write key material atomically with owner-only permissions.

    Without ``replace`` the file is only created if absent (concurrent first runs, such as
    parallel test workers, all end up reading the same keys).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(material, handle, indent=2)
        os.chmod(tmp, 0o600)
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_key_material(path: Path) -> dict[str, object]:
    """The raw JSON of the key file, creating the file on first use."""
    if not path.exists():
        write_key_file(path, _new_key_material())
    loaded: dict[str, object] = json.loads(path.read_text())
    return loaded


def load_keys(path: Path) -> Keys:
    """Load (creating on first use) the key file at ``path``."""
    raw = read_key_material(path)
    field_keys = raw["field_keys"]
    if not isinstance(field_keys, dict) or not field_keys:
        raise ValueError(f"{path}: field_keys must be a non-empty mapping of key id to key")
    return Keys(
        django_secret=str(raw["django_secret"]),
        field_keys={kid: base64.b64decode(value) for kid, value in field_keys.items()},
        field_key_current=str(raw["field_key_current"]),
        blind_index_key=base64.b64decode(str(raw["blind_index_key"])),
        audit_signing_key=base64.b64decode(str(raw["audit_signing_key"])),
    )
