"""Factories for institutions and people, through the services (so audited), and valid codes."""

from __future__ import annotations

from typing import Any

from educredit.accounts.models import Organisation
from educredit.core.identifiers import resident_id_check_character, uscc_check_character
from educredit.subjects import services
from educredit.subjects.choices import AffiliationRole, DocumentType, InstitutionKind
from educredit.subjects.models import Institution, Person

TEST_ACTOR = "system:test"


def uscc(serial: int, region: str = "410102") -> str:
    """A valid 统一社会信用代码 of a public institution (事业单位, 12…) in ``region``."""
    first17 = f"12{region}{serial:09d}"
    return first17 + uscc_check_character(first17)


def resident_id(serial: int, *, region: str = "410102", born: str = "19800101") -> str:
    """A valid 居民身份证号码; an odd ``serial`` gives a man, an even one a woman."""
    first17 = f"{region}{born}{serial:03d}"
    return first17 + resident_id_check_character(first17)


def make_institution(
    *,
    supervisor: Organisation,
    name: str,
    serial: int | None = None,
    moe_code: str | None = None,
    kind: str = InstitutionKind.PRIMARY_SCHOOL,
    region_code: str | None = None,
    **extra: Any,
) -> Institution:
    """An institution supervised by ``supervisor`` (its USCC made from ``serial``)."""
    region = region_code or supervisor.region_code or "410000"
    return services.institution_register(
        actor=TEST_ACTOR,
        name=name,
        kind=kind,
        region_code=region,
        supervisor=supervisor,
        uscc=uscc(serial, region) if serial is not None else None,
        moe_code=moe_code,
        **extra,
    ).subject


def make_person(
    *,
    institution: Institution,
    name: str,
    number: str,
    role: str = AffiliationRole.TEACHER,
    document_type: str = DocumentType.RESIDENT_ID,
) -> Person:
    """A person with an open affiliation at ``institution``."""
    person = services.person_register(
        actor=TEST_ACTOR, document_type=document_type, id_number=number, name=name
    ).subject
    services.affiliation_add(actor=TEST_ACTOR, person=person, institution=institution, role=role)
    return person
