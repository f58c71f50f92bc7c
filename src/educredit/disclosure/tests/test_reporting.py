"""Rows become records; effective records become decisions in the outbox; changes re-report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.accounts.models import Organisation
from educredit.catalog.tests.factories import shipped_catalog
from educredit.core.workdays import add_working_days
from educredit.disclosure import mapping, services
from educredit.disclosure.models import Decision
from educredit.disclosure.tests.rows import BUREAU_USCC, licence_row, penalty_row
from educredit.disclosure.validation import RowValidator
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import unseal_row
from educredit.exchange.signals import outbox_delivered
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_reviewer
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db

DECIDED = "2026-11-02"
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def catalog(county: Organisation) -> Any:
    Organisation.objects.filter(pk=county.pk).update(uscc=BUREAU_USCC)
    return shipped_catalog()


@pytest.fixture
def school(county: Organisation) -> Any:
    return make_institution(supervisor=county, name="中原区某某培训学校", serial=4242)


def enter(kind: str, row: dict[str, str], clerk: Any, **options: Any) -> tuple[CreditRecord, Any]:
    """Validate a row, map it and enter it as the clerk (as an import would)."""
    result = RowValidator(kind, today=TODAY).validate(row)
    assert result.errors == []
    subjects = mapping.SubjectIndex.load(kind, [result.values])
    item = mapping.catalog_item_for(kind, **options)
    args = mapping.record_arguments(kind, result.values, subjects=subjects, catalog_item=item)
    record = records.credit_record_create(
        actor=clerk, source=CreditRecordSource.IMPORT, **args.create
    )
    return record, args


def make_effective(record: CreditRecord, clerk: Any) -> CreditRecord:
    record = records.credit_record_submit(actor=clerk, record=record)
    reviewer = make_reviewer(organisation=clerk.organisation)
    return records.credit_record_approve(actor=reviewer, record=record)


def test_a_penalty_row_becomes_a_record_then_a_reported_decision(
    catalog: Any, school: Any, county_clerk: Any
) -> None:
    row = penalty_row(
        CF_XDR_SHXYM=school.uscc, CF_JDRQ=DECIDED, CF_YXQ="2027-11-02", CF_XDR_GSZC="4101"
    )
    record, args = enter("penalty", row, county_clerk)
    assert record.institution == school
    assert record.catalog_item.code == "JY-CF-02"
    assert record.payload["fine_amount"] == "3.5"
    assert record.payload["penalty_category"] == "警告;罚款"
    assert args.extra["CF_XDR_GSZC"] == "4101" and args.extra["CF_SJLYDM"] == BUREAU_USCC
    services.decision_prepare(actor=county_clerk, record=record, extra=args.extra)
    assert not OutboxItem.objects.exists()  # nothing is reported before it is effective

    record = make_effective(record, county_clerk)

    decision = Decision.objects.get(record=record)
    assert decision.version == 1 and decision.kind == "penalty"
    assert decision.deadline == add_working_days(dt.date(2026, 11, 2), 7).date
    assert decision.first_reported_at is None
    item = OutboxItem.objects.get()
    assert item.operation == "add"
    assert item.key == f"郑中教罚〔2026〕12号|{BUREAU_USCC}|1"
    assert item.organisation_id == record.organisation_id
    assert item.row["CF_XDR_SHXYM"] == school.uscc
    assert item.row["CF_NR_FK"] == "3.5"
    assert item.row["CF_JDRQ"] == DECIDED
    assert item.row["CF_XDR_GSZC"] == "4101"  # kept on the decision since entry
    assert decision.compliant and decision.complete, decision.problems


def test_a_natural_persons_number_is_sealed_in_the_outbox_and_never_public(
    catalog: Any, school: Any, county_clerk: Any
) -> None:
    number = resident_id(7, born="19850101")
    person = make_person(institution=school, name="李四", number=number)
    row = penalty_row(
        CF_XDR_LB="自然人",
        CF_XDR_MC="李四",
        CF_XDR_SHXYM="",
        CF_FRDB="",
        CF_XDR_ZJLX="身份证",
        CF_XDR_ZJHM=number,
        CF_JDRQ=DECIDED,
        CF_YXQ="2027-11-02",
    )
    record, _ = enter("penalty", row, county_clerk)
    assert record.person == person
    record = make_effective(record, county_clerk)

    item = OutboxItem.objects.get()
    assert number not in str(item.row)
    assert unseal_row(item.row)["CF_XDR_ZJHM"] == number
    public = mapping.public_row(record, kind="penalty")
    assert "CF_XDR_ZJHM" not in public and number not in str(public)
    assert public["CF_XDR_MC"] == "李四"
    decision = Decision.objects.get(record=record)
    assert decision.compliant and decision.complete, decision.problems


def test_a_licence_row_maps_to_jy_xk_01(catalog: Any, school: Any, county_clerk: Any) -> None:
    row = licence_row(XK_XDR_SHXYM=school.uscc, XK_JDRQ=DECIDED, XK_YXQZ=DECIDED)
    record, _ = enter("licence", row, county_clerk)
    assert record.catalog_item.code == "JY-XK-01"
    assert record.payload["licence_category"] == "普通"
    assert record.payload["valid_until"] == "2099-12-31"
    make_effective(record, county_clerk)
    item = OutboxItem.objects.get()
    assert item.kind == "licence" and item.row["XK_ZT"] == "1"
    assert item.row["XK_YXQZI"] == "2099-12-31"


def test_revoking_and_correcting_report_new_versions(
    catalog: Any, school: Any, county_clerk: Any, city_reviewer: Any
) -> None:
    row = penalty_row(CF_XDR_SHXYM=school.uscc, CF_JDRQ=DECIDED, CF_YXQ="2027-11-02")
    record, _ = enter("penalty", row, county_clerk)
    record = make_effective(record, county_clerk)
    records.credit_record_correct(
        actor=city_reviewer,
        record=record,
        reason="复议变更罚款",
        payload={**record.payload, "fine_amount": "2"},
    )
    records.credit_record_revoke(actor=city_reviewer, record=record, reason="决定被撤销")

    items = list(OutboxItem.objects.order_by("pk"))
    assert [(i.operation, i.key.rsplit("|", 1)[1]) for i in items] == [
        ("add", "1"),
        ("change", "2"),
        ("revoke", "3"),
    ]
    assert items[1].row["CF_NR_FK"] == "2"
    decision = Decision.objects.get(record=record)
    assert decision.version == 3 and decision.last_operation == "revoke"


def test_a_record_revoked_before_it_took_effect_is_not_reported(
    catalog: Any, school: Any, county_clerk: Any
) -> None:
    row = penalty_row(CF_XDR_SHXYM=school.uscc, CF_JDRQ=DECIDED, CF_YXQ="2027-11-02")
    record, _ = enter("penalty", row, county_clerk)
    records.credit_record_revoke(actor=county_clerk, record=record, reason="录入有误")
    assert not OutboxItem.objects.exists() and not Decision.objects.exists()


def test_items_that_are_not_licences_or_penalties_are_not_decisions(
    county_clerk: Any, school: Any
) -> None:
    item = make_catalog_item(category="ethics", reportable=True)
    record = records.credit_record_create(
        actor=county_clerk,
        catalog_item=item,
        institution=school,
        title="师德失范",
        issuing_body="中原区教育局",
        decision_date=dt.date(2026, 11, 2),
        payload={"penalty_content": "警告"},
    )
    make_effective(record, county_clerk)
    assert not Decision.objects.exists()


def test_delivery_sets_the_first_report_time_once(
    catalog: Any, school: Any, county_clerk: Any
) -> None:
    row = penalty_row(CF_XDR_SHXYM=school.uscc, CF_JDRQ=DECIDED, CF_YXQ="2027-11-02")
    record, _ = enter("penalty", row, county_clerk)
    make_effective(record, county_clerk)
    item = OutboxItem.objects.get()
    first = dt.datetime(2026, 11, 5, 10, tzinfo=dt.UTC)
    item.delivered_at = first
    outbox_delivered.send(sender=OutboxItem, item=item, receipt=None)
    item.delivered_at = first + dt.timedelta(days=3)
    outbox_delivered.send(sender=OutboxItem, item=item, receipt=None)
    assert Decision.objects.get(record=record).first_reported_at == first


def test_subjects_of_a_batch_are_found_in_two_queries(
    catalog: Any, school: Any, county: Any, django_assert_num_queries: Any
) -> None:
    others = [
        make_institution(supervisor=county, name=f"学校{i}", serial=5000 + i) for i in range(5)
    ]
    people = [
        make_person(institution=school, name=f"人{i}", number=resident_id(i + 1)) for i in range(5)
    ]
    validator = RowValidator("penalty", today=TODAY)
    rows = [validator.validate(penalty_row(CF_XDR_SHXYM=o.uscc or "")).values for o in others]
    rows += [
        validator.validate(
            penalty_row(
                CF_XDR_LB="自然人",
                CF_XDR_SHXYM="",
                CF_FRDB="",
                CF_XDR_ZJLX="身份证",
                CF_XDR_ZJHM=resident_id(i + 1),
            )
        ).values
        for i in range(5)
    ]
    with django_assert_num_queries(2):
        index = mapping.SubjectIndex.load("penalty", rows)
    assert [index.subject_of("penalty", r) for r in rows] == [*others, *people]
    unknown = validator.validate(penalty_row(CF_XDR_SHXYM="91410100MA44BCDE15")).values
    assert index.subject_of("penalty", unknown) is None
    with pytest.raises(mapping.MappingError, match="尚未登记"):
        mapping.record_arguments(
            "penalty",
            unknown,
            subjects=index,
            catalog_item=mapping.catalog_item_for("penalty"),
        )
