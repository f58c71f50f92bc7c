"""The credit archive: a subject's timeline within the reader's jurisdiction, filters, 404 for
outsiders, a person across the institutions they worked at, and every view of it logged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from educredit.accounts.choices import UserRole
from educredit.catalog.choices import InfoCategory, Severity, SubjectType
from educredit.records import archive, lists
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_catalog_item, make_record
from educredit.subjects import services as subject_services
from educredit.subjects.models import SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_user

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="中原区晨曦学校", serial=5301)


@pytest.fixture
def other_school(other_county: Any) -> Any:
    return make_institution(supervisor=other_county, name="金水区明德学校", serial=5302)


@pytest.fixture
def teacher(school: Any, other_school: Any) -> Any:
    """A teacher who worked in 中原区 and then in 金水区."""
    person = make_person(institution=school, name="陈老师", number=resident_id(41))
    subject_services.affiliation_add(
        actor="system:test", person=person, institution=other_school, role="teacher"
    )
    return person


def test_institution_timeline_with_records_lists_and_filters(
    county_clerk: Any, school: Any
) -> None:
    penalty = make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(severity=Severity.SERIOUS),
        institution=school,
        status=S.EFFECTIVE,
        title="违规收费",
        decision_date=datetime.date(2026, 3, 2),
    )
    honour = make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(
            severity=Severity.TRUSTWORTHY, category=InfoCategory.HONOUR, field_schema=[]
        ),
        institution=school,
        status=S.REVOKED,
        title="文明校园",
        decision_date=datetime.date(2025, 6, 1),
    )
    entry = lists.list_entry_propose(
        actor=county_clerk,
        kind=CreditListKind.SERIOUS,
        subject=school,
        basis_records=[penalty],
        reason="违规收费",
        legal_basis="",
        measures="限制",
        exit_conditions="整改",
        notice_date=datetime.date(2026, 4, 1),
    )
    timeline = archive.subject_archive(county_clerk, school)
    assert [e.record or e.entry for e in timeline.events] == [entry, penalty, honour]
    steps = [label for _when, label, _note in timeline.events[1].steps]
    assert [str(s) for s in steps][-1] == str(S.EFFECTIVE.label)

    def only(**filters: Any) -> list[Any]:
        found = archive.subject_archive(county_clerk, school, archive.ArchiveFilters(**filters))
        return [e.record or e.entry for e in found.events]

    assert only(category=InfoCategory.HONOUR) == [honour]
    assert only(severity=Severity.SERIOUS) == [penalty]
    assert only(status=S.REVOKED) == [honour]
    assert only(status="notice") == [entry]
    assert only(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 3, 31)) == [
        penalty
    ]


def test_institution_archive_page_and_outsider_404(
    county_viewer: Any,
    outsider: Any,
    county_clerk: Any,
    school: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(3):
        make_record(actor=county_clerk, institution=school, status=S.EFFECTIVE, title=f"处罚{n}")
    url = reverse("records:institution_archive", kwargs={"institution_id": school.public_id})
    client = _client(county_viewer)
    with django_assert_max_num_queries(14):
        response = client.get(url, {"severity": Severity.GENERAL})
    assert response.status_code == 200
    assert "处罚2" in response.content.decode()
    assert _client(outsider).get(url).status_code == 404


def test_person_archive_spans_institutions_within_jurisdiction_only(
    county: Any, other_county: Any, county_clerk: Any, outsider: Any, teacher: Any
) -> None:
    item = make_catalog_item(subject_type=SubjectType.PERSON, severity=Severity.GENERAL)
    ours = make_record(
        actor=county_clerk, catalog_item=item, person=teacher, status=S.EFFECTIVE, title="中原记录"
    )
    theirs = make_record(
        actor=outsider, catalog_item=item, person=teacher, status=S.EFFECTIVE, title="金水记录"
    )
    assert [e.record for e in archive.subject_archive(county_clerk, teacher).events] == [ours]
    assert [e.record for e in archive.subject_archive(outsider, teacher).events] == [theirs]
    city_admin = make_user(organisation=county.parent, username="zz.admin", roles=[UserRole.ADMIN])
    assert {e.record for e in archive.subject_archive(city_admin, teacher).events} == {
        ours,
        theirs,
    }


def test_person_archive_page_is_logged_and_hidden_from_outsiders(
    county_viewer: Any, outsider: Any, school: Any, county_clerk: Any
) -> None:
    person = make_person(institution=school, name="林老师", number=resident_id(43))
    url = reverse("records:person_archive", kwargs={"person_id": person.public_id})
    response = _client(county_viewer).get(url)
    page = response.content.decode()
    assert response.status_code == 200 and person.id_number_masked in page
    log = SubjectQueryLog.objects.get()
    assert (log.user, log.person, log.purpose) == (county_viewer, person, "查看信用档案")
    assert _client(outsider).get(url).status_code == 404
    assert SubjectQueryLog.objects.count() == 1


def test_person_archive_shows_entries_they_answer_for(county_clerk: Any, school: Any) -> None:
    head = make_person(institution=school, name="赵校长", number=resident_id(45))
    record = make_record(
        actor=county_clerk,
        catalog_item=make_catalog_item(severity=Severity.SERIOUS),
        institution=school,
        status=S.EFFECTIVE,
    )
    entry = lists.list_entry_propose(
        actor=county_clerk,
        kind=CreditListKind.SERIOUS,
        subject=school,
        basis_records=[record],
        reason="违规",
        legal_basis="",
        measures="限制",
        exit_conditions="整改",
    )
    lists.list_entry_link_responsible(
        actor=county_clerk, entry=entry, person=head, role="legal_representative"
    )
    assert [e.entry for e in archive.subject_archive(county_clerk, head).events] == [entry]
