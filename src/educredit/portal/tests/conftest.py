"""Portal test helpers: subjects with public and hidden records, made directly in the tables."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from educredit.catalog.choices import DisclosureMode, InfoCategory, Severity, SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.records.choices import CreditRecordStatus
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

serials = itertools.count(1000)

PUBLIC_FIELDS: list[dict[str, Any]] = [
    {"name": "content", "label": "处罚内容", "type": "text", "public": True},
    {"name": "internal", "label": "内部备注", "type": "text", "public": False},
]


def public_item(**extra: Any) -> CatalogItem:
    """A publicly disclosed catalog item with one public and one internal field."""
    values: dict[str, Any] = {
        "subject_type": SubjectType.BOTH,
        "severity": Severity.GENERAL,
        "category": InfoCategory.PENALTY,
        "disclosure_mode": DisclosureMode.PUBLIC,
        "field_schema": PUBLIC_FIELDS,
    }
    values.update(extra)
    return make_catalog_item(**values)


def add_record(
    *,
    item: CatalogItem,
    organisation: Any,
    title: str,
    institution: Any = None,
    person: Any = None,
    status: str = CreditRecordStatus.EFFECTIVE,
    public_from: dt.date | None = None,
    public_until: dt.date | None = None,
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> CreditRecord:
    """A record written straight to the table (the portal only reads what is stored)."""
    current = today()
    return CreditRecord.objects.create(
        catalog_item=item,
        institution=institution,
        person=person,
        organisation=organisation,
        status=status,
        severity=item.severity,
        title=title,
        decision_number=f"豫教罚〔2026〕{next(serials)}号",
        issuing_body="郑州市教育局",
        decision_date=current - dt.timedelta(days=30),
        payload=payload if payload is not None else {"content": "警告", "internal": "内部"},
        public_from=public_from if public_from is not None else current - dt.timedelta(days=10),
        public_until=public_until,
        window_rule=extra.pop("window_rule", "《河南省社会信用条例》2026 年规则：一般失信 1 年"),
        **extra,
    )


def birth_for_age(years: int) -> str:
    """A YYYYMMDD birth date for someone ``years`` old today."""
    current = today()
    return (
        f"{current.year - years}{current:%m%d}"
        if (current.month, current.day)
        != (
            2,
            29,
        )
        else f"{current.year - years}0228"
    )


@pytest.fixture
def zzu(county):
    """郑州大学, with a former name."""
    from educredit.subjects.models import FormerName

    institution = make_institution(supervisor=county, name="郑州大学", serial=next(serials))
    FormerName.objects.create(institution=institution, name="郑州工学院")
    return institution


@pytest.fixture
def adult(zzu):
    return make_person(institution=zzu, name="张老师", number=resident_id(11, born="19800101"))


@pytest.fixture
def minor(zzu):
    return make_person(
        institution=zzu,
        name="李小明",
        number=resident_id(12, born=birth_for_age(15)),
        role=AffiliationRole.STUDENT,
    )
