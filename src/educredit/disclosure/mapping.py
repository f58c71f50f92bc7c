"""Between national rows and EduCredit: a validated row → a credit record, a record → a row.

Row → record: ``SubjectIndex.load`` finds the subjects of a whole batch of rows in two queries
(institutions by USCC, people by blind index of their document number), then
``record_arguments`` turns one cleaned row into keyword arguments of
``records.services.credit_record_create`` plus the national fields EduCredit keeps on the
``Decision`` (``extra``).

Record → row: ``national_row`` builds the row the outbox sends (identity numbers sealed as
``{"$sealed": token}``, never in clear); ``public_row`` keeps only the published fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet

from educredit.catalog.models import CatalogItem
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core.crypto import DocumentSealer, decrypt_text, encrypt_text
from educredit.core.lookups import AnyOf
from educredit.disclosure import national as n
from educredit.records.models import CreditRecord
from educredit.subjects.models import Institution, Person

SEALED = "$sealed"  # the contract's marker (issue 4): {"$sealed": encrypt_text(number)}
LICENCE_ITEM = "JY-XK-01"
DEFAULT_PENALTY_ITEM = "JY-CF-02"
TITLE_MAX = 300

# National code → the catalog item's payload field (catalog.data PENALTY_FIELDS / JY-XK-01).
PAYLOAD_FIELDS: dict[str, dict[str, str]] = {
    "penalty": {
        "CF_WFXW": "violation_type",
        "CF_SY": "violation_facts",
        "CF_YJ": "penalty_basis",
        "CF_CFLB": "penalty_category",
        "CF_NR": "penalty_content",
        "CF_NR_FK": "fine_amount",
        "CF_NR_WFFF": "confiscated_amount",
        "CF_NR_ZKDX": "licence_suspended",
        "CF_FRDB": "legal_representative",
        "CF_YXQ": "valid_until",
        "CF_SJLY": "data_source",
        "BZ": "remarks",
    },
    "licence": {
        "XK_XKLB": "licence_category",
        "XK_XKWS": "licence_document_name",
        "XK_XKZS": "certificate_name",
        "XK_XKBH": "licence_number",
        "XK_NR": "licence_content",
        "XK_YXQZ": "valid_from",
        "XK_YXQZI": "valid_until",
        "XK_FRDB": "legal_representative",
        "XK_LYDW": "data_source",
    },
}
# Codes the record itself holds (columns) or derives from its subject.
_SUBJECT_SUFFIXES = ("_XDR_MC", "_XDR_LB", "_XDR_SHXYM", "_XDR_ZJLX", "_XDR_ZJHM")
_DERIVED = {"CF_GSJZQ", "XK_ZT"}


def _prefix(kind: str) -> str:
    return "CF" if kind == "penalty" else "XK"


def extra_codes(kind: str) -> tuple[str, ...]:
    """National codes kept on the ``Decision`` because neither record nor subject holds them."""
    p = _prefix(kind)
    held = (
        set(PAYLOAD_FIELDS[kind])
        | {p + suffix for suffix in _SUBJECT_SUFFIXES}
        | {n.DOCUMENT_NUMBER[kind], n.DECISION_DATE[kind], n.ISSUING_BODY[kind]}
        | {n.ISSUING_BODY_USCC[kind]}
        | _DERIVED
    )
    return tuple(f.code for f in n.layout(kind) if f.code not in held)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def seal(value: str) -> dict[str, str]:
    """An identity number as the outbox and ``Decision.extra`` keep it."""
    return {SEALED: encrypt_text(value)}


def _unseal(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {SEALED}:
        return decrypt_text(value[SEALED])
    return value


# --- row → record ---------------------------------------------------------------------------


class SubjectIndex:
    """The subjects a batch of rows is about, found in two queries (never one per row)."""

    def __init__(
        self,
        institutions: Mapping[str, Institution],
        people: Mapping[tuple[str, str], Person],
        sealer: DocumentSealer,
    ) -> None:
        self.institutions = dict(institutions)
        self.people = dict(people)
        self._sealer = sealer

    @classmethod
    def load(
        cls,
        kind: str,
        rows: Iterable[Mapping[str, Any]],
        *,
        institutions: QuerySet[Institution] | None = None,
        people: QuerySet[Person] | None = None,
    ) -> SubjectIndex:
        """Index the subjects of cleaned ``rows``; pass ``visible_to(...)`` querysets to scope."""
        p = _prefix(kind)
        sealer = DocumentSealer.current()
        usccs: set[str] = set()
        indexes: set[str] = set()
        for row in rows:
            if row.get(f"{p}_XDR_LB") == n.PARTY_PERSON:
                number = row.get(f"{p}_XDR_ZJHM")
                if number:
                    indexes.add(sealer.blind_index(str(number)))
            elif row.get(f"{p}_XDR_SHXYM"):
                usccs.add(str(row[f"{p}_XDR_SHXYM"]))
        institution_qs = Institution.objects.all() if institutions is None else institutions
        person_qs = Person.objects.all() if people is None else people
        found_institutions = (
            {i.uscc: i for i in institution_qs.filter(AnyOf(F("uscc"), list(usccs))) if i.uscc}
            if usccs
            else {}
        )
        found_people = (
            {
                (person.document_type, person.id_number_index): person
                for person in person_qs.filter(AnyOf(F("id_number_index"), list(indexes)))
            }
            if indexes
            else {}
        )
        return cls(found_institutions, found_people, sealer)

    def subject_of(self, kind: str, row: Mapping[str, Any]) -> Institution | Person | None:
        """The registered subject a cleaned row is about, or None."""
        p = _prefix(kind)
        if row.get(f"{p}_XDR_LB") == n.PARTY_PERSON:
            document_type = n.DOCUMENT_TYPES.get(str(row.get(f"{p}_XDR_ZJLX", "")))
            number = row.get(f"{p}_XDR_ZJHM")
            if document_type is None or not number:
                return None
            return self.people.get((document_type, self._sealer.blind_index(str(number))))
        uscc = row.get(f"{p}_XDR_SHXYM")
        return self.institutions.get(str(uscc)) if uscc else None


@dataclass(frozen=True)
class RecordArguments:
    """What ``credit_record_create`` needs for one row, and what the ``Decision`` keeps."""

    create: dict[str, Any]  # keyword arguments of credit_record_create (without actor, source)
    extra: dict[str, Any]  # national fields for Decision.extra (identity numbers sealed)


class MappingError(ValueError):
    """A row cannot become a record (its subject is not registered, no catalog item …)."""

    def __init__(self, code: str, zh: str, en: str) -> None:
        self.code = code
        super().__init__(f"{zh} / {en}")


def catalog_item_for(
    kind: str, *, penalty_item_code: str = DEFAULT_PENALTY_ITEM, as_of: dt.date | None = None
) -> CatalogItem:
    """The current catalog's item for ``kind``: JY-XK-01 for licences, the given penalty item."""
    code = LICENCE_ITEM if kind == "licence" else penalty_item_code
    item = catalog_item_by_code(code, as_of)
    if item is None:
        raise MappingError(
            "catalog_item",
            f"现行目录中没有条目 {code}",
            f"the catalog in force has no item {code}",
        )
    return item


def record_arguments(
    kind: str, values: Mapping[str, Any], *, subjects: SubjectIndex, catalog_item: CatalogItem
) -> RecordArguments:
    """Arguments of ``credit_record_create`` for one cleaned row (``RowResult.values``)."""
    subject = subjects.subject_of(kind, values)
    p = _prefix(kind)
    if subject is None:
        name = values.get(f"{p}_XDR_MC", "")
        raise MappingError(
            f"{p}_XDR_MC",
            f"行政相对人 {name} 尚未登记为信用主体（按统一社会信用代码或证件号码查找）",
            f"the party {name} is not a registered subject (looked up by credit code or "
            "document number)",
        )
    payload = {
        field: _json_value(values[code])
        for code, field in PAYLOAD_FIELDS[kind].items()
        if values.get(code) not in (None, "")
    }
    if kind == "penalty":
        title = str(values.get("CF_WFXW", ""))
    else:
        title = str(values.get("XK_XKWS") or values.get("XK_NR") or "")
    create = {
        "catalog_item": catalog_item,
        "institution": subject if isinstance(subject, Institution) else None,
        "person": subject if isinstance(subject, Person) else None,
        "title": title[:TITLE_MAX],
        "decision_number": values.get(n.DOCUMENT_NUMBER[kind], ""),
        "issuing_body": values.get(n.ISSUING_BODY[kind], ""),
        "issuing_body_uscc": values.get(n.ISSUING_BODY_USCC[kind], ""),
        "decision_date": values.get(n.DECISION_DATE[kind]),
        "payload": payload,
    }
    identity = set(n.identity_codes(kind))
    extra: dict[str, Any] = {}
    for code in extra_codes(kind):
        value = values.get(code)
        if value in (None, ""):
            continue
        extra[code] = seal(str(value)) if code in identity else _json_value(value)
    return RecordArguments(create=create, extra=extra)


# --- record → row ---------------------------------------------------------------------------


def kind_of(record: CreditRecord) -> str | None:
    """ "licence" or "penalty" for a record of such a catalog item, else None."""
    category = record.catalog_item.category
    return category if category in n.LAYOUTS else None


def _party_category(institution: Institution) -> str:
    # 9 = 工商, 2 = 个体工商户 (GB 32100-2015)
    if institution.uscc and institution.uscc.startswith("92"):
        return n.PARTY_SOLE_TRADER
    return n.PARTY_ORGANISATION


def national_row(
    record: CreditRecord, *, kind: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The record in the national layout, JSON-safe, identity numbers sealed (for the outbox).

    ``extra`` are the fields the ``Decision`` keeps (as ``record_arguments`` made them).
    """
    p = _prefix(kind)
    row: dict[str, Any] = {}
    institution, person = record.institution, record.person
    if institution is not None:
        row[f"{p}_XDR_MC"] = institution.name
        row[f"{p}_XDR_LB"] = _party_category(institution)
        row[f"{p}_XDR_SHXYM"] = institution.uscc or ""
        if institution.legal_representative:
            row[f"{p}_FRDB"] = institution.legal_representative
    elif person is not None:
        row[f"{p}_XDR_MC"] = person.name
        row[f"{p}_XDR_LB"] = n.PARTY_PERSON
        row[f"{p}_XDR_ZJLX"] = n.DOCUMENT_TYPE_NAMES.get(person.document_type, "")
        # The subject's ciphertext is already encrypt_text(number): reuse it, never decrypt.
        row[f"{p}_XDR_ZJHM"] = {SEALED: person.id_number_cipher}
    payload = record.payload or {}
    for code, field in PAYLOAD_FIELDS[kind].items():
        value = payload.get(field)
        if value not in (None, ""):
            row[code] = value
    row[n.DOCUMENT_NUMBER[kind]] = record.decision_number
    row[n.DECISION_DATE[kind]] = record.decision_date.isoformat()
    row[n.ISSUING_BODY[kind]] = record.issuing_body
    row[n.ISSUING_BODY_USCC[kind]] = record.issuing_body_uscc
    organisation = record.organisation
    row.setdefault(n.DATA_SOURCE[kind], organisation.name)
    if organisation.uscc:
        row[n.DATA_SOURCE_USCC[kind]] = organisation.uscc
    if kind == "penalty":
        if record.public_until is not None:
            # 公示截止期 is the last day shown; ``public_until`` is the first day not shown.
            last_day = record.public_until - dt.timedelta(days=1)
            row["CF_GSJZQ"] = last_day.isoformat()
    else:
        row["XK_ZT"] = "1" if record.status == "effective" else "2"
    row.update(extra or {})
    return {f.code: row[f.code] for f in n.layout(kind) if row.get(f.code) not in (None, "")}


def public_row(record: CreditRecord, *, kind: str) -> dict[str, Any]:
    """Only the fields the standard publishes (never a document number)."""
    published = set(n.published_codes(kind))
    decision = getattr(record, "disclosure_decision", None)
    row = national_row(record, kind=kind, extra=decision.extra if decision is not None else None)
    return {code: value for code, value in row.items() if code in published}


def unsealed_for_validation(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row with sealed values decrypted, for ``RowValidator`` (kept in memory only)."""
    return {code: _unseal(value) for code, value in row.items()}


def published_fields(record: CreditRecord) -> list[tuple[n.NationalField, Any]] | None:
    """The published national fields of a record that has a ``Decision``, in layout order.

    None when the record has no decision (it is then shown by its catalog fields). Reads
    ``record.disclosure_decision`` and the record's subject and organisation: callers listing
    many records ``select_related`` them.
    """
    decision = getattr(record, "disclosure_decision", None)
    if decision is None:
        return None
    row = public_row(record, kind=decision.kind)
    return [(f, row[f.code]) for f in n.layout(decision.kind) if f.code in row]
