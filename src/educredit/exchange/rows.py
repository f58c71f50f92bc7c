"""National-layout rows as the outbox keeps them: identity numbers sealed until sending."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from educredit.core.crypto import decrypt_text, encrypt_text
from educredit.exchange import commitment_layout

SEALED = "$sealed"
# Identity numbers that must never sit in clear in the database.
SEALED_FIELDS = frozenset(
    {"CF_XDR_ZJHM", "CF_FR_ZJHM", "XK_XDR_ZJHM", "XK_FR_ZJHM", commitment_layout.IDENTITY_FIELD}
)


# The national layouts' column order (domain rules §1.1 and §1.2). A row's own key order is not
# kept by the database (PostgreSQL's jsonb sorts keys), so files follow this order.
PENALTY_COLUMNS = (
    "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
    "CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX",
    "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK",
    "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM",
    "CF_SJLY", "CF_SJLYDM", "BZ",
)  # fmt: skip
LICENCE_COLUMNS = (
    "XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ",
    "XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX",
    "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ",
    "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ",
)  # fmt: skip
NATIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "penalty": PENALTY_COLUMNS,
    "licence": LICENCE_COLUMNS,
    "commitment": commitment_layout.COMMITMENT_COLUMNS,
}
# The fields staff pages name an item by: the decision's document number and the party.
# (A commitment goes by its 20-digit code.)
DOCUMENT_NUMBER_FIELDS = {"penalty": "CF_WSH", "licence": "XK_WSH", "commitment": "code"}
PARTY_NAME_FIELDS = {"penalty": "CF_XDR_MC", "licence": "XK_XDR_MC", "commitment": "subjectName"}

# The national fields' names (code → Chinese name, English name) for staff pages. The app that
# owns the decisions' layouts (``disclosure``) registers them when it is ready, so this app
# depends on nothing above it; the commitment layout is this app's own. A code without a name
# is shown as itself.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    f.code: (f.chinese, f.english) for f in commitment_layout.COMMITMENT_FIELDS
}


def field_name(code: str) -> str:
    """What staff call the national field ``code`` (行政相对人名称 …), in the page's language."""
    names = FIELD_NAMES.get(code)
    if names is None:
        return code
    chinese, english = names
    return english if english and (get_language() or "").startswith("en") else chinese


def national_columns(kind: str, present: set[str]) -> list[str]:
    """Columns for a file of ``kind``: the national order, then any other field present, sorted."""
    order = NATIONAL_COLUMNS.get(kind, ())
    return [*order, *sorted(present - set(order))]


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
