"""The credit lists: proposal with prior notice (working-day deadline), confirmation after the
objection period, withdrawal, exit notice, responsible people, jurisdiction, public selectors."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from educredit.accounts.choices import UserRole
from educredit.audit.selectors import audit_entries_for
from educredit.catalog.choices import Severity, SubjectType
from educredit.records import lists
from educredit.records.choices import CreditListKind, ListEntryStatus, ResponsibleRole
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects import services as subject_services
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db

NOTICE = datetime.date(2026, 9, 30)  # the day before the 2026 National Day holiday
# 5 working days after 30 Sep 2026: 8, 9, 10 (a make-up Saturday), 12 and 13 October.
DEADLINE = datetime.date(2026, 10, 13)


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="中原区阳光培训学校", serial=5101)


@pytest.fixture
def serious_record(county_clerk: Any, school: Any) -> Any:
    item = make_catalog_item(severity=Severity.SERIOUS, name="严重违规办学")
    return make_record(
        actor=county_clerk, catalog_item=item, institution=school, status=S.EFFECTIVE
    )


def _propose(actor: Any, subject: Any, records: list[Any], **extra: Any) -> Any:
    values: dict[str, Any] = {
        "kind": CreditListKind.SERIOUS,
        "reason": "违规办学造成严重后果",
        "legal_basis": "《河南省社会信用条例》第三十三条",
        "measures": "限制参加政府表彰奖励",
        "exit_conditions": "整改到位并满一年",
        "notice_date": NOTICE,
    }
    values.update(extra)
    return lists.list_entry_propose(actor=actor, subject=subject, basis_records=records, **values)


def test_propose_serves_notice_with_working_day_deadline(
    county_clerk: Any, school: Any, serious_record: Any
) -> None:
    entry = _propose(county_clerk, school, [serious_record])
    assert entry.status == ListEntryStatus.NOTICE
    assert (entry.notice_date, entry.objection_deadline) == (NOTICE, DEADLINE)
    assert list(entry.basis_records.all()) == [serious_record]
    assert entry.organisation == county_clerk.organisation
    rule = lists.objection_rule(entry)
    assert "5个工作日" in rule and "第二十八条" in rule
    (audit,) = audit_entries_for(entry)
    assert audit.action == "list_entry.propose" and str(serious_record.public_id) in audit.reason


def test_ordinary_week_deadline_and_custom_period(
    county_clerk: Any, school: Any, serious_record: Any
) -> None:
    friday = datetime.date(2026, 3, 6)
    entry = _propose(county_clerk, school, [serious_record], notice_date=friday)
    assert entry.objection_deadline == datetime.date(2026, 3, 13)
    longer = _propose(county_clerk, school, [serious_record], notice_date=friday, objection_days=10)
    assert longer.objection_deadline == datetime.date(2026, 3, 20)
    with pytest.raises(lists.ListEntryError):
        _propose(county_clerk, school, [serious_record], objection_days=0)


@pytest.mark.parametrize(
    ("kind", "severity", "ok"),
    [
        (CreditListKind.SERIOUS, Severity.SERIOUS, True),
        (CreditListKind.SERIOUS, Severity.GENERAL, False),
        (CreditListKind.FOCUS, Severity.GENERAL, True),
        (CreditListKind.FOCUS, Severity.MINOR, False),
        (CreditListKind.RED, Severity.TRUSTWORTHY, True),
        (CreditListKind.RED, Severity.SERIOUS, False),
    ],
)
def test_basis_severity_must_fit_the_list(
    county_clerk: Any, school: Any, kind: str, severity: str, ok: bool
) -> None:
    record = make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(severity=severity),
        institution=school,
        status=S.EFFECTIVE,
    )
    if ok:
        assert _propose(county_clerk, school, [record], kind=kind).kind == kind
    else:
        with pytest.raises(lists.ListEntryError):
            _propose(county_clerk, school, [record], kind=kind)


def test_basis_must_be_effective_same_subject_and_present(
    county: Any, county_clerk: Any, school: Any
) -> None:
    item = make_catalog_item(severity=Severity.SERIOUS)
    draft = make_record(actor=county_clerk, catalog_item=item, institution=school)
    revoked = make_record(
        actor=county_clerk, catalog_item=item, institution=school, status=S.REVOKED
    )
    other = make_record(actor=county_clerk, catalog_item=item, status=S.EFFECTIVE)
    for records in ([], [draft], [revoked], [other]):
        with pytest.raises(lists.ListEntryError):
            _propose(county_clerk, school, records)


def test_outsider_and_viewer_cannot_propose(
    outsider: Any, county_viewer: Any, school: Any, serious_record: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _propose(outsider, school, [serious_record])
    with pytest.raises(PermissionDenied):
        _propose(county_viewer, school, [serious_record])


def test_confirm_only_after_deadline_or_handled_objection(
    county_clerk: Any, city_reviewer: Any, school: Any, serious_record: Any
) -> None:
    entry = _propose(county_clerk, school, [serious_record])
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_confirm(actor=city_reviewer, entry=entry, listed_on=DEADLINE)
    lists.list_entry_confirm(
        actor=city_reviewer, entry=entry, listed_on=DEADLINE + datetime.timedelta(days=1)
    )
    entry.refresh_from_db()
    assert entry.status == ListEntryStatus.LISTED and entry.listed_on == datetime.date(2026, 10, 14)

    early = _propose(county_clerk, school, [serious_record])
    lists.list_entry_confirm(
        actor=city_reviewer,
        entry=early,
        listed_on=datetime.date(2026, 10, 9),
        objection_handled="当事人异议经核查不成立",
    )
    assert early.status == ListEntryStatus.LISTED
    assert audit_entries_for(early).reverse()[0].reason == "当事人异议经核查不成立"


def test_confirm_needs_a_reviewer_other_than_the_proposer(
    county: Any, county_clerk: Any, county_admin: Any, school: Any, serious_record: Any
) -> None:
    after = DEADLINE + datetime.timedelta(days=3)
    entry = _propose(county_clerk, school, [serious_record])
    with pytest.raises(PermissionDenied):
        lists.list_entry_confirm(actor=county_clerk, entry=entry, listed_on=after)
    own = _propose(county_admin, school, [serious_record])
    with pytest.raises(PermissionDenied):
        lists.list_entry_confirm(actor=county_admin, entry=own, listed_on=after)
    reviewer = make_user(organisation=county, username="zy.rev", roles=[UserRole.REVIEWER])
    assert lists.list_entry_confirm(actor=reviewer, entry=own, listed_on=after).status == "listed"


def test_withdraw_and_exit(
    county_clerk: Any, city_reviewer: Any, school: Any, serious_record: Any
) -> None:
    proposal = _propose(county_clerk, school, [serious_record])
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_withdraw(actor=county_clerk, entry=proposal, reason=" ")
    lists.list_entry_withdraw(actor=county_clerk, entry=proposal, reason="依据记录有误")
    assert proposal.status == ListEntryStatus.WITHDRAWN
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_confirm(actor=city_reviewer, entry=proposal, listed_on=DEADLINE)

    entry = _propose(county_clerk, school, [serious_record])
    listed = datetime.date(2026, 10, 20)
    lists.list_entry_confirm(actor=city_reviewer, entry=entry, listed_on=listed)
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_exit(
            actor=county_clerk, entry=entry, exited_on=datetime.date(2027, 10, 20), exit_notice=""
        )
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_exit(
            actor=county_clerk,
            entry=entry,
            exited_on=listed - datetime.timedelta(days=1),
            exit_notice="公告",
        )
    lists.list_entry_exit(
        actor=county_clerk,
        entry=entry,
        exited_on=datetime.date(2027, 10, 20),
        exit_notice="该机构已整改到位，自即日起移出严重失信主体名单。",
    )
    entry.refresh_from_db()
    assert entry.status == ListEntryStatus.EXITED and entry.exit_notice.startswith("该机构")
    actions = [a.action for a in audit_entries_for(entry)]
    assert actions == ["list_entry.propose", "list_entry.confirm", "list_entry.exit"]


def test_link_responsible_people(
    county_clerk: Any, outsider: Any, school: Any, serious_record: Any
) -> None:
    entry = _propose(county_clerk, school, [serious_record])
    head = make_person(institution=school, name="王校长", number=resident_id(11))
    stranger = make_person(
        institution=make_institution(
            supervisor=county_clerk.organisation, name="别校", serial=5102
        ),
        name="李某",
        number=resident_id(13),
    )
    link = lists.list_entry_link_responsible(
        actor=county_clerk, entry=entry, person=head, role=ResponsibleRole.LEGAL_REPRESENTATIVE
    )
    again = lists.list_entry_link_responsible(
        actor=county_clerk, entry=entry, person=head, role=ResponsibleRole.LEGAL_REPRESENTATIVE
    )
    assert link.pk == again.pk and len(audit_entries_for(link)) == 1
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_link_responsible(
            actor=county_clerk, entry=entry, person=stranger, role=ResponsibleRole.PRINCIPAL
        )
    with pytest.raises(PermissionDenied):
        lists.list_entry_link_responsible(
            actor=outsider, entry=entry, person=head, role=ResponsibleRole.PRINCIPAL
        )


def test_person_entry_has_no_responsible_people(county_clerk: Any, school: Any) -> None:
    teacher = make_person(institution=school, name="张老师", number=resident_id(15))
    item = make_catalog_item(severity=Severity.SERIOUS, subject_type=SubjectType.PERSON)
    record = make_record(actor=county_clerk, catalog_item=item, person=teacher, status=S.EFFECTIVE)
    entry = _propose(county_clerk, teacher, [record])
    with pytest.raises(lists.ListEntryError):
        lists.list_entry_link_responsible(
            actor=county_clerk, entry=entry, person=teacher, role=ResponsibleRole.PRINCIPAL
        )


def test_visibility_follows_the_owner_organisation(
    county_clerk: Any, outsider: Any, province_admin: Any, school: Any, serious_record: Any
) -> None:
    entry = _propose(county_clerk, school, [serious_record])
    assert list(lists.list_entries_visible_to(county_clerk)) == [entry]
    assert list(lists.list_entries_visible_to(province_admin)) == [entry]
    assert not lists.list_entries_visible_to(outsider).exists()


def test_public_selectors_answer_as_of_a_date(
    county: Any, county_clerk: Any, city_reviewer: Any, school: Any, serious_record: Any
) -> None:
    entry = _propose(county_clerk, school, [serious_record])
    kind = CreditListKind.SERIOUS
    assert not lists.public_list_entries(kind, DEADLINE).exists()  # a proposal is not public
    listed, exited = datetime.date(2026, 10, 20), datetime.date(2027, 10, 20)
    lists.list_entry_confirm(actor=city_reviewer, entry=entry, listed_on=listed)
    lists.list_entry_exit(actor=county_clerk, entry=entry, exited_on=exited, exit_notice="移出")
    assert not lists.public_list_entries(kind, listed - datetime.timedelta(days=1)).exists()
    assert list(lists.public_list_entries(kind, listed)) == [entry]
    assert list(lists.public_list_entries(kind, exited - datetime.timedelta(days=1))) == [entry]
    assert not lists.public_list_entries(kind, exited).exists()
    assert not lists.public_list_entries(CreditListKind.RED, listed).exists()
    assert not lists.public_exit_notices(kind, exited - datetime.timedelta(days=1)).exists()
    assert list(lists.public_exit_notices(kind, exited)) == [entry]


def test_nothing_public_about_a_minor(county_clerk: Any, city_reviewer: Any, school: Any) -> None:
    pupil = make_person(institution=school, name="小明", number=resident_id(21, born="20120501"))
    item = make_catalog_item(severity=Severity.TRUSTWORTHY, subject_type=SubjectType.PERSON)
    record = make_record(actor=county_clerk, catalog_item=item, person=pupil, status=S.EFFECTIVE)
    # Decided while a minor (Henan §3): no list entry may cite it, so none is ever public,
    # not even once the pupil is of age (records.minors).
    assert record.made_while_minor
    with pytest.raises(lists.ListEntryError) as refused:
        _propose(
            county_clerk, pupil, [record], kind=CreditListKind.RED, measures="", notice_date=NOTICE
        )
    assert refused.value.field == "basis_records"
    assert not lists.public_list_entries(CreditListKind.RED, datetime.date(2030, 5, 1)).exists()


def test_system_actor_names_the_organisation(county: Any, school: Any, serious_record: Any) -> None:
    with pytest.raises(lists.ListEntryError):
        _propose("system:demo", school, [serious_record])
    entry = _propose("system:demo", school, [serious_record], organisation=county)
    assert entry.organisation == county


def test_affiliation_needed_for_person_subject(county_clerk: Any, other_county: Any) -> None:
    elsewhere = make_institution(supervisor=other_county, name="金水学校", serial=5103)
    person = subject_services.person_register(
        actor="system:test", document_type="resident_id", id_number=resident_id(23), name="赵某"
    ).subject
    subject_services.affiliation_add(
        actor="system:test", person=person, institution=elsewhere, role="teacher"
    )
    with pytest.raises(PermissionDenied):
        _propose(county_clerk, person, [])
