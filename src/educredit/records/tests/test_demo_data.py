"""The demo credit data: every catalog item recorded, several states, one entry on each list,
and a second run adds nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.catalog.choices import InfoCategory, Severity, SubjectType
from educredit.records.choices import CreditListKind, CreditRecordStatus, ListEntryStatus
from educredit.records.demo_data import demo_credit_records
from educredit.records.lists import public_exit_notices, public_list_entries
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.tests.factories import make_catalog_item
from educredit.subjects import services as subject_services
from educredit.subjects.choices import InstitutionKind
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

BUREAUS = ["province", "city", "county"]

AS_OF = datetime.date(2026, 6, 15)

SCHEMA: list[dict[str, Any]] = [
    {"name": "content", "label": "内容", "type": "text", "required": True, "max_length": 50},
    {"name": "on", "label": "日期", "type": "date", "required": True},
    {"name": "amount", "label": "金额", "type": "decimal", "required": True},
    {"name": "count", "label": "次数", "type": "integer", "required": True},
    {"name": "grade", "label": "等级", "type": "choice", "required": True, "choices": ["A", "B"]},
    {"name": "code", "label": "代码", "type": "uscc", "required": True},
    {"name": "flag", "label": "是否", "type": "boolean", "required": True},
]


@pytest.fixture
def items() -> list[Any]:
    return [
        make_catalog_item(severity=Severity.GENERAL, field_schema=SCHEMA),
        # A penalty only bureaus record: written by the county although its turn is the
        # university's.
        make_catalog_item(severity=Severity.SERIOUS, recorder_kinds=BUREAUS),
        make_catalog_item(
            severity=Severity.TRUSTWORTHY, category=InfoCategory.HONOUR, field_schema=[]
        ),
        make_catalog_item(severity=Severity.SERIOUS, subject_type=SubjectType.PERSON),
        make_catalog_item(severity=Severity.GENERAL, subject_type=SubjectType.BOTH),
        make_catalog_item(severity=Severity.TRUSTWORTHY, field_schema=[]),
        make_catalog_item(severity=Severity.MINOR, subject_type=SubjectType.PERSON),
    ]


def _run(county: Any, county_clerk: Any, city_reviewer: Any, province: Any, items: Any) -> Any:
    school = make_institution(supervisor=county, name="中原区演示培训学校", serial=5401)
    teacher = make_person(institution=school, name="演示教师", number=resident_id(51))
    university_org = make_organisation(
        parent=province, name="演示大学", kind=OrganisationKind.UNIVERSITY, region_code="410100"
    )
    university = make_institution(
        supervisor=province,
        name="演示大学",
        serial=5402,
        kind=InstitutionKind.UNIVERSITY,
        region_code="410100",
    )
    subject_services.institution_update(
        actor="system:test", institution=university, organisation=university_org
    )
    professor = make_person(institution=university, name="演示教授", number=resident_id(53))
    return {
        "county_clerk": county_clerk,
        "county_reviewer": city_reviewer,
        "county_institution": school,
        "county_people": [teacher],
        "university_clerk": make_user(
            organisation=university_org, username="uni.clerk", roles=[UserRole.CLERK]
        ),
        "university_reviewer": make_user(
            organisation=province, username="prov.reviewer", roles=[UserRole.REVIEWER]
        ),
        "university": university,
        "university_people": [professor],
        "items": items,
        "as_of": AS_OF,
    }


def test_every_item_several_states_each_list(
    county: Any, county_clerk: Any, city_reviewer: Any, province: Any, items: Any
) -> None:
    arguments = _run(county, county_clerk, city_reviewer, province, items)
    report = demo_credit_records(**arguments)
    assert report.items == len(items)
    assert (
        CreditRecord.objects.get(catalog_item=items[1], status="effective").organisation == county
    )
    assert {r.catalog_item_id for r in CreditRecord.objects.all()} == {i.pk for i in items}
    statuses = set(CreditRecord.objects.values_list("status", flat=True))
    assert {
        CreditRecordStatus.EFFECTIVE,
        CreditRecordStatus.REVOKED,
        CreditRecordStatus.EXPIRED,
        CreditRecordStatus.UNDER_OBJECTION,
    } <= statuses
    assert CreditRecord.objects.filter(institution=arguments["university"]).exists()
    assert CreditRecord.objects.filter(person__isnull=False).exists()
    kinds = {(e.kind, e.status) for e in CreditListEntry.objects.all()}
    assert kinds == {
        (CreditListKind.RED, ListEntryStatus.LISTED),
        (CreditListKind.SERIOUS, ListEntryStatus.LISTED),
        (CreditListKind.SERIOUS, ListEntryStatus.EXITED),
        (CreditListKind.FOCUS, ListEntryStatus.NOTICE),
    }
    assert public_list_entries(CreditListKind.RED, AS_OF).count() == 1
    assert public_list_entries(CreditListKind.SERIOUS, AS_OF).count() == 1
    assert public_exit_notices(CreditListKind.SERIOUS, AS_OF).count() == 1

    records, entries = CreditRecord.objects.count(), CreditListEntry.objects.count()
    demo_credit_records(**arguments)
    assert (CreditRecord.objects.count(), CreditListEntry.objects.count()) == (records, entries)


def test_every_item_of_the_shipped_catalog(
    county: Any, county_clerk: Any, city_reviewer: Any, province: Any
) -> None:
    from educredit.catalog.selectors import catalog_items
    from educredit.catalog.services import catalog_version_seed

    catalog_version_seed(actor="system:test")
    shipped = list(catalog_items())
    assert shipped
    arguments = _run(county, county_clerk, city_reviewer, province, None)
    report = demo_credit_records(**arguments)
    assert report.items == len(shipped)
    recorded = set(CreditRecord.objects.values_list("catalog_item_id", flat=True))
    assert recorded == {item.pk for item in shipped}
    assert {e.kind for e in report.entries} == set(CreditListKind.values)
    # Each record is entered by an organisation the catalog lets record its item: penalties
    # and licences by the county bureau, never by the university on itself; lists likewise.
    for record in CreditRecord.objects.select_related("catalog_item", "organisation"):
        assert record.catalog_item.recordable_by(record.organisation), record.catalog_item.code
        if record.catalog_item.category in (InfoCategory.PENALTY, InfoCategory.LICENCE):
            assert record.organisation.kind == OrganisationKind.COUNTY_BUREAU
    assert {
        e.organisation.kind for e in CreditListEntry.objects.select_related("organisation")
    } == {OrganisationKind.COUNTY_BUREAU}
