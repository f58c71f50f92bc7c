"""Test helpers of hiring checks: a school with its own account, records, a check."""

from __future__ import annotations

import datetime
import io
from typing import Any

from educredit.accounts.models import Organisation
from educredit.catalog.models import CatalogItem
from educredit.integrity.hiring.choices import HiringCheckPurpose
from educredit.integrity.hiring.models import HiringCheck
from educredit.integrity.hiring.services import hiring_check_create
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_record
from educredit.records.windows import add_months
from educredit.subjects import services as subjects
from educredit.subjects.choices import DocumentType
from educredit.subjects.models import Institution, Person
from educredit.subjects.tests.factories import make_institution

TEST_ACTOR = "system:test"
DECISION = datetime.date(2026, 3, 2)
PDF = b"%PDF-1.4\n% statutory check result\n"


def item(code: str) -> CatalogItem:
    return CatalogItem.objects.get(code=code)


def school_of(organisation: Organisation, *, name: str, serial: int) -> Institution:
    """An institution supervised by ``organisation``'s parent with ``organisation`` as its own
    account (its clerks check people for it)."""
    supervisor = organisation.parent
    if supervisor is None:
        raise ValueError("a school's account sits under its supervising bureau")
    school = make_institution(supervisor=supervisor, name=name, serial=serial)
    return subjects.institution_update(
        actor=TEST_ACTOR, institution=school, organisation=organisation
    )


def pdf(name: str = "result.pdf", content: bytes = PDF) -> io.BytesIO:
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def revocation(clerk: Any, reviewer: Any, teacher: Person, *, decision: datetime.date = DECISION):
    """教师资格撤销 (JY-ZG-01), effective: may reapply 5 years after the decision."""
    return make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item("JY-ZG-01"),
        person=teacher,
        title="撤销教师资格",
        decision_date=decision,
        payload={
            "qualification_kind": "小学教师资格",
            "certificate_number": "20264101234568",
            "ground": "品行不良、侮辱学生，影响恶劣",
            "facts": "多次辱骂学生",
            "reapply_from": add_months(decision, 60).isoformat(),
        },
        status=S.EFFECTIVE,
    )


def loss(clerk: Any, reviewer: Any, teacher: Person):
    """教师资格丧失 (JY-ZG-02), effective: permanent."""
    return make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item("JY-ZG-02"),
        person=teacher,
        title="丧失教师资格",
        decision_date=DECISION,
        payload={
            "qualification_kind": "初级中学教师资格",
            "certificate_number": "20264101234569",
            "judgment_number": "（2025）豫0102刑初123号",
            "ground": "故意犯罪受到有期徒刑以上刑事处罚",
        },
        status=S.EFFECTIVE,
    )


def ethics(clerk: Any, reviewer: Any, teacher: Person, *, handling: str, **extra: Any):
    """师德失范处理 (JY-SD-02), effective."""
    return make_record(
        actor=clerk,
        reviewer=reviewer,
        catalog_item=item("JY-SD-02"),
        person=teacher,
        title="师德失范行为处理",
        decision_date=DECISION,
        payload={
            "misconduct": "体罚学生",
            "handling": handling,
            "employer": "中原区第一小学",
            **extra,
        },
        status=S.EFFECTIVE,
    )


def check_of(
    actor: Any,
    school: Institution,
    person: Person,
    *,
    purpose: str = HiringCheckPurpose.HIRING,
    as_of: datetime.date | None = None,
) -> HiringCheck:
    return hiring_check_create(
        actor=actor, school=school, purpose=purpose, person=person, as_of=as_of
    )


def check_by_number(
    actor: Any, school: Institution, *, name: str, number: str, as_of: datetime.date | None = None
) -> HiringCheck:
    return hiring_check_create(
        actor=actor,
        school=school,
        purpose=HiringCheckPurpose.HIRING,
        document_type=DocumentType.RESIDENT_ID,
        document_number=number,
        name=name,
        as_of=as_of,
    )
