"""The record life cycle: every transition allowed or refused per role, two-person rule,
revocation, §13 exemption, audit and transition rows written together."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.accounts.choices import UserRole
from educredit.audit.selectors import audit_entries_for
from educredit.catalog.choices import SubjectType
from educredit.records import lifecycle, services
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.choices import DecisionProcedure
from educredit.records.models import CreditRecord
from educredit.records.selectors import credit_records_punishment_basis
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects.tests.factories import make_person, resident_id
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(S.values))
def test_factory_reaches_every_status(county_clerk: Any, status: str) -> None:
    record = make_record(actor=county_clerk, status=status)
    record.refresh_from_db()
    assert record.status == status


def _user_with(county: Any, role: str) -> Any:
    return make_user(organisation=county, username=f"u-{role}", roles=[role])


# Every (action, from status) in the table, with every role: allowed exactly when the table says.
CASES = [
    (t, role)
    for t in lifecycle.TRANSITIONS
    if lifecycle.SYSTEM not in t.roles
    for role in UserRole.values
]


@pytest.mark.parametrize(
    ("step", "role"), CASES, ids=[f"{t.action}-{t.from_status}-{r}" for t, r in CASES]
)
def test_every_transition_per_role(county: Any, county_clerk: Any, step: Any, role: str) -> None:
    creator = make_user(organisation=county, username="creator", roles=[UserRole.CLERK])
    record = make_record(actor=creator, status=step.from_status)
    user = _user_with(county, role)
    service = services.ACTIONS[step.action]
    if role in step.roles:
        service(actor=user, record=record, reason="理由")
        record.refresh_from_db()
        assert record.status == step.to_status
        last = record.transitions.order_by("-pk")[0]
        assert (last.from_status, last.to_status, last.actor, last.reason) == (
            step.from_status,
            step.to_status,
            user,
            "理由",
        )
        entry = audit_entries_for(record).reverse()[0]
        assert entry.action == f"records.{step.action}"
        assert entry.reason == "理由"
        assert entry.actor == user
    else:
        with pytest.raises(PermissionDenied):
            service(actor=user, record=record, reason="理由")
        record.refresh_from_db()
        assert record.status == step.from_status


@pytest.mark.parametrize("status", list(S.values))
def test_actions_outside_the_table_are_refused(county_admin: Any, status: str) -> None:
    record = make_record(actor=county_admin, status=status)
    allowed = {t.action for t in lifecycle.transitions_from(status)}
    for action, service in services.ACTIONS.items():
        if action in allowed:
            continue
        with pytest.raises(services.RecordError):
            service(actor=county_admin, record=record, reason="理由")
    record.refresh_from_db()
    assert record.status == status


def test_final_statuses_have_no_way_out() -> None:
    for status in lifecycle.FINAL_STATUSES:
        assert lifecycle.transitions_from(status) == []


def test_reason_required(county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, status=S.SUBMITTED)
    with pytest.raises(services.RecordError) as exc:
        services.credit_record_return(actor=city_reviewer, record=record, reason="  ")
    assert "reason" in exc.value.errors
    assert record.transitions.count() == 2


def test_two_person_rule(county: Any) -> None:
    both = make_user(
        organisation=county, username="both", roles=[UserRole.CLERK, UserRole.REVIEWER]
    )
    record = make_record(actor=both, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.credit_record_approve(actor=both, record=record)
    # An admin who submitted someone else's draft may not approve it either.
    admin = make_user(organisation=county, username="adm", roles=[UserRole.ADMIN])
    clerk = make_user(organisation=county, username="clk", roles=[UserRole.CLERK])
    other = make_record(actor=clerk)
    services.credit_record_submit(actor=admin, record=other)
    with pytest.raises(PermissionDenied):
        services.credit_record_approve(actor=admin, record=other)
    other.refresh_from_db()
    assert other.status == S.SUBMITTED


def test_without_two_person_rule_the_author_may_approve(county: Any) -> None:
    both = make_user(
        organisation=county, username="both", roles=[UserRole.CLERK, UserRole.REVIEWER]
    )
    item = make_catalog_item(two_person_rule=False)
    record = make_record(actor=both, catalog_item=item, status=S.SUBMITTED)
    record = services.credit_record_approve(actor=both, record=record)
    assert record.status == S.EFFECTIVE
    assert record.reviewed_by == both
    assert record.effective_at is not None


def test_revocation_withdraws_and_is_recorded(county_clerk: Any, city_reviewer: Any) -> None:
    record = make_record(actor=county_clerk, status=S.EFFECTIVE, reviewer=city_reviewer)
    CreditRecord.objects.filter(pk=record.pk).update(
        public_from=datetime.date(2026, 3, 2), public_until=datetime.date(2029, 3, 2)
    )
    record = services.credit_record_revoke(actor=city_reviewer, record=record, reason="决定被撤销")
    record.refresh_from_db()
    assert record.status == S.REVOKED
    assert record.public_until is not None and record.public_until < datetime.date(2029, 3, 2)
    last = record.transitions.order_by("-pk")[0]
    assert (last.from_status, last.to_status, last.reason) == (S.EFFECTIVE, S.REVOKED, "决定被撤销")
    assert audit_entries_for(record).reverse()[0].reason == "决定被撤销"


def test_outside_jurisdiction_refused(county_clerk: Any, outsider: Any, other_county: Any) -> None:
    record = make_record(actor=county_clerk)
    with pytest.raises(PermissionDenied):
        services.credit_record_submit(actor=outsider, record=record)
    reviewer = make_user(organisation=other_county, username="js.rev", roles=[UserRole.REVIEWER])
    services.credit_record_submit(actor=county_clerk, record=record)
    with pytest.raises(PermissionDenied):
        services.credit_record_approve(actor=reviewer, record=record)


def test_create_checks(county_clerk: Any, outsider: Any, county_viewer: Any) -> None:
    item = make_catalog_item()
    record = make_record(actor=county_clerk, catalog_item=item)
    assert record.severity == item.severity
    assert record.organisation == county_clerk.organisation
    assert audit_entries_for(record)[0].action == "records.create"
    # Someone else's subject, a viewer, a bad payload, a wrong subject type.
    with pytest.raises(PermissionDenied):
        make_record(actor=outsider, catalog_item=item, institution=record.institution)
    with pytest.raises(PermissionDenied):
        make_record(actor=county_viewer, catalog_item=item, institution=record.institution)
    with pytest.raises(services.RecordError) as exc:
        make_record(actor=county_clerk, catalog_item=item, payload={"fine_amount": "很多"})
    assert {"payload.penalty_content", "payload.fine_amount"} <= set(exc.value.errors)
    person_item = make_catalog_item(subject_type=SubjectType.PERSON)
    with pytest.raises(services.RecordError) as exc:
        make_record(actor=county_clerk, catalog_item=person_item, institution=record.institution)
    assert "subject" in exc.value.errors
    # The same decision twice is refused.
    with pytest.raises(services.RecordError):
        make_record(
            actor=county_clerk,
            catalog_item=item,
            institution=record.institution,
            decision_number=record.decision_number,
        )


def test_update_drafts_only(county_clerk: Any) -> None:
    record = make_record(actor=county_clerk)
    record = services.credit_record_update(
        actor=county_clerk, record=record, title="新事由", payload={"penalty_content": "罚款"}
    )
    assert (record.title, record.payload) == ("新事由", {"penalty_content": "罚款"})
    services.credit_record_submit(actor=county_clerk, record=record)
    with pytest.raises(services.RecordError):
        services.credit_record_update(actor=county_clerk, record=record, title="再改")


def test_henan_13_exemption(county_clerk: Any, county_school: Any, county: Any) -> None:
    from educredit.subjects.tests.factories import make_institution

    school = make_institution(supervisor=county, name="中原区实验小学", serial=77)
    teacher = make_person(institution=school, name="张老师", number=resident_id(11))
    item = make_catalog_item(subject_type=SubjectType.PERSON)
    simplified = make_record(
        actor=county_clerk,
        catalog_item=item,
        person=teacher,
        procedure=DecisionProcedure.SIMPLIFIED,
        status=S.EFFECTIVE,
    )
    corrected = make_record(
        actor=county_clerk,
        catalog_item=item,
        person=teacher,
        corrected_minor_violation=True,
        status=S.EFFECTIVE,
    )
    ordinary = make_record(
        actor=county_clerk, catalog_item=item, person=teacher, status=S.EFFECTIVE
    )
    institution_simplified = make_record(
        actor=county_clerk, procedure=DecisionProcedure.SIMPLIFIED, status=S.EFFECTIVE
    )
    for record in (simplified, corrected):
        assert record.is_henan13_exempt
        assert not record.is_reportable
        assert not record.may_ground_punishment
    for record in (ordinary, institution_simplified):
        assert record.is_reportable and record.may_ground_punishment
    basis = credit_records_punishment_basis(CreditRecord.objects.all())
    assert set(basis) == {ordinary, institution_simplified}


def test_expire_only_by_system(county_clerk: Any, county_admin: Any) -> None:
    record = make_record(actor=county_clerk, status=S.EFFECTIVE)
    with pytest.raises(PermissionDenied):
        services.credit_record_expire(actor=county_admin, record=record)
    record = services.credit_record_expire(record=record)
    assert record.status == S.EXPIRED
    assert record.transitions.order_by("-pk")[0].actor_label == "system:daily"


def test_repair_only_after_the_minimum_period(county_clerk: Any, city_reviewer: Any) -> None:
    from educredit.catalog.choices import Severity
    from educredit.core.clock import today

    general = make_catalog_item(severity=Severity.GENERAL)
    fresh = make_record(
        actor=county_clerk,
        catalog_item=general,
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
        decision_date=today(),
    )
    allowed_from = fresh.repair_allowed_from
    assert allowed_from is not None and allowed_from > today()
    with pytest.raises(services.RecordError, match=allowed_from.isoformat()):
        services.credit_record_mark_repaired(actor=city_reviewer, record=fresh, reason="已整改")
    fresh.refresh_from_db()
    assert fresh.status == S.EFFECTIVE and not fresh.transitions.filter(to_status=S.REPAIRED)

    old = make_record(
        actor=county_clerk,
        catalog_item=general,
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
        decision_date=today() - datetime.timedelta(days=200),
    )
    repaired = services.credit_record_mark_repaired(
        actor=city_reviewer, record=old, reason="已整改"
    )
    assert repaired.status == S.REPAIRED

    honour = make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(severity=Severity.TRUSTWORTHY),
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
    )
    with pytest.raises(services.RecordError):
        services.credit_record_mark_repaired(actor=city_reviewer, record=honour, reason="无")


def test_each_step_is_announced_inside_its_transaction(
    county_clerk: Any, city_reviewer: Any
) -> None:
    from django.db import transaction

    from educredit.records.signals import credit_record_transitioned

    heard: list[tuple[str, str, str]] = []

    def listen(*, record: CreditRecord, action: str, from_status: str, **_: Any) -> None:
        assert transaction.get_connection().in_atomic_block
        heard.append((action, from_status, record.status))

    credit_record_transitioned.connect(listen)
    try:
        record = make_record(actor=county_clerk, status=S.DRAFT)
        services.credit_record_submit(actor=county_clerk, record=record)
        services.credit_record_approve(actor=city_reviewer, record=record)
    finally:
        credit_record_transitioned.disconnect(listen)
    assert heard == [("submit", S.DRAFT, S.SUBMITTED), ("approve", S.SUBMITTED, S.EFFECTIVE)]


def test_correct_an_effective_record(county_clerk: Any, city_reviewer: Any) -> None:
    from educredit.records.signals import credit_record_transitioned

    record = make_record(
        actor=county_clerk,
        status=S.EFFECTIVE,
        reviewer=city_reviewer,
        decision_date=datetime.date(2026, 3, 2),
    )
    heard: list[str] = []

    def listen(*, action: str, **_: Any) -> None:
        heard.append(action)

    with pytest.raises(PermissionDenied):
        services.credit_record_correct(
            actor=county_clerk, record=record, reason="复议变更", title="改"
        )
    with pytest.raises(services.RecordError):
        services.credit_record_correct(actor=city_reviewer, record=record, reason="", title="改")
    credit_record_transitioned.connect(listen)
    try:
        corrected = services.credit_record_correct(
            actor=city_reviewer,
            record=record,
            reason="行政复议决定变更处罚",
            title="未经批准擅自举办培训机构（复议变更）",
            decision_date=datetime.date(2026, 5, 4),
        )
    finally:
        credit_record_transitioned.disconnect(listen)
    assert heard == ["correct"]
    assert corrected.status == S.EFFECTIVE
    assert corrected.public_from == datetime.date(2026, 5, 4)  # the window follows the date
    last = audit_entries_for(corrected).last()
    assert last is not None and last.action == "records.correct"
    assert last.reason == "行政复议决定变更处罚"


def test_only_effective_records_are_corrected(county_clerk: Any, city_reviewer: Any) -> None:
    draft = make_record(actor=county_clerk, status=S.DRAFT)
    with pytest.raises(services.RecordError):
        services.credit_record_correct(actor=city_reviewer, record=draft, reason="更正", title="x")
