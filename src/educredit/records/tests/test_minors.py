"""A record made while its person was a minor stays closed for good (Henan §3).

小明 was born on 10 June 2008: his 18th birthday was 10 June 2026. His school, 中原区第一小学,
recorded a false aid application decided on 9 June 2026 (the day before: a minor's record)
and another decided on 10 June 2026 (the birthday: an adult's record). He is 18 now, and the
first record still never reaches the portal, a business system's check, the provincial
platform or a list; only his school and the authorities above it (中原区, 郑州, the province)
see it — not a sibling school nor another county where he studied too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from educredit.accounts.choices import OrganisationKind, UserRole
from educredit.audit.verification import verify_audit_log
from educredit.catalog.choices import DisclosureMode, InfoCategory, SubjectType
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.portal import selectors as portal
from educredit.records import lists, minors, selectors
from educredit.records.choices import CreditListKind
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.models import CreditRecord
from educredit.records.tests.factories import make_catalog_item, make_record, make_reviewer
from educredit.sanctions.models import Restriction
from educredit.sanctions.selectors import verdict_for
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.services import affiliation_add
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

BORN = "20080610"
BEFORE_18 = dt.date(2026, 6, 9)
ON_18 = dt.date(2026, 6, 10)
AID_PAYLOAD = {
    "aid_type": "国家助学金",
    "amount": "3000",
    "means": "伪造家庭经济困难证明",
    "handling": "取消资助资格，追回资金",
}


@pytest.fixture
def school(county_school: Any) -> Any:
    """中原区第一小学 as a credit subject (its own organisation records about its pupils)."""
    return make_institution(supervisor=county_school, name="中原区第一小学本校", serial=6101)


@pytest.fixture
def xiaoming(school: Any) -> Any:
    return make_person(
        institution=school,
        name="王小明",
        number=resident_id(61, born=BORN),
        role=AffiliationRole.STUDENT,
    )


@pytest.fixture
def sibling_school_clerk(county: Any, xiaoming: Any) -> Any:
    """A clerk of 中原区第二小学, where 小明 also studied (so he is one of its people)."""
    sibling = make_organisation(
        parent=county, name="中原区第二小学", kind=OrganisationKind.SCHOOL, region_code="410102"
    )
    other = make_institution(supervisor=sibling, name="中原区第二小学本校", serial=6102)
    affiliation_add(
        actor="system:test", person=xiaoming, institution=other, role=AffiliationRole.STUDENT
    )
    return make_user(organisation=sibling, username="zy2x.clerk", roles=[UserRole.CLERK])


@pytest.fixture
def sibling_county_clerk(outsider: Any, other_county: Any, xiaoming: Any) -> Any:
    """金水区's clerk, where 小明 studied before (so he is one of its people too)."""
    other = make_institution(supervisor=other_county, name="金水区某中学", serial=6103)
    affiliation_add(
        actor="system:test", person=xiaoming, institution=other, role=AffiliationRole.STUDENT
    )
    return outsider


def aid_record(school_clerk: Any, person: Any, decided: dt.date, **extra: Any) -> CreditRecord:
    """骗取学生资助 (JY-ZZ-01, shipped) entered by the school and approved by its reviewer."""
    return make_record(
        actor=school_clerk,
        reviewer=make_reviewer(organisation=school_clerk.organisation),
        catalog_item=CatalogItem.objects.get(code="JY-ZZ-01"),
        person=person,
        title="虚报家庭经济困难骗取国家助学金",
        issuing_body="中原区第一小学",
        decision_date=decided,
        payload=AID_PAYLOAD,
        status=S.EFFECTIVE,
        **extra,
    )


def public_penalty_item() -> CatalogItem:
    """A publicly disclosed penalty item on persons (so an adult's record is on the portal)."""
    return make_catalog_item(
        subject_type=SubjectType.PERSON,
        category=InfoCategory.PENALTY,
        disclosure_mode=DisclosureMode.PUBLIC,
        reportable=False,
    )


# --- the flag at the boundary ---------------------------------------------------------------


def test_the_day_before_the_18th_birthday_is_a_minors_record_the_birthday_an_adults(
    shipped: Any, school_clerk: Any, xiaoming: Any
) -> None:
    assert minors.decided_while_minor(dt.date(2008, 6, 10), BEFORE_18)
    assert not minors.decided_while_minor(dt.date(2008, 6, 10), ON_18)
    assert not minors.decided_while_minor(None, BEFORE_18)  # unknown birth date: not a minor
    before = aid_record(school_clerk, xiaoming, BEFORE_18)
    on = aid_record(school_clerk, xiaoming, ON_18)
    assert before.made_while_minor and not on.made_while_minor
    assert not before.is_reportable and not before.may_ground_punishment
    assert on.may_ground_punishment
    assert verify_audit_log().ok


def test_a_corrected_decision_date_moves_the_flag(
    shipped: Any, school_clerk: Any, xiaoming: Any
) -> None:
    from educredit.records import services

    record = aid_record(school_clerk, xiaoming, ON_18)
    reviewer = make_reviewer(organisation=school_clerk.organisation)
    record = services.credit_record_correct(
        actor=reviewer, record=record, reason="决定日期录错", decision_date=BEFORE_18
    )
    assert record.made_while_minor
    assert not Restriction.objects.filter(basis_record=record).exists()


# --- the portal ----------------------------------------------------------------------------


def test_the_portal_never_shows_a_minors_record_after_18(
    school_clerk: Any, xiaoming: Any, county_school: Any
) -> None:
    item = public_penalty_item()
    closed = make_record(
        actor=school_clerk,
        catalog_item=item,
        person=xiaoming,
        decision_date=BEFORE_18,
        status=S.EFFECTIVE,
        reviewer=make_reviewer(organisation=county_school),
    )
    shown = make_record(
        actor=school_clerk,
        catalog_item=item,
        person=xiaoming,
        decision_date=ON_18,
        status=S.EFFECTIVE,
        reviewer=make_reviewer(organisation=county_school),
    )
    on = today()
    assert portal.is_adult(xiaoming, on=on)  # 18 now
    public = set(portal.person_public_records(xiaoming, on).values_list("pk", flat=True))
    assert shown.pk in public and closed.pk not in public
    assert not CreditRecord.objects.filter(portal.public_records_q(on), pk=closed.pk).exists()
    # And in ten years' time all the same.
    later = on.replace(year=on.year + 10)
    assert closed.pk not in set(portal.public_records(later).values_list("pk", flat=True))


# --- screening ------------------------------------------------------------------------------


def test_no_business_system_screens_on_a_minors_record(
    shipped: Any, school_clerk: Any, xiaoming: Any
) -> None:
    closed = aid_record(school_clerk, xiaoming, BEFORE_18)
    assert not Restriction.objects.filter(basis_record=closed).exists()
    assert verdict_for(xiaoming, scenario="student_aid", as_of=today()).verdict == "clear"
    adult = aid_record(school_clerk, xiaoming, ON_18)
    assert Restriction.objects.filter(basis_record=adult).exists()
    screening = verdict_for(xiaoming, scenario="student_aid", as_of=today())
    assert screening.verdict == "restricted"
    assert {row.basis_record_id for row in screening.restrictions} == {adult.pk}


def test_rows_entered_before_the_flag_are_flagged_by_the_audited_job(
    shipped: Any, school_clerk: Any, xiaoming: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows audited before the column existed verify at False; the job flags them, audited,
    and the restriction writer drops what they grounded, in the same transaction."""
    monkeypatch.setattr(minors, "record_made_while_minor", lambda record: False)
    old = aid_record(school_clerk, xiaoming, BEFORE_18)
    adult = aid_record(school_clerk, xiaoming, ON_18)
    monkeypatch.undo()
    assert not old.made_while_minor
    assert Restriction.objects.filter(basis_record=old).exists()
    assert verify_audit_log().ok

    assert minors.credit_record_minor_flags_apply(actor="system:test") == 1
    old.refresh_from_db()
    adult.refresh_from_db()
    assert old.made_while_minor and not adult.made_while_minor
    assert not Restriction.objects.filter(basis_record=old).exists()
    assert Restriction.objects.filter(basis_record=adult).exists()
    assert minors.credit_record_minor_flags_apply(actor="system:test") == 0  # idempotent
    assert verify_audit_log().ok


# --- staff: the school and the authorities above it only ---------------------------------------


def test_only_the_school_and_the_authorities_above_it_see_a_minors_record(
    shipped: Any,
    school_clerk: Any,
    xiaoming: Any,
    county_admin: Any,
    city_reviewer: Any,
    province_admin: Any,
    sibling_school_clerk: Any,
    sibling_county_clerk: Any,
    client: Any,
) -> None:
    closed = aid_record(school_clerk, xiaoming, BEFORE_18)
    adult = aid_record(school_clerk, xiaoming, ON_18)
    for reader in (school_clerk, county_admin, city_reviewer, province_admin):
        assert selectors.access_credit_record_for_user(reader, closed.public_id) == closed
    for reader in (sibling_school_clerk, sibling_county_clerk):
        visible = set(selectors.credit_records_visible_to(reader).values_list("pk", flat=True))
        # Both see 小明's adult record (he is one of their people), never the minor's.
        assert adult.pk in visible and closed.pk not in visible
        with pytest.raises(Http404):
            selectors.access_credit_record_for_user(reader, closed.public_id)
        client.force_login(reader)
        assert client.get(f"/records/{closed.public_id}/").status_code == 404
    client.force_login(county_admin)
    page = client.get(f"/records/{closed.public_id}/")
    assert page.status_code == 200 and "未满十八周岁" in page.content.decode()
    assert "未满十八周岁" not in client.get(f"/records/{adult.public_id}/").content.decode()


# --- lists ----------------------------------------------------------------------------------


def test_a_minors_record_grounds_no_list_entry(
    shipped: Any, school_clerk: Any, xiaoming: Any, county_clerk: Any
) -> None:
    closed = aid_record(school_clerk, xiaoming, BEFORE_18)
    assert closed not in lists.basis_record_candidates(county_clerk, CreditListKind.FOCUS, xiaoming)
    with pytest.raises(lists.ListEntryError) as refused:
        lists.list_entry_propose(
            actor=county_clerk,
            kind=CreditListKind.FOCUS,
            subject=xiaoming,
            basis_records=[closed],
            reason="骗取资助",
            legal_basis="《河南省社会信用条例》",
            measures="重点关注",
            exit_conditions="退还资金",
        )
    assert "未成年" in refused.value.message


@pytest.fixture
def shipped(db: Any) -> Any:
    return shipped_measure_list()


# --- repair ---------------------------------------------------------------------------------


def test_a_minors_record_does_not_count_as_a_repeat_against_the_adult(
    shipped: Any, school_clerk: Any, xiaoming: Any, settings: Any
) -> None:
    """Repeated offences bar repair (屡犯不改); what 小明 did as a minor is not one of them."""
    from educredit.rights.repair import repair_eligibility

    settings.EDUCREDIT_REPAIR_REPEAT_LIMIT = 1
    aid_record(school_clerk, xiaoming, BEFORE_18)
    adult = aid_record(school_clerk, xiaoming, ON_18)
    repeat = next(
        c for c in repair_eligibility(adult, as_of=today()).conditions if c.key == "repeat"
    )
    assert repeat.met
