"""Screening (核查): a business system asks whether a subject is under a measure in a scenario.

The core of the check, free of HTTP so that the bulk check and the Python client reuse it
(ADR 0022). ``identifier_from`` validates what the caller sent; ``screen`` resolves the
subject province-wide, confirms the name, answers from ``screening_decision`` and writes the check
(``ScreeningCheck``, the query log) with ONE audit entry in one short transaction: if the log
cannot be written, no answer leaves. ``screening_check_proof`` gives the inclusion proof of a
check's entry once the sequencer has integrated it.

What the answer reads is ONE statement (ADR 0043): the data version, the scenario's code and
retirement, the subject by its unique identifier and its restrictions in force in the scenario
on the day (with their measure, and their basis when details may be given) — a range scan of
the (subject, scenario, starts_on) index. One statement sees one snapshot on every engine, so
the answer is exactly the data at ``data_version`` without a transaction of its own. The
check row and its queued audit entry are then written in one transaction that takes no lock
another request holds (``audit_append(receipt=True)``, ADR 0044); the answer carries the
entry's signed entry timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import psycopg
from django.db import connection, models, transaction
from django.utils import timezone

from educredit.accounts.access import VersionedMemo, access_version
from educredit.accounts.models import ApiAccessVersion, ApiClient
from educredit.audit.canonical import digest
from educredit.audit.selectors import ProofUnavailableError, entry_for, entry_inclusion_proof
from educredit.audit.services import audit_append
from educredit.audit.timestamps import entry_timestamp
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.core.crypto import blind_index
from educredit.core.identifiers import IdentifierError, validate_document, validate_uscc
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.sanctions.models import (
    Measure,
    Restriction,
    Scenario,
    ScreeningCheck,
    ScreeningNameMatch,
)
from educredit.sanctions.selectors import CLEAR, VERDICT_STRENGTH
from educredit.sanctions.versions import screening_data_version_sql
from educredit.subjects.choices import DocumentType
from educredit.subjects.models import FormerName, Institution, Person

CHECK_SCOPE = "sanctions:check"
DETAILS_SCOPE = "sanctions:check_details"
IDENTIFIER_USCC = "uscc"
REFERENCE_MAX = 100
REVIEW = "review"
REASON_NAME_MISMATCH = "name_mismatch"

# Scenarios whose decision must cite the record behind a measure: the business system refuses
# a licence, a qualification, a registration or a bid in a decision of its own that states the
# facts and the basis (行政许可法 §38, 政府采购法实施条例 §17/§19). Elsewhere (awards, funding,
# routine supervision …) the measure and its legal basis are enough, so the record stays out
# of the answer (data minimisation, ADR 0022). Reviewed in code, like the scenario codes.
DETAIL_SCENARIOS = frozenset(
    {
        "teacher_qualification",
        "exam_registration",
        "degree_conferral",
        "private_school_approval",
        "administrative_licensing",
        "government_procurement",
    }
)

DOCUMENT_TYPES = frozenset(DocumentType.values)  # built once: the bulk check asks per row

# Middle dots people type in transliterated names (·, •, ・, ‧, ∙, ⋅, and a plain full stop).
_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅.", "·"))


class ScreeningError(ValueError):
    """The check was refused as sent; ``errors`` maps each field to "中文 / English"."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class ScreeningCheckNotFoundError(LookupError):
    """No check with that id among the caller's own."""


class CallerChangedError(RuntimeError):
    """The API client was taken from memory and the access version moved since: authenticate
    the key again from the database, then screen again (nothing was logged)."""


class ScreeningProofNotReadyError(LookupError):
    """The check's audit entry is not covered by a signed tree head yet."""


@dataclass(frozen=True)
class ScreeningIdentifier:
    """Who is screened: a USCC, or a document type and number (normalised), and a name."""

    uscc: str = ""
    document_type: str = ""
    document_number: str = field(default="", repr=False)
    name: str = ""

    @property
    def kind(self) -> str:
        """``uscc`` or the document type: what the log keeps of the identifier."""
        return IDENTIFIER_USCC if self.uscc else self.document_type


def identifier_from(
    *,
    uscc: str | None = None,
    document_type: str | None = None,
    document_number: str | None = None,
    name: str | None = None,
) -> ScreeningIdentifier:
    """A validated identifier: exactly one of a USCC (GB 32100) or a document type and number."""
    uscc, number = (uscc or "").strip(), (document_number or "").strip()
    kind = (document_type or "").strip()
    if uscc and (number or kind):
        raise ScreeningError(
            {
                "identifier": "只能提供统一社会信用代码或证件类型和号码之一 / "
                "send either uscc or document_type and document_number, not both"
            }
        )
    if not uscc and not number and not kind:
        raise ScreeningError(
            {
                "identifier": "须提供统一社会信用代码，或证件类型和号码 / "
                "send uscc, or document_type and document_number"
            }
        )
    clean_name = " ".join((name or "").split())
    if uscc:
        try:
            return ScreeningIdentifier(uscc=validate_uscc(uscc).code, name=clean_name)
        except IdentifierError as exc:
            raise ScreeningError({"uscc": f"统一社会信用代码{exc.zh} / USCC {exc.en}"}) from exc
    if kind not in DOCUMENT_TYPES:
        raise ScreeningError(
            {
                "document_type": f"证件类型应为 {'、'.join(DocumentType.values)} 之一 / "
                f"document_type must be one of {', '.join(DocumentType.values)}"
            }
        )
    if not number:
        raise ScreeningError({"document_number": "须提供证件号码 / send the document_number"})
    try:
        document = validate_document(kind, number, today=today())
    except IdentifierError as exc:
        raise ScreeningError({"document_number": f"证件号码{exc.zh} / number {exc.en}"}) from exc
    return ScreeningIdentifier(document_type=kind, document_number=document.number, name=clean_name)


@dataclass(frozen=True)
class ScreenedBasis:
    """The record or list entry behind a measure: shown only with details (ADR 0022)."""

    kind: str  # "record" or "list_entry"
    public_id: uuid.UUID
    decision_number: str = ""
    issuing_body: str = ""
    decision_date: dt.date | None = None
    catalog_item: str = ""
    list_kind: str = ""
    listed_on: dt.date | None = None


@dataclass(frozen=True)
class ScreenedMeasure:
    """One measure in force on the subject in the scenario, as the caller is told it."""

    code: str
    matter: str
    means: str
    legal_basis: str
    verdict: str
    measure_version: int
    starts_on: dt.date
    ends_on: dt.date | None  # exclusive: the first day it no longer applies; None: no end
    basis: ScreenedBasis | None


@dataclass(frozen=True)
class ScreeningReceipt:
    """The check's audit entry (its id and signed entry timestamp), the data version it was
    answered from and the digest of the check's record that the entry carries."""

    entry_id: int
    entry_timestamp: dict[str, Any]
    data_version: int
    digest: str
    checked_at: dt.datetime


@dataclass(frozen=True)
class ScreeningAnswer:
    """A check's answer: the verdict, its measures, the check id and the receipt."""

    check_id: uuid.UUID
    scenario: str
    as_of: dt.date
    verdict: str
    subject_found: bool
    name_match: str
    reason: str
    details_given: bool
    measures: list[ScreenedMeasure]
    receipt: ScreeningReceipt


def name_key(value: str) -> str:
    """A name as compared: NFKC (full-width brackets and letters), no spaces, one middle dot,
    case-folded (foreign names)."""
    return "".join(unicodedata.normalize("NFKC", value).split()).translate(_DOTS).casefold()


def details_allowed(caller: Any, scenario: str) -> bool:
    """Whether record details may be given: an API client holding the details scope, in a
    scenario that needs them. Staff read records through the workspace, under jurisdiction."""
    return (
        isinstance(caller, ApiClient)
        and caller.has_scope(DETAILS_SCOPE)
        and scenario in DETAIL_SCENARIOS
    )


def _reference_errors(reference: str, errors: dict[str, str]) -> None:
    if not reference:
        errors["reference"] = "须提供调用方业务编号 / send your own reference"
    elif len(reference) > REFERENCE_MAX:
        errors["reference"] = (
            f"业务编号最多 {REFERENCE_MAX} 个字符 / reference: at most {REFERENCE_MAX} characters"
        )


def check_request(*, scenario: str, reference: str) -> tuple[str, str]:
    """The scenario and reference of a check (or a bulk check), cleaned; ``ScreeningError``
    for an unknown or retired scenario or a missing or over-long reference."""
    scenario, reference = scenario.strip(), " ".join(reference.split())
    errors: dict[str, str] = {}
    _reference_errors(reference, errors)
    _check_scenario(scenario, errors)
    if errors:
        raise ScreeningError(errors)
    return scenario, reference


class _HasVerdict(Protocol):
    @property
    def verdict(self) -> str: ...


_Row = TypeVar("_Row", bound=_HasVerdict)


def screening_decision(
    name_match: str, restrictions: Sequence[_Row]
) -> tuple[str, str, list[_Row]]:
    """The verdict, reason and measures answered for a subject the platform holds, given how
    the name compared and the restrictions in force in the scenario on the day.

    Shared by ``screen`` and the bulk check (ADR 0024) so that the two cannot drift: a name
    mismatch is "review" with no measures; otherwise the strongest verdict (restricted >
    review > reward), or "clear" when nothing is in force, with every measure behind it.
    """
    if name_match == ScreeningNameMatch.MISMATCH:
        # Not a silent hit on someone else: the caller must look at its own data first.
        return REVIEW, REASON_NAME_MISMATCH, []
    rows = sorted(restrictions, key=lambda row: -VERDICT_STRENGTH.get(row.verdict, 0))
    return (str(rows[0].verdict) if rows else CLEAR), "", rows


def _audit_actor(caller: Any) -> Any:
    # ADR 0007: an API client acts in the log as api:<key prefix>.
    return f"api:{caller.key_prefix}" if isinstance(caller, ApiClient) else caller


# Each process's memory of the scenarios (code → retirement day), per access version: a
# scenario's change renews the version in its transaction (ADR 0043).
_scenarios: VersionedMemo[tuple[dt.date | None]] = VersionedMemo()


def _scenario_errors(
    code: str, known: bool, retired_from: dt.date | None, errors: dict[str, str]
) -> None:
    if not known:
        errors["scenario"] = f"业务场景代码 {code} 不存在 / unknown scenario {code}"
    elif retired_from is not None and retired_from <= today():
        errors["scenario"] = (
            f"业务场景代码 {code} 已于 {retired_from} 停用 / "
            f"scenario {code} was retired on {retired_from}"
        )


def _check_scenario(code: str, errors: dict[str, str]) -> None:
    def load() -> tuple[dt.date | None] | None:
        found = Scenario.objects.filter(code=code).values_list("retired_from", flat=True)[:1]
        return (found[0],) if found else None

    held = _scenarios.get(access_version(), code, load)
    _scenario_errors(code, held is not None, held[0] if held else None, errors)


def _name_match(subject: Institution | Person, name: str) -> str:
    if not name:
        return ScreeningNameMatch.NOT_GIVEN
    wanted = name_key(name)
    if wanted == name_key(subject.name):
        return ScreeningNameMatch.CURRENT
    if isinstance(subject, Institution) and any(
        wanted == name_key(former.name) for former in subject.former_names.all()
    ):
        return ScreeningNameMatch.FORMER
    return ScreeningNameMatch.MISMATCH


def _basis(row: Restriction) -> ScreenedBasis | None:
    record: CreditRecord | None = row.basis_record
    if record is not None:
        return ScreenedBasis(
            kind="record",
            public_id=record.public_id,
            decision_number=record.decision_number,
            issuing_body=record.issuing_body,
            decision_date=record.decision_date,
            catalog_item=record.catalog_item.code,
        )
    entry: CreditListEntry | None = row.basis_list_entry
    if entry is not None:
        return ScreenedBasis(
            kind="list_entry",
            public_id=entry.public_id,
            list_kind=entry.kind,
            listed_on=entry.listed_on,
        )
    return None


def _measure(row: Restriction, *, details: bool) -> ScreenedMeasure:
    return ScreenedMeasure(
        code=row.measure.code,
        matter=row.measure.matter,
        means=row.measure.means,
        legal_basis=row.legal_basis,
        verdict=row.verdict,
        measure_version=row.measure_version,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        basis=_basis(row) if details else None,
    )


def _logged(measure: ScreenedMeasure) -> dict[str, Any]:
    """What the check row keeps of a measure: exactly what the caller was told of it."""
    logged: dict[str, Any] = {
        "code": measure.code,
        "version": measure.measure_version,
        "verdict": measure.verdict,
        "starts_on": measure.starts_on.isoformat(),
        "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
    }
    if measure.basis is not None:
        logged["basis"] = f"{measure.basis.kind}:{measure.basis.public_id}"
    return logged


# --- the answer's one statement -------------------------------------------------------------


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(alias: str, model: type[models.Model], name: str) -> str:
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field) or not found.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return f"{alias}.{connection.ops.quote_name(found.column)}"


def _data_version_sql() -> str:
    """The data version as a scalar subquery of the answer's statement: the screening data
    version (ADR 0042), read in the same snapshot as the restrictions."""
    return screening_data_version_sql()


_STATEMENTS: dict[tuple[str, bool, bool, bool] | str, str] = {}
# Columns of the statement before the restriction's: data version, access version, the check
# row's id (PostgreSQL), scenario known / retired, subject id / name / public id (and, for an
# institution named in the check, its former names last).
_HEAD = 8


def _answer_sql(*, person: bool, details: bool, former: bool) -> str:
    """The check's read (built once per shape): one row per restriction in force in the
    scenario on the day, or one row of NULLs after the version, scenario and subject columns
    when there is none (no subject, or nothing in force)."""
    key = (connection.vendor, person, details, former)
    if key in _STATEMENTS:
        return _STATEMENTS[key]
    subject: type[Institution | Person] = Person if person else Institution
    c = _column
    columns = [
        "base.data_version",
        "base.access_version",
        "base.check_id",
        "sc.known",
        "sc.retired_from",
        c("s", subject, "id"),
        c("s", subject, "name"),
        c("s", subject, "public_id"),
        c("r", Restriction, "verdict"),
        c("r", Restriction, "measure_version"),
        c("r", Restriction, "starts_on"),
        c("r", Restriction, "ends_on"),
        c("r", Restriction, "legal_basis"),
        c("m", Measure, "code"),
        c("m", Measure, "matter"),
        c("m", Measure, "means"),
    ]
    joins = [
        f"LEFT JOIN (SELECT 1 AS known, {c('x', Scenario, 'retired_from')} AS retired_from "  # noqa: S608
        f"FROM {_table(Scenario)} x WHERE {c('x', Scenario, 'code')} = %s) sc ON 1 = 1",
    ]
    if person:
        joins.append(
            f"LEFT JOIN {_table(Person)} s ON {c('s', Person, 'document_type')} = %s "
            f"AND {c('s', Person, 'id_number_index')} = %s"
        )
    else:
        joins.append(f"LEFT JOIN {_table(Institution)} s ON {c('s', Institution, 'uscc')} = %s")
    fk = c("r", Restriction, "person" if person else "institution")
    joins += [
        f"LEFT JOIN {_table(Restriction)} r ON {fk} = {c('s', subject, 'id')} "
        f"AND {c('r', Restriction, 'scenario')} = %s AND {c('r', Restriction, 'starts_on')} <= %s "
        f"AND ({c('r', Restriction, 'ends_on')} IS NULL "
        f"OR {c('r', Restriction, 'ends_on')} > %s)",
        f"LEFT JOIN {_table(Measure)} m "
        f"ON {c('m', Measure, 'id')} = {c('r', Restriction, 'measure')}",
    ]
    if details:
        columns += [
            c("br", CreditRecord, "public_id"),
            c("br", CreditRecord, "decision_number"),
            c("br", CreditRecord, "issuing_body"),
            c("br", CreditRecord, "decision_date"),
            c("ci", CatalogItem, "code"),
            c("le", CreditListEntry, "public_id"),
            c("le", CreditListEntry, "kind"),
            c("le", CreditListEntry, "listed_on"),
        ]
        joins += [
            f"LEFT JOIN {_table(CreditRecord)} br "
            f"ON {c('br', CreditRecord, 'id')} = {c('r', Restriction, 'basis_record')}",
            f"LEFT JOIN {_table(CatalogItem)} ci "
            f"ON {c('ci', CatalogItem, 'id')} = {c('br', CreditRecord, 'catalog_item')}",
            f"LEFT JOIN {_table(CreditListEntry)} le "
            f"ON {c('le', CreditListEntry, 'id')} = {c('r', Restriction, 'basis_list_entry')}",
        ]
    if former:
        aggregate = "json_agg" if connection.vendor == "postgresql" else "json_group_array"
        columns.append(
            f"(SELECT {aggregate}({c('f', FormerName, 'name')}) "  # noqa: S608 (quoted names)
            f"FROM {_table(FormerName)} f "
            f"WHERE {c('f', FormerName, 'institution')} = {c('s', Institution, 'id')})"
        )
    access = _table(ApiAccessVersion)
    # On PostgreSQL the check row's id comes with the answer, so that writing the log needs
    # no RETURNING (``_log_check``). In the FROM subquery: evaluated once, not per row.
    check_id = (
        f"nextval(pg_get_serial_sequence('{ScreeningCheck._meta.db_table}', 'id'))"
        if connection.vendor == "postgresql"
        else "NULL"
    )
    base = (
        f"(SELECT {_data_version_sql()} AS data_version, "  # noqa: S608 (quoted names)
        f"COALESCE((SELECT token FROM {access} WHERE id = 1), 0) AS access_version, "
        f"{check_id} AS check_id) base"
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM {base} "  # noqa: S608 (quoted names)
        + " ".join(joins)
        + f" ORDER BY {c('r', Restriction, 'starts_on')}, {c('r', Restriction, 'id')}"
    )
    _STATEMENTS[key] = sql
    return sql


class _PreparedCursor(psycopg.Cursor[Any]):
    """psycopg's server-side-binding cursor, preparing every statement it runs."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("prepare", True)
        return super().execute(query, params, **kwargs)


def _prepared_cursor() -> Any:
    """A cursor whose statements PostgreSQL prepares once per connection (server-side
    binding): the check's read joins seven tables, and planning it afresh on every check cost
    more than running it. Django's own wrapper around it, so that errors are Django's and
    queries are logged and counted as any other. Elsewhere Django's cursor."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _PreparedCursor(connection.connection)
    # (django-stubs types the argument as Django's wrapper; it is the driver's cursor.)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return connection.make_cursor(cursor)  # type: ignore[arg-type]


def _answer_rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run the check's read (autocommit: one statement is its own snapshot)."""
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass(frozen=True)
class _InForce:
    """A restriction in force as the check's statement read it."""

    verdict: str
    measure: ScreenedMeasure


_DATE = Restriction._meta.get_field("starts_on")
_UUID = CreditRecord._meta.get_field("public_id")


def _day(value: Any) -> dt.date | None:
    return None if value is None else _DATE.to_python(value)


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(value) if isinstance(value, str) else value


def _in_force(row: tuple[Any, ...], *, details: bool) -> _InForce:
    verdict, version, starts, ends, legal_basis, code, matter, means = row[_HEAD : _HEAD + 8]
    basis: ScreenedBasis | None = None
    if details:
        record, number, body, decided, item, entry, kind, listed = row[_HEAD + 8 : _HEAD + 16]
        if record is not None:
            basis = ScreenedBasis(
                kind="record",
                public_id=_uuid(record),
                decision_number=number,
                issuing_body=body,
                decision_date=_day(decided),
                catalog_item=item,
            )
        elif entry is not None:
            basis = ScreenedBasis(
                kind="list_entry", public_id=_uuid(entry), list_kind=kind, listed_on=_day(listed)
            )
    measure = ScreenedMeasure(
        code=code,
        matter=matter,
        means=means,
        legal_basis=legal_basis,
        verdict=verdict,
        measure_version=int(version),
        starts_on=_day(starts) or dt.date.min,
        ends_on=_day(ends),
        basis=basis,
    )
    return _InForce(verdict=verdict, measure=measure)


def _name_match_read(name: str, current: str, former: Any) -> str:
    """How the name sent compares with the subject's current and (institutions) former names
    as the statement read them."""
    if not name:
        return ScreeningNameMatch.NOT_GIVEN
    wanted = name_key(name)
    if wanted == name_key(current):
        return ScreeningNameMatch.CURRENT
    names = json.loads(former) if isinstance(former, str) else former or []
    if any(wanted == name_key(str(old)) for old in names):
        return ScreeningNameMatch.FORMER
    return ScreeningNameMatch.MISMATCH


def screen(
    *,
    caller: Any,
    identifier: ScreeningIdentifier,
    scenario: str,
    reference: str,
    as_of: dt.date | None = None,
    access_version_seen: int | None = None,
) -> ScreeningAnswer:
    """Screen a subject in a scenario on a day and log the check (核查), audited.

    ``caller`` is the ``ApiClient`` or staff ``User`` asking. A name that matches neither the
    subject's name nor (institutions) a former name gives "review" and no measures; an
    identifier the platform holds nothing on gives "clear" with ``subject_found`` False. Raises
    ``ScreeningError`` for an unknown or retired scenario or a bad reference, and logs nothing
    then; any database error propagates, and with it no answer (fail closed).
    ``access_version_seen``: the access version under which ``caller`` was taken from memory
    (``accounts.api_auth.api_client_remembered``); if the statement reads another one, nothing
    is logged and ``CallerChangedError`` is raised.
    """
    day = as_of or today()
    scenario, reference = scenario.strip(), " ".join(reference.split())
    errors: dict[str, str] = {}
    _reference_errors(reference, errors)
    if errors:
        _check_scenario(scenario, errors)
        raise ScreeningError(errors)
    details = details_allowed(caller, scenario)
    person = not identifier.uscc
    sql = _answer_sql(
        person=person, details=details, former=bool(identifier.uscc and identifier.name)
    )
    stored_day = connection.ops.adapt_datefield_value(day)
    subject_params = (
        [identifier.document_type, blind_index(identifier.document_number)]
        if person
        else [identifier.uscc]
    )
    rows = _answer_rows(sql, [scenario, *subject_params, scenario, stored_day, stored_day])
    first = rows[0]
    data_version = int(first[0])
    if access_version_seen is not None and int(first[1]) != access_version_seen:
        raise CallerChangedError
    _scenario_errors(scenario, first[3] is not None, _day(first[4]), errors)
    if errors:
        raise ScreeningError(errors)
    subject_id = first[5]
    measures: list[ScreenedMeasure] = []
    reason, verdict = "", CLEAR
    name_match: str = ScreeningNameMatch.NOT_GIVEN
    if subject_id is not None:
        name_match = _name_match_read(
            identifier.name, first[6], first[-1] if identifier.uscc and identifier.name else None
        )
        found = [_in_force(row, details=details) for row in rows if row[_HEAD] is not None]
        verdict, reason, in_force = screening_decision(name_match, found)
        details = details and not reason
        measures = [row.measure for row in in_force]
    details = details and any(m.basis is not None for m in measures)
    check = _log_check(
        check_id=first[2],
        caller=caller,
        identifier=identifier,
        person_id=subject_id if person else None,
        institution_id=None if person else subject_id,
        scenario=scenario,
        reference=reference,
        name_match=name_match,
        verdict=verdict,
        measures=measures,
        details=details,
        day=day,
        data_version=data_version,
    )
    return ScreeningAnswer(
        check_id=check.public_id,
        scenario=scenario,
        as_of=day,
        verdict=verdict,
        subject_found=subject_id is not None,
        name_match=name_match,
        reason=reason,
        details_given=details,
        measures=measures,
        receipt=ScreeningReceipt(
            entry_id=check.entry_id,
            entry_timestamp=check.entry_timestamp,
            data_version=data_version,
            digest=check.entry_digest,
            checked_at=check.created_at,
        ),
    )


@dataclass(frozen=True)
class _LoggedCheck:
    public_id: uuid.UUID
    entry_id: int
    entry_timestamp: dict[str, Any]
    entry_digest: str
    created_at: dt.datetime


def _log_check(
    *,
    check_id: int | None,
    caller: Any,
    identifier: ScreeningIdentifier,
    person_id: int | None,
    institution_id: int | None,
    scenario: str,
    reference: str,
    name_match: str,
    verdict: str,
    measures: list[ScreenedMeasure],
    details: bool,
    day: dt.date,
    data_version: int,
) -> _LoggedCheck:
    """The check row and its audit entry, queued for the sequencer, in one transaction that
    waits for no other request (ADR 0044).

    On PostgreSQL the check row arrives with its id (read with the answer), so its INSERT
    needs no answer back, and the transaction runs in psycopg's pipeline mode: BEGIN, the
    check row and the entry travel in one round trip, the queue row and COMMIT in a second
    (instead of five). A failure anywhere still rolls the whole transaction back."""
    is_client = isinstance(caller, ApiClient)
    check = ScreeningCheck(
        id=check_id,
        client=caller if is_client else None,
        user=None if is_client else caller,
        organisation_id=caller.organisation_id,
        scenario=scenario,
        reference=reference,
        institution_id=institution_id,
        person_id=person_id,
        identifier_kind=identifier.kind,
        name_match=name_match,
        verdict=verdict,
        measures=[_logged(m) for m in measures],
        details_given=details,
        as_of=day,
        data_version=data_version,
        created_at=timezone.now(),
    )
    raw = connection.connection
    if check_id is None or connection.in_atomic_block or raw is None:
        return _write_log(check, caller=caller, scenario=scenario, returning=True)
    with connection.wrap_database_errors, raw.pipeline():
        return _write_log(check, caller=caller, scenario=scenario, returning=False)


def _insert_with_id(check: ScreeningCheck) -> None:
    """INSERT a check row whose id is already set (PostgreSQL), as ``save(force_insert=True)``
    would store it, but without RETURNING and without building the statement through the
    ORM's compiler each time (no field of the check has a ``pre_save`` of its own)."""
    fields = ScreeningCheck._meta.local_concrete_fields
    key = f"{connection.vendor}:insert"
    if key not in _STATEMENTS:
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        _STATEMENTS[key] = (
            f"INSERT INTO {_table(ScreeningCheck)} ({columns}) "  # noqa: S608 (quoted names)
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
    # Values as the model holds them, which the driver adapts itself (ids, text, numbers,
    # dates, aware datetimes, UUIDs); JSON columns go through their field.
    params = [
        f.get_db_prep_save(getattr(check, f.attname), connection)
        if isinstance(f, models.JSONField)
        else getattr(check, f.attname)
        for f in fields
    ]
    with _prepared_cursor() as cursor:
        cursor.execute(_STATEMENTS[key], params)
    check._state.adding, check._state.db = False, connection.alias


@transaction.atomic
def _write_log(
    check: ScreeningCheck, *, caller: Any, scenario: str, returning: bool
) -> _LoggedCheck:
    if returning:
        check.save(force_insert=True)
    else:
        _insert_with_id(check)
    entry = audit_append(
        actor=_audit_actor(caller),
        action="sanctions.check",
        target=check,
        before=None,
        reason=f"核查 / check {scenario}",
        receipt=True,
    )
    return _LoggedCheck(
        public_id=check.public_id,
        entry_id=entry.pk,
        entry_timestamp=entry_timestamp(entry).as_dict(),
        entry_digest=entry.after_digest,
        created_at=check.created_at,
    )


def screening_checks_of(caller: Any) -> Any:
    """The checks a caller may see: an API client its own; a staff user those run by callers
    of organisations in their jurisdiction."""
    if isinstance(caller, ApiClient):
        return ScreeningCheck.objects.filter(client=caller)
    organisation = getattr(caller, "organisation", None)
    if not getattr(caller, "is_authenticated", False) or organisation is None:
        return ScreeningCheck.objects.none()
    return ScreeningCheck.objects.filter(organisation__path__startswith=organisation.path)


def screening_check_proof(*, caller: Any, check_id: Any) -> dict[str, Any]:
    """The inclusion proof of a check's audit entry in the latest signed tree head, with the
    check's canonical record (whose SHA-256 is the entry's ``after`` digest);
    ``ScreeningProofNotReadyError`` until the sequencer has integrated the entry."""
    try:
        key = check_id if isinstance(check_id, uuid.UUID) else uuid.UUID(str(check_id))
    except ValueError as exc:
        raise ScreeningCheckNotFoundError(str(check_id)) from exc
    check = screening_checks_of(caller).filter(public_id=key).first()
    if check is None:
        raise ScreeningCheckNotFoundError(str(check_id))
    entry = entry_for(check)
    if entry is None:
        raise ScreeningProofNotReadyError(str(check_id))
    try:
        proof = entry_inclusion_proof(entry.pk)
    except ProofUnavailableError as exc:
        raise ScreeningProofNotReadyError(str(check_id)) from exc
    record = check.audit_snapshot()
    return {**proof, "check_id": check.public_id, "record": record, "record_digest": digest(record)}
