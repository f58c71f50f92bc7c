"""Shared test helpers: catalog items and credit records, through the services (so audited).

    item = make_catalog_item()                              # institution, 一般失信, two-person
    record = make_record(actor=county_clerk, catalog_item=item)             # a draft
    record = make_record(actor=county_clerk, status=CreditRecordStatus.EFFECTIVE)

``make_record`` walks the life cycle through ``records.services``: submit by ``actor``, approve
by ``reviewer`` (a reviewer of the actor's organisation is made when none is given), then
objection / repair / revocation / expiry as asked.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from educredit.accounts.choices import UserRole
from educredit.accounts.models import User
from educredit.audit.services import audit_append
from educredit.catalog.choices import (
    CatalogVersionStatus,
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.catalog.schema import validate_field_schema
from educredit.records import services
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.choices import DecisionProcedure
from educredit.records.models import CreditRecord
from educredit.subjects.models import Institution, Person
from educredit.subjects.tests.factories import make_institution
from educredit.testing.factories import make_user

TEST_ACTOR = "system:test"
_serial = itertools.count(900_001)

DEFAULT_FIELDS: list[dict[str, Any]] = [
    {
        "name": "penalty_content",
        "label": "处罚内容",
        "type": "text",
        "required": True,
        "public": True,
        "max_length": 2000,
    },
    {"name": "fine_amount", "label": "罚款金额（万元）", "type": "decimal", "required": False},
]


def make_catalog_version(*, number: int = 1) -> CatalogVersion:
    """A published catalog version (reused when one with ``number`` exists)."""
    existing = CatalogVersion.objects.filter(number=number).first()
    if existing is not None:
        return existing
    version = CatalogVersion.objects.create(
        number=number,
        title="河南省教育公共信用信息目录",
        effective_from=datetime.date(2026, 1, 1),
        status=CatalogVersionStatus.PUBLISHED,
    )
    audit_append(actor=TEST_ACTOR, action="catalog.version_create", target=version, before=None)
    return version


def make_catalog_item(
    *,
    code: str | None = None,
    name: str = "教育行政处罚信息",
    subject_type: str = SubjectType.INSTITUTION,
    severity: str = Severity.GENERAL,
    category: str = InfoCategory.PENALTY,
    disclosure_mode: str = DisclosureMode.PUBLIC,
    two_person_rule: bool = True,
    reportable: bool = True,
    field_schema: list[dict[str, Any]] | None = None,
    version: CatalogVersion | None = None,
    **extra: Any,
) -> CatalogItem:
    """A catalog item (default: administrative penalties on institutions, 一般失信)."""
    item = CatalogItem.objects.create(
        version=version or make_catalog_version(),
        code=code or f"T{next(_serial)}",
        name=name,
        provider="河南省教育厅",
        subject_type=subject_type,
        category=category,
        sharing=extra.pop("sharing", SharingAttribute.UNCONDITIONAL),
        # Normalised as the catalog's services store it (every key present).
        field_schema=validate_field_schema(
            DEFAULT_FIELDS if field_schema is None else field_schema
        ),
        severity=severity,
        disclosure_mode=disclosure_mode,
        two_person_rule=two_person_rule,
        reportable=reportable,
        **extra,
    )
    audit_append(actor=TEST_ACTOR, action="catalog.item_create", target=item, before=None)
    return item


def make_reviewer(*, organisation: Any) -> User:
    """A fresh reviewer of ``organisation``."""
    return make_user(
        organisation=organisation,
        username=f"reviewer.{next(_serial)}",
        roles=[UserRole.REVIEWER],
    )


def make_record(
    *,
    actor: Any,
    catalog_item: CatalogItem | None = None,
    institution: Institution | None = None,
    person: Person | None = None,
    status: str = S.DRAFT,
    reviewer: Any = None,
    title: str = "未经批准擅自举办培训机构",
    decision_number: str | None = None,
    issuing_body: str = "郑州市中原区教育局",
    issuing_body_uscc: str = "",
    decision_date: datetime.date | None = None,
    procedure: str = DecisionProcedure.ORDINARY,
    corrected_minor_violation: bool = False,
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> CreditRecord:
    """A record entered by ``actor`` (a clerk or admin) and walked to ``status``."""
    if catalog_item is None:
        catalog_item = make_catalog_item(
            subject_type=SubjectType.PERSON if person is not None else SubjectType.INSTITUTION
        )
    if institution is None and person is None:
        institution = make_institution(
            supervisor=actor.organisation, name=f"测试学校{next(_serial)}", serial=next(_serial)
        )
    if payload is None:
        payload = (
            {"penalty_content": "警告"}
            if catalog_item.field_schema == validate_field_schema(DEFAULT_FIELDS)
            else {}
        )
    record = services.credit_record_create(
        actor=actor,
        catalog_item=catalog_item,
        institution=institution,
        person=person,
        title=title,
        decision_number=decision_number
        if decision_number is not None
        else f"郑中教罚〔2026〕{next(_serial)}号",
        issuing_body=issuing_body,
        issuing_body_uscc=issuing_body_uscc,
        decision_date=decision_date or datetime.date(2026, 3, 2),
        procedure=procedure,
        corrected_minor_violation=corrected_minor_violation,
        payload=payload,
        **extra,
    )
    if status == S.DRAFT:
        return record
    if status == S.REVOKED:
        return services.credit_record_revoke(actor=actor, record=record, reason="录入有误")
    record = services.credit_record_submit(actor=actor, record=record)
    if status == S.SUBMITTED:
        return record
    reviewer = reviewer or make_reviewer(organisation=actor.organisation)
    record = services.credit_record_approve(actor=reviewer, record=record)
    if status == S.EFFECTIVE:
        return record
    if status == S.UNDER_OBJECTION:
        return services.credit_record_mark_objection(
            actor=reviewer, record=record, reason="当事人提出异议"
        )
    if status == S.REPAIRED:
        return services.credit_record_mark_repaired(
            actor=reviewer, record=record, reason="已完成信用修复"
        )
    if status == S.EXPIRED:
        return services.credit_record_expire(record=record)
    raise ValueError(f"make_record cannot reach status {status}")
