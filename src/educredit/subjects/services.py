"""Writes to institutions, people, affiliations and name reviews; each audited in its transaction.

One subject per identifier: registering a USCC, MOE school code or document number that is
already known returns the subject on record and never overwrites its name; a differing name
is kept as a ``NameDiscrepancy`` for a reviewer.

``actor`` is a signed-in ``User`` (checked: an active clerk or admin whose organisation covers
the institution concerned) or a system label such as ``"system:import"`` used by commands,
which act with the operator's authority and are not checked here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from educredit.accounts.choices import UserRole
from educredit.accounts.models import Organisation, User
from educredit.audit.models import AuditedModel
from educredit.audit.services import audit_append
from educredit.core import uploads
from educredit.core.crypto import (
    blind_index,
    decrypt_text,
    encrypt_text,
    mask_document_number,
    normalise_document_number,
    token_key_id,
)
from educredit.core.i18n import Bilingual
from educredit.core.identifiers import IdentifierError, validate_document, validate_uscc
from educredit.subjects.choices import (
    AffiliationRole,
    DocumentType,
    Gender,
    InstitutionKind,
    InstitutionLevel,
    InstitutionOwnership,
    NameDiscrepancyStatus,
)
from educredit.subjects.models import (
    Affiliation,
    FormerName,
    ImportRowError,
    ImportRun,
    Institution,
    InstitutionAlias,
    NameDiscrepancy,
    Person,
)

Actor = User | str
S = TypeVar("S", Institution, Person)

WRITER_ROLES = frozenset({UserRole.CLERK, UserRole.ADMIN})
MOE_CODE_PATTERN = re.compile(r"^\d{10}$")
REGION_PATTERN = re.compile(r"^\d{6}$")
NAME_MAX = 200
PERSON_NAME_MAX = 100


class SubjectError(ValueError):
    """A write was refused: ``message`` says why (in the reader's language when shown),
    ``field`` names the offending input."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Registration(Generic[S]):
    """What registering an identifier gave: the subject, whether it is new, any name flag."""

    subject: S
    created: bool
    discrepancy: NameDiscrepancy | None = None
    updated: bool = False  # a known subject that this registration added an identifier to


# --- checks -------------------------------------------------------------------------------


def is_system_actor(actor: Actor) -> bool:
    return isinstance(actor, str) and actor.startswith("system:")


def _require_writer(actor: Actor, organisation: Organisation) -> None:
    """Refuse unless ``actor`` is a system label or a clerk/admin covering ``organisation``."""
    if is_system_actor(actor):
        return
    if not isinstance(actor, User) or not actor.is_active or actor.organisation is None:
        raise PermissionDenied(_("无权操作"))
    if not actor.has_role(*WRITER_ROLES):
        raise PermissionDenied(_("只有录入员或管理员可以登记"))
    if not actor.organisation.covers(organisation):
        raise PermissionDenied(_("该机构不在您的管辖范围内"))


def _require_institution_writer(actor: Actor, institution: Institution) -> None:
    """A writer covering the institution's supervisor or its own organisation."""
    if is_system_actor(actor):
        return
    if institution.organisation is not None and isinstance(actor, User):
        organisation = actor.organisation
        if organisation is not None and organisation.covers(institution.organisation):
            _require_writer(actor, institution.organisation)
            return
    _require_writer(actor, institution.supervisor)


def may_write_institution(actor: Actor, institution: Institution) -> bool:
    """Whether ``actor`` may change ``institution`` (what the pages' buttons ask)."""
    try:
        _require_institution_writer(actor, institution)
    except PermissionDenied:
        return False
    return True


def clean_name(value: str, *, field: str = "name", max_length: int = NAME_MAX) -> str:
    """A name with surrounding and repeated white space (also full-width) removed."""
    name = " ".join(value.replace("\u3000", " ").split())
    if not name:
        raise SubjectError(_("请填写名称"), field=field)
    if len(name) > max_length:
        raise SubjectError(
            _("名称不能超过 %(max)s 个字") % {"max": max_length},
            field=field,
        )
    return name


def clean_uscc(value: str | None) -> str | None:
    """A validated USCC in canonical form (upper case, no spaces), or None if blank."""
    if value is None or not value.strip():
        return None
    code = normalise_document_number(value)
    try:
        validate_uscc(code)
    except IdentifierError as exc:
        raise SubjectError(Bilingual(exc.zh, exc.en), field="uscc") from exc
    return code


def clean_moe_code(value: str | None) -> str | None:
    """A 10-digit MOE school code (学校标识码), or None if blank."""
    if value is None or not value.strip():
        return None
    code = "".join(value.split())
    if not MOE_CODE_PATTERN.match(code):
        raise SubjectError(
            _("学校标识码应为 10 位数字"),
            field="moe_code",
        )
    return code


def clean_region_code(value: str) -> str:
    """A six-digit administrative division code (GB/T 2260)."""
    code = value.strip()
    if not REGION_PATTERN.match(code):
        raise SubjectError(_("行政区划代码应为 6 位数字"), field="region_code")
    return code


def _clean_choice(value: str, choices: type[Any], field: str, label: str) -> str:
    if value not in choices.values:
        raise SubjectError(
            _("%(label)s取值无效") % {"label": label, "field": field},
            field=field,
        )
    return value


def _audit_create(actor: Actor, action: str, target: AuditedModel, reason: str = "") -> None:
    audit_append(actor=actor, action=action, target=target, before=None, reason=reason)


# --- name review --------------------------------------------------------------------------


def _flag_name(
    *,
    actor: Actor,
    subject: Institution | Person,
    submitted: str,
    source: str,
) -> NameDiscrepancy | None:
    """Keep a differing name for review (once per subject and name while open)."""
    if submitted == subject.name:
        return None
    if isinstance(subject, Institution):
        # A name the institution carried before is not a discrepancy: old lists use old names.
        if subject.former_names.filter(name=submitted).exists():
            return None
        existing = NameDiscrepancy.objects.filter(institution=subject)
    else:
        existing = NameDiscrepancy.objects.filter(person=subject)
    open_one = existing.filter(submitted_name=submitted, status=NameDiscrepancyStatus.OPEN).first()
    if open_one is not None:
        return open_one
    discrepancy = NameDiscrepancy.objects.create(
        institution=subject if isinstance(subject, Institution) else None,
        person=subject if isinstance(subject, Person) else None,
        recorded_name=subject.name,
        submitted_name=submitted,
        source=source[:200],
        reported_by=actor if isinstance(actor, User) else None,
    )
    _audit_create(actor, "name_discrepancy.flag", discrepancy, reason=source)
    return discrepancy


# --- institutions -------------------------------------------------------------------------


def _find_institution(uscc: str | None, moe_code: str | None) -> Institution | None:
    """The institution holding either identifier; refuse if they point at two different ones."""
    by_uscc = Institution.objects.filter(uscc=uscc).first() if uscc else None
    by_moe = Institution.objects.filter(moe_code=moe_code).first() if moe_code else None
    if by_uscc and by_moe and by_uscc.pk != by_moe.pk:
        raise SubjectError(
            _("统一社会信用代码与学校标识码分属两个已登记的机构"),
            field="moe_code",
        )
    found = by_uscc or by_moe
    if found is None:
        return None
    if uscc and found.uscc and found.uscc != uscc:
        raise SubjectError(
            _("该学校标识码已登记在另一统一社会信用代码下"),
            field="uscc",
        )
    if moe_code and found.moe_code and found.moe_code != moe_code:
        raise SubjectError(
            _("该统一社会信用代码已登记了另一个学校标识码"),
            field="moe_code",
        )
    return found


@transaction.atomic
def institution_register(
    *,
    actor: Actor,
    name: str,
    kind: str,
    region_code: str,
    supervisor: Organisation,
    uscc: str | None = None,
    moe_code: str | None = None,
    level: str = "",
    ownership: str = "",
    supervisor_name: str = "",
    licence_number: str = "",
    legal_representative: str = "",
    remarks: str = "",
    source: str = "",
) -> Registration[Institution]:
    """Register an institution by USCC and/or MOE code; a known identifier returns its row."""
    name = clean_name(name)
    uscc = clean_uscc(uscc)
    moe_code = clean_moe_code(moe_code)
    if uscc is None and moe_code is None:
        raise SubjectError(
            _("请填写统一社会信用代码或学校标识码"),
            field="uscc",
        )
    existing = _find_institution(uscc, moe_code)
    if existing is not None:
        return _institution_reuse(
            actor=actor,
            institution=existing,
            name=name,
            uscc=uscc,
            moe_code=moe_code,
            source=source,
        )
    _require_writer(actor, supervisor)
    institution = Institution(
        uscc=uscc,
        moe_code=moe_code,
        name=name,
        kind=_clean_choice(kind, InstitutionKind, "kind", _("机构类型")),
        level=_clean_choice(level, InstitutionLevel, "level", _("办学层次")),
        ownership=_clean_choice(ownership, InstitutionOwnership, "ownership", _("办学性质")),
        region_code=clean_region_code(region_code),
        supervisor=supervisor,
        supervisor_name=supervisor_name.strip()[:200],
        licence_number=licence_number.strip()[:60],
        legal_representative=legal_representative.strip()[:100],
        remarks=remarks.strip(),
    )
    institution.save()
    _audit_create(actor, "institution.register", institution, reason=source)
    return Registration(institution, created=True)


def _institution_reuse(
    *,
    actor: Actor,
    institution: Institution,
    name: str,
    uscc: str | None,
    moe_code: str | None,
    source: str,
) -> Registration[Institution]:
    """A known identifier: add a missing second identifier, flag a differing name."""
    if not is_system_actor(actor):
        visible = Institution.objects.visible_to(actor).filter(pk=institution.pk).exists()
        if not visible:
            raise SubjectError(
                _("该机构已由其他辖区登记，请联系上级教育行政部门"),
                field="uscc" if uscc else "moe_code",
            )
        _require_institution_writer(actor, institution)
    missing = {}
    if uscc and not institution.uscc:
        missing["uscc"] = uscc
    if moe_code and not institution.moe_code:
        missing["moe_code"] = moe_code
    if missing:
        before = institution.audit_snapshot()
        for field, value in missing.items():
            setattr(institution, field, value)
        institution.save(update_fields=[*missing, "updated_at"])
        audit_append(
            actor=actor,
            action="institution.identifier_add",
            target=institution,
            before=before,
            reason=source,
        )
    discrepancy = _flag_name(actor=actor, subject=institution, submitted=name, source=source)
    return Registration(institution, created=False, discrepancy=discrepancy, updated=bool(missing))


UNSET: Any = object()


@transaction.atomic
def institution_update(
    *,
    actor: Actor,
    institution: Institution,
    kind: str = UNSET,
    level: str = UNSET,
    ownership: str = UNSET,
    region_code: str = UNSET,
    supervisor: Organisation = UNSET,
    supervisor_name: str = UNSET,
    organisation: Organisation | None = UNSET,
    uscc: str | None = UNSET,
    moe_code: str | None = UNSET,
    licence_number: str = UNSET,
    legal_representative: str = UNSET,
    remarks: str = UNSET,
    reason: str = "",
) -> Institution:
    """Change an institution's particulars (not its name: see ``institution_rename``)."""
    _require_institution_writer(actor, institution)
    changes: dict[str, Any] = {}
    if kind is not UNSET:
        changes["kind"] = _clean_choice(kind, InstitutionKind, "kind", _("机构类型"))
    if level is not UNSET:
        changes["level"] = _clean_choice(level, InstitutionLevel, "level", _("办学层次"))
    if ownership is not UNSET:
        changes["ownership"] = _clean_choice(
            ownership, InstitutionOwnership, "ownership", _("办学性质")
        )
    if region_code is not UNSET:
        changes["region_code"] = clean_region_code(region_code)
    if supervisor is not UNSET:
        # Moving an institution needs authority over where it goes as well as where it was.
        _require_writer(actor, supervisor)
        changes["supervisor"] = supervisor
    if supervisor_name is not UNSET:
        changes["supervisor_name"] = supervisor_name.strip()[:200]
    if organisation is not UNSET:
        # The institution's own account: its users then see it (and its people).
        if organisation is not None:
            _require_writer(actor, organisation)
        changes["organisation"] = organisation
    if uscc is not UNSET:
        changes["uscc"] = clean_uscc(uscc)
    if moe_code is not UNSET:
        changes["moe_code"] = clean_moe_code(moe_code)
    if licence_number is not UNSET:
        changes["licence_number"] = licence_number.strip()[:60]
    if legal_representative is not UNSET:
        changes["legal_representative"] = legal_representative.strip()[:100]
    if remarks is not UNSET:
        changes["remarks"] = remarks.strip()
    new_uscc = changes.get("uscc", institution.uscc)
    new_moe = changes.get("moe_code", institution.moe_code)
    if new_uscc is None and new_moe is None:
        raise SubjectError(
            _("统一社会信用代码和学校标识码不能都为空"),
            field="uscc",
        )
    for field in ("uscc", "moe_code"):
        value = changes.get(field)
        if value and Institution.objects.filter(**{field: value}).exclude(pk=institution.pk):
            raise SubjectError(
                _("该代码已被其他机构使用"),
                field=field,
            )
    before = institution.audit_snapshot()
    for field, value in changes.items():
        setattr(institution, field, value)
    institution.save()
    audit_append(
        actor=actor, action="institution.update", target=institution, before=before, reason=reason
    )
    return institution


@transaction.atomic
def institution_rename(
    *,
    actor: Actor,
    institution: Institution,
    new_name: str,
    effective_on: dt.date,
    reason: str = "",
) -> Institution:
    """Give an institution a new name from ``effective_on``, keeping the old one as 曾用名."""
    _require_institution_writer(actor, institution)
    new_name = clean_name(new_name, field="new_name")
    if new_name == institution.name:
        return institution
    latest = institution.former_names.exclude(used_until=None).order_by("-used_until").first()
    if latest is not None and latest.used_until and effective_on <= latest.used_until:
        raise SubjectError(
            _("更名日期须晚于上一次更名"),
            field="effective_on",
        )
    former = FormerName(
        institution=institution,
        name=institution.name,
        used_from=latest.used_until + dt.timedelta(days=1)
        if latest is not None and latest.used_until
        else None,
        used_until=effective_on - dt.timedelta(days=1),
    )
    former.save()
    _audit_create(actor, "institution.former_name_add", former, reason=reason)
    before = institution.audit_snapshot()
    institution.name = new_name
    institution.save()
    audit_append(
        actor=actor, action="institution.rename", target=institution, before=before, reason=reason
    )
    # A reviewer need no longer look at reports of the name it now carries.
    for discrepancy in institution.name_discrepancies.filter(
        status=NameDiscrepancyStatus.OPEN, submitted_name=new_name
    ):
        _close_discrepancy(
            actor=actor,
            discrepancy=discrepancy,
            status=NameDiscrepancyStatus.ACCEPTED,
            note=reason or _("机构已更名"),
        )
    return institution


# --- aliases (简称) ------------------------------------------------------------------------

ALIAS_MAX = 50


@transaction.atomic
def institution_alias_add(
    *, actor: Actor, institution: Institution, name: str, reason: str = ""
) -> InstitutionAlias:
    """Give an institution a short name the public calls it by (简称, e.g. 郑大).

    Adding an alias it already has returns that alias and writes nothing.
    """
    _require_institution_writer(actor, institution)
    name = clean_name(name, field="alias", max_length=ALIAS_MAX)
    if name == institution.name:
        raise SubjectError(_("简称与机构现名称相同"), field="alias")
    existing = institution.aliases.filter(name=name).first()
    if existing is not None:
        return existing
    alias = InstitutionAlias(institution=institution, name=name)
    alias.save()
    _audit_create(actor, "institution.alias_add", alias, reason=reason)
    return alias


@transaction.atomic
def institution_alias_remove(*, actor: Actor, alias: InstitutionAlias, reason: str = "") -> None:
    """Remove an alias entered by mistake (the audit log keeps what it was)."""
    _require_institution_writer(actor, alias.institution)
    before = alias.audit_snapshot()
    alias.delete()
    audit_append(
        actor=actor, action="institution.alias_remove", target=alias, before=before, reason=reason
    )


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentFacts:
    """A checked document number and what it says about its holder."""

    number: str
    gender: str
    birth_date: dt.date | None


def check_document(document_type: str, id_number: str) -> DocumentFacts:
    """Validate a document number; a resident ID also gives the birth date and gender."""
    if document_type not in DocumentType.values:
        raise SubjectError(_("证件类型无效"), field="document_type")
    number = normalise_document_number(id_number)
    if not number:
        raise SubjectError(_("请填写证件号码"), field="id_number")
    try:
        document = validate_document(document_type, number)
    except IdentifierError as exc:
        raise SubjectError(Bilingual(exc.zh, exc.en), field="id_number") from exc
    return DocumentFacts(document.number, document.gender or Gender.UNKNOWN, document.birth_date)


@transaction.atomic
def person_register(
    *,
    actor: Actor,
    document_type: str,
    id_number: str,
    name: str,
    source: str = "",
) -> Registration[Person]:
    """Register a person by document; a known document returns the person on record.

    The number is kept only encrypted, blind-indexed and masked; for a resident ID the
    gender and birth date are derived from it.
    """
    if not is_system_actor(actor) and (
        not isinstance(actor, User) or not actor.is_active or not actor.has_role(*WRITER_ROLES)
    ):
        raise PermissionDenied(_("只有录入员或管理员可以登记"))
    name = clean_name(name, max_length=PERSON_NAME_MAX)
    facts = check_document(document_type, id_number)
    index = blind_index(facts.number)
    existing = Person.objects.filter(document_type=document_type, id_number_index=index).first()
    if existing is not None:
        discrepancy = _flag_name(actor=actor, subject=existing, submitted=name, source=source)
        return Registration(existing, created=False, discrepancy=discrepancy)
    person = Person(
        document_type=document_type,
        id_number_cipher=encrypt_text(facts.number),
        id_number_index=index,
        id_number_masked=mask_document_number(facts.number),
        name=name,
        gender=facts.gender,
        birth_date=facts.birth_date,
    )
    person.save()
    _audit_create(actor, "person.register", person, reason=source)
    return Registration(person, created=True)


@transaction.atomic
def person_rename(*, actor: Actor, person: Person, new_name: str, reason: str = "") -> Person:
    """Correct a person's name (after review of a discrepancy or a documented change)."""
    if not is_system_actor(actor) and (
        not isinstance(actor, User) or not actor.has_role(*WRITER_ROLES)
    ):
        raise PermissionDenied(_("无权操作"))
    new_name = clean_name(new_name, field="new_name", max_length=PERSON_NAME_MAX)
    if new_name == person.name:
        return person
    before = person.audit_snapshot()
    person.name = new_name
    person.save()
    audit_append(actor=actor, action="person.rename", target=person, before=before, reason=reason)
    return person


def person_document_number(person: Person) -> str:
    """The clear document number, for a caller authorised to see it (never for a page)."""
    return decrypt_text(person.id_number_cipher)


def person_reencrypt_all(*, actor: Actor, batch_size: int = 500) -> int:
    """Re-encrypt every document number not under the current field key (key rotation).

    Only the ciphertext changes, which ``audit_snapshot`` leaves out: the rows' digests and the
    audit chain stay as they are. Runs in batches, each its own transaction, and can be
    interrupted and restarted. Returns how many rows were re-encrypted.
    """
    from django.conf import settings

    if not is_system_actor(actor) and (
        not isinstance(actor, User) or not actor.has_role(UserRole.ADMIN)
    ):
        raise PermissionDenied(_("只有管理员可以轮换密钥"))
    current = settings.EDUCREDIT_FIELD_KEY_CURRENT
    stale = Person.objects.exclude(id_number_cipher__startswith=f"{current}:").order_by("pk")
    done = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                stale.filter(pk__gt=last_pk)
                .select_for_update()[:batch_size]
                .only("pk", "id_number_cipher")
            )
            if not batch:
                return done
            for person in batch:
                if token_key_id(person.id_number_cipher) != current:
                    person.id_number_cipher = encrypt_text(decrypt_text(person.id_number_cipher))
            Person.objects.bulk_update(batch, ["id_number_cipher"])
            done += len(batch)
            last_pk = batch[-1].pk


# --- affiliations -------------------------------------------------------------------------


@transaction.atomic
def affiliation_add(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    role: str,
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
    reason: str = "",
) -> Affiliation:
    """Record that a person teaches, studies, researches or works at an institution.

    Adding an affiliation that is already open (same person, institution and role, no end
    date) returns it rather than a second one.
    """
    _require_institution_writer(actor, institution)
    _clean_choice(role, AffiliationRole, "role", _("身份"))
    if started_on and ended_on and ended_on < started_on:
        raise SubjectError(
            _("结束日期不能早于起始日期"),
            field="ended_on",
        )
    if ended_on is None:
        current = Affiliation.objects.filter(
            person=person, institution=institution, role=role, ended_on=None
        ).first()
        if current is not None:
            return current
    affiliation = Affiliation(
        person=person,
        institution=institution,
        role=role,
        started_on=started_on,
        ended_on=ended_on,
    )
    affiliation.save()
    _audit_create(actor, "affiliation.add", affiliation, reason=reason)
    return affiliation


@transaction.atomic
def affiliation_end(
    *, actor: Actor, affiliation: Affiliation, ended_on: dt.date, reason: str = ""
) -> Affiliation:
    """Close an affiliation (left the school, graduated…) on ``ended_on``."""
    _require_institution_writer(actor, affiliation.institution)
    if affiliation.started_on and ended_on < affiliation.started_on:
        raise SubjectError(
            _("结束日期不能早于起始日期"),
            field="ended_on",
        )
    before = affiliation.audit_snapshot()
    affiliation.ended_on = ended_on
    affiliation.save()
    audit_append(
        actor=actor, action="affiliation.end", target=affiliation, before=before, reason=reason
    )
    return affiliation


# --- reviewing name discrepancies ---------------------------------------------------------


def _close_discrepancy(
    *, actor: Actor, discrepancy: NameDiscrepancy, status: str, note: str
) -> None:
    before = discrepancy.audit_snapshot()
    discrepancy.status = status
    discrepancy.resolved_by = actor if isinstance(actor, User) else None
    discrepancy.resolved_at = timezone.now()
    discrepancy.resolution_note = note
    discrepancy.save()
    audit_append(
        actor=actor,
        action=f"name_discrepancy.{status}",
        target=discrepancy,
        before=before,
        reason=note,
    )


@transaction.atomic
def name_discrepancy_resolve(
    *,
    actor: Actor,
    discrepancy: NameDiscrepancy,
    accept: bool,
    note: str = "",
    effective_on: dt.date | None = None,
) -> NameDiscrepancy:
    """Adopt the submitted name (renaming the subject) or dismiss it, with a note."""
    if discrepancy.status != NameDiscrepancyStatus.OPEN:
        raise SubjectError(_("该记录已处理"))
    if discrepancy.institution is not None:
        _require_institution_writer(actor, discrepancy.institution)
    elif not is_system_actor(actor) and (
        not isinstance(actor, User) or not actor.has_role(*WRITER_ROLES)
    ):
        raise PermissionDenied(_("无权操作"))
    if not accept:
        _close_discrepancy(
            actor=actor,
            discrepancy=discrepancy,
            status=NameDiscrepancyStatus.DISMISSED,
            note=note,
        )
        return discrepancy
    if discrepancy.institution is not None:
        institution_rename(
            actor=actor,
            institution=discrepancy.institution,
            new_name=discrepancy.submitted_name,
            effective_on=effective_on or timezone.localdate(),
            reason=note,
        )
    elif discrepancy.person is not None:
        person_rename(
            actor=actor, person=discrepancy.person, new_name=discrepancy.submitted_name, reason=note
        )
    discrepancy.refresh_from_db()
    if discrepancy.status == NameDiscrepancyStatus.OPEN:
        _close_discrepancy(
            actor=actor,
            discrepancy=discrepancy,
            status=NameDiscrepancyStatus.ACCEPTED,
            note=note,
        )
    return discrepancy


# --- imports ------------------------------------------------------------------------------

IMPORT_SUFFIXES = frozenset({".csv", ".xlsx"})
# Rows a chunk holds: one transaction (its rows, their errors, the run's counts and the task's
# lease), each row in its own savepoint. Small: every row is an audited write, so the audit
# chain head, which screening checks also wait for, is held for a short while only.
CHUNK_ROWS = 50
# Stored in Chinese, shown in the reader's language (``core.i18n.shown``).
IMPORT_INTERRUPTED = gettext_noop("导入中断，已导入的行保持有效")


@transaction.atomic
def import_run_start(
    *,
    actor: User,
    kind: str,
    upload: Any,
    default_supervisor: Organisation | None = None,
    default_kind: str = InstitutionKind.UNIVERSITY,
    enqueue: bool = True,
) -> ImportRun:
    """Store an uploaded CSV/XLSX and queue it for import once this transaction commits.

    With ``enqueue=False`` (the command line) the caller runs ``import_run_process`` itself.
    """
    from pathlib import Path

    from educredit.subjects.choices import ImportKind

    organisation = actor.organisation
    if organisation is None:
        raise PermissionDenied(_("无权操作"))
    _require_writer(actor, organisation)
    if kind not in ImportKind.values:
        raise SubjectError(_("导入内容无效"), field="kind")
    if default_supervisor is not None:
        _require_writer(actor, default_supervisor)
    filename = Path(upload.name or "").name
    if Path(filename).suffix.lower() not in IMPORT_SUFFIXES:
        raise SubjectError(_("请上传 .csv 或 .xlsx 文件"), field="file")
    try:
        uploads.upload_check(upload)  # size, type by content, zip bomb: before storing
    except uploads.UploadRefusedError as exc:
        raise SubjectError(str(exc), field="file") from None
    run = ImportRun(
        kind=kind,
        original_filename=filename[:255],
        created_by=actor,
        organisation=organisation,
        default_supervisor=default_supervisor,
        default_kind=_clean_choice(default_kind, InstitutionKind, "default_kind", _("机构类型")),
    )
    # Stored under a random name: the original name is shown, never used as a path.
    run.file.save(f"{run.public_id}{Path(filename).suffix.lower()}", upload, save=False)
    run.save()
    if enqueue:
        from educredit.subjects.tasks import import_run_task

        run_id = run.pk
        transaction.on_commit(lambda: import_run_task.enqueue(run_id))
    return run


def _record_row_errors(run: ImportRun, row_number: int, values: list[str], problems: Any) -> None:
    import json

    values_cipher = encrypt_text(json.dumps(values, ensure_ascii=False))
    ImportRowError.objects.bulk_create(
        ImportRowError(
            run=run,
            row_number=row_number,
            column=str(problem.column)[:100],
            reason=str(problem.reason),
            values_cipher=values_cipher,
        )
        for problem in problems
    )


def _save_progress(run: ImportRun, *fields: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        **{
            name: getattr(run, name)
            for name in ("processed_rows", "ok_rows", "failed_rows", "existing_rows", *fields)
        }
    )


def _import_run_claim(run_id: int) -> bool:
    """Take a queued run, or the one a dead worker left RUNNING (``core.jobs.run_claim``)."""
    from educredit.core import jobs
    from educredit.subjects.choices import ImportStatus

    return jobs.run_claim(
        ImportRun.objects.filter(pk=run_id),
        pending=ImportStatus.PENDING,
        running=ImportStatus.RUNNING,
    )


def _import_chunk(run: ImportRun, handler: Any, chunk: list[tuple[int, list[str]]]) -> None:
    """One chunk in one transaction: each row in its savepoint, the rejected rows, the run's
    counts and the task's lease (``LeaseLost`` rolls it all back)."""
    from educredit.core import jobs

    with transaction.atomic():
        for row_number, values in chunk:
            problems, existing = _import_row(handler, row_number, values)
            run.processed_rows += 1
            if problems:
                run.failed_rows += 1
                _record_row_errors(run, row_number, values, problems)
            elif existing:
                run.existing_rows += 1
            else:
                run.ok_rows += 1
        _save_progress(run)
        jobs.renew()


def import_run_fail(run: ImportRun, reason: str) -> None:
    """End a run as failed with ``reason`` (a Chinese message id); a file of people goes."""
    from educredit.subjects.choices import ImportKind, ImportStatus

    run.status, run.error_message, run.finished_at = ImportStatus.FAILED, reason, timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=run.status, error_message=reason, finished_at=run.finished_at
    )
    if run.kind == ImportKind.PEOPLE and run.file:
        run.file.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(file="")


def import_run_process(*, run_id: int) -> ImportRun | None:
    """Import every row of a queued run, each row in its own savepoint (all or nothing).

    Claimed by a conditional update, so two workers never process the same run; returns None
    if another worker has it. Rows go in chunks, each one transaction with the run's counts,
    so a worker that takes the task over from one that died skips the rows counted and goes
    on. A row whose subject is already registered as it gives it counts as already imported.
    Files of people are deleted when done: they hold identity numbers in clear; rejected rows
    stay, encrypted.
    """
    import logging
    from itertools import islice
    from pathlib import Path

    from educredit.core import jobs
    from educredit.subjects import imports
    from educredit.subjects.choices import ImportKind, ImportStatus

    if not _import_run_claim(run_id):
        return None
    run = ImportRun.objects.select_related("created_by", "organisation", "default_supervisor").get(
        pk=run_id
    )
    try:
        with imports.open_source(Path(run.file.path), run.original_filename) as source:
            run.header = source.header
            run.encoding = source.encoding
            run.total_rows = source.total
            _save_progress(run, "header", "encoding", "total_rows")
            handler = imports.make_handler(run, source.header)
            rows = source.rows()
            # Rows an interrupted attempt committed (their counts are the run's): skipped.
            for _done in islice(rows, run.processed_rows):
                pass
            while chunk := list(islice(rows, CHUNK_ROWS)):
                _import_chunk(run, handler, chunk)
        run.status = ImportStatus.FINISHED
        run.total_rows = run.processed_rows
    except imports.ImportFileError as exc:
        run.status = ImportStatus.FAILED
        run.error_message = str(exc)
    except jobs.LeaseLost:
        raise  # another attempt owns the run now: nothing more to write here
    except Exception:
        logging.getLogger(__name__).exception("import run %s failed", run.pk)
        run.refresh_from_db(fields=["processed_rows", "ok_rows", "failed_rows", "existing_rows"])
        run.status = ImportStatus.FAILED
        run.error_message = IMPORT_INTERRUPTED
    run.finished_at = timezone.now()
    _save_progress(run, "status", "total_rows", "error_message", "finished_at")
    if run.kind == ImportKind.PEOPLE and run.file:
        run.file.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(file="")
    return run


def _import_row(handler: Any, row_number: int, values: list[str]) -> tuple[list[Any], bool]:
    """Apply one row inside a savepoint: (the problems that rejected it, empty on success;
    whether it was already imported, registered as the row gives it and left alone)."""
    from educredit.subjects import imports

    try:
        with transaction.atomic():
            existing = handler.apply(row_number, values)
    except imports.RowRejectedError as exc:
        return list(exc.problems), False
    except SubjectError as exc:
        return [imports.RowProblem(handler.column_for_error(exc.field), exc.message)], False
    except PermissionDenied as exc:
        return [imports.RowProblem("", str(exc))], False
    except IntegrityError:
        # Another import registered the same identifier at the same moment.
        return [
            imports.RowProblem(
                "",
                _("与同时登记的数据冲突，请重新导入该行"),
            )
        ], False
    return [], bool(existing)
