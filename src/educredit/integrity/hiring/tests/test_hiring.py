"""入职查询: a school checks a candidate (the restriction list, ethics bans, the teacher
qualification) and records the separate statutory check; the yearly re-check of its staff.

Personas: 一小录入员 (``school_clerk``, the school's own clerk), 中原录入员 (``county_clerk``,
the county bureau that supervises the school), 金水录入员 (``outsider``, another county).
"""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from educredit.core.clock import today
from educredit.integrity.hiring import selectors
from educredit.integrity.hiring.choices import HiringCheckPurpose, StatutoryOutcome
from educredit.integrity.hiring.models import HiringCheck
from educredit.integrity.hiring.services import hiring_check_record_statutory
from educredit.integrity.hiring.tests.factories import (
    DECISION,
    PDF,
    check_by_number,
    check_of,
    ethics,
    loss,
    pdf,
    revocation,
    school_of,
)
from educredit.records.tests.factories import make_reviewer
from educredit.records.windows import add_months
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.tests.factories import shipped_measure_list
from educredit.subjects.choices import AffiliationRole
from educredit.subjects.models import Institution, Person, SubjectQueryLog
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.factories import make_api_client
from educredit.web.todo import todo_items

pytestmark = pytest.mark.django_db

REAPPLY = add_months(DECISION, 60)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(county, county_school, school_clerk, county_clerk):
    """The shipped measure list, 中原区第一小学 with its own account, a reviewer."""
    shipped_measure_list()
    school = school_of(county_school, name="中原区第一小学", serial=501)
    return {"school": school, "reviewer": make_reviewer(organisation=county)}


def _teacher(
    school: Institution,
    name: str = "王老师",
    serial: int = 101,
    role: str = AffiliationRole.TEACHER,
) -> Person:
    return make_person(institution=school, name=name, number=resident_id(serial), role=role)


def test_a_revoked_teacher_is_restricted_until_the_reapply_day_and_clear_on_it(
    world, school_clerk, county_clerk
):
    school = world["school"]
    teacher = _teacher(school)
    revocation(county_clerk, world["reviewer"], teacher)

    before = check_of(school_clerk, school, teacher, as_of=REAPPLY - DAY)
    assert before.verdict == "restricted"
    standing = selectors.standing_of(before)
    assert standing.qualification == "revoked"
    assert standing.revoked_until == REAPPLY
    [measure] = before.measures
    assert measure["code"] == "JY-CJ-027"
    assert "第十九条" in measure["legal_basis"]
    assert measure["ends_on"] == REAPPLY.isoformat()

    on_the_day = check_of(school_clerk, school, teacher, as_of=REAPPLY)
    assert on_the_day.verdict == "clear"
    assert selectors.standing_of(on_the_day).qualification == "none"


def test_a_lost_qualification_is_restricted_forever(world, school_clerk, county_clerk):
    school = world["school"]
    teacher = _teacher(school)
    loss(county_clerk, world["reviewer"], teacher)

    much_later = check_of(school_clerk, school, teacher, as_of=datetime.date(2080, 1, 1))
    assert much_later.verdict == "restricted"
    assert selectors.standing_of(much_later).qualification == "lost"
    assert much_later.measures[0]["ends_on"] is None


def test_ethics_dismissal_restricts_and_a_disqualification_in_force_asks_for_review(
    world, school_clerk, county_clerk
):
    school = world["school"]
    dismissed = _teacher(school, "开除者", 103)
    ethics(county_clerk, world["reviewer"], dismissed, handling="开除")
    disqualified = _teacher(school, "记过者", 105)
    until = datetime.date(2028, 9, 1)
    ethics(
        county_clerk,
        world["reviewer"],
        disqualified,
        handling="记过",
        disqualification="岗位聘用、职称评定",
        disqualified_until=until.isoformat(),
    )
    warned = _teacher(school, "批评者", 107)
    ethics(county_clerk, world["reviewer"], warned, handling="批评教育")
    day = datetime.date(2026, 6, 1)

    first = check_of(school_clerk, school, dismissed, as_of=day)
    assert first.verdict == "restricted"
    assert [m["code"] for m in selectors.standing_of(first).ethics] == ["JY-CJ-029"]

    second = check_of(school_clerk, school, disqualified, as_of=day)
    assert second.verdict == "review"
    [ban] = selectors.standing_of(second).ethics
    assert ban["code"] == "JY-CJ-030"
    assert ban["ends_on"] == until.isoformat()
    assert check_of(school_clerk, school, disqualified, as_of=until).verdict == "clear"

    assert check_of(school_clerk, school, warned, as_of=day).verdict == "clear"


def test_a_clean_candidate_is_clear_and_an_unknown_one_is_registered_with_no_record(
    world, school_clerk, county_clerk
):
    school = world["school"]
    other_school = make_institution(supervisor=county_clerk.organisation, name="二小", serial=502)
    clean = _teacher(other_school, "清白者", 109)

    known = check_by_number(school_clerk, school, name="清白者", number=resident_id(109))
    assert (known.verdict, known.subject_found, known.person) == ("clear", True, clean)

    number = resident_id(111)
    unknown = check_by_number(school_clerk, school, name="新应聘者", number=number)
    assert (unknown.verdict, unknown.subject_found) == ("clear", False)
    assert unknown.person.name == "新应聘者"
    assert unknown.person.id_number_masked != number
    assert Person.objects.filter(pk=unknown.person.pk).count() == 1


def test_each_check_is_logged_as_a_screening_check_and_its_page_in_the_query_log(
    client, world, school_clerk, county_clerk
):
    school = world["school"]
    teacher = _teacher(school)
    revocation(county_clerk, world["reviewer"], teacher)
    client.force_login(school_clerk)

    number = resident_id(101)
    response = client.post(
        reverse("integrity_hiring:new"),
        {
            "school": str(school.public_id),
            "purpose": HiringCheckPurpose.HIRING,
            "name": "王老师",
            "document_type": "resident_id",
            "document_number": number,
        },
    )
    assert response.status_code == 302
    check = HiringCheck.objects.get()
    logged = ScreeningCheck.objects.get(public_id=check.screening_check)
    assert (logged.scenario, logged.person, logged.user) == ("staff_hiring", teacher, school_clerk)
    assert logged.verdict == check.verdict == "restricted"

    reads = SubjectQueryLog.objects.filter(person=teacher).count()
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert number not in body and teacher.id_number_masked in body
    assert "JY-CJ-027" in body
    assert SubjectQueryLog.objects.filter(person=teacher).count() == reads + 1


def test_a_refused_identifier_writes_nothing(client, world, school_clerk):
    client.force_login(school_clerk)
    response = client.post(
        reverse("integrity_hiring:new"),
        {
            "school": str(world["school"].public_id),
            "purpose": HiringCheckPurpose.HIRING,
            "name": "错号者",
            "document_type": "resident_id",
            "document_number": "410102198001011234",
        },
    )
    assert response.status_code == 400
    assert not HiringCheck.objects.exists()
    assert not ScreeningCheck.objects.exists()


def test_the_statutory_record_with_its_attachment_completes_the_check(client, world, school_clerk):
    school = world["school"]
    check = check_of(school_clerk, school, _teacher(school))
    assert not check.complete
    client.force_login(school_clerk)
    response = client.post(
        reverse("integrity_hiring:statutory", args=[check.public_id]),
        {
            "checked_by": "一小人事干部",
            "checked_on": today().isoformat(),
            "outcome": StatutoryOutcome.NOT_FOUND,
            "reference": "XQ-2026-001",
            "attachment": SimpleUploadedFile("result.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.complete
    assert (check.statutory_checked_by, check.statutory_reference) == (
        "一小人事干部",
        "XQ-2026-001",
    )
    assert len(check.statutory_attachment_sha256) == 64

    reads = SubjectQueryLog.objects.filter(person=check.person).count()
    download = client.get(reverse("integrity_hiring:attachment", args=[check.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert SubjectQueryLog.objects.filter(person=check.person).count() == reads + 1

    with pytest.raises(ValidationError):
        hiring_check_record_statutory(
            actor=school_clerk,
            check=check,
            checked_by="另一人",
            checked_on=today(),
            outcome=StatutoryOutcome.FOUND,
            attachment=pdf(),
        )


def test_a_bad_file_or_a_future_date_is_refused_and_nothing_is_written(world, school_clerk):
    school = world["school"]
    check = check_of(school_clerk, school, _teacher(school))
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "result.pdf"
    with pytest.raises(ValidationError) as refused:
        hiring_check_record_statutory(
            actor=school_clerk,
            check=check,
            checked_by="一小人事干部",
            checked_on=today(),
            outcome=StatutoryOutcome.NOT_FOUND,
            attachment=fake,
        )
    assert "attachment" in refused.value.message_dict
    with pytest.raises(ValidationError) as future:
        hiring_check_record_statutory(
            actor=school_clerk,
            check=check,
            checked_by="一小人事干部",
            checked_on=today() + DAY,
            outcome=StatutoryOutcome.NOT_FOUND,
            attachment=pdf(),
        )
    assert "checked_on" in future.value.message_dict
    check.refresh_from_db()
    assert (check.statutory_outcome, check.complete, check.statutory_attachment.name) == (
        "",
        False,
        "",
    )


def test_an_unfinished_statutory_check_leaves_the_check_incomplete(world, school_clerk):
    school = world["school"]
    check = check_of(school_clerk, school, _teacher(school))
    hiring_check_record_statutory(
        actor=school_clerk,
        check=check,
        checked_by="一小人事干部",
        checked_on=today(),
        outcome=StatutoryOutcome.INCOMPLETE,
    )
    check.refresh_from_db()
    assert not check.complete
    hiring_check_record_statutory(
        actor=school_clerk,
        check=check,
        checked_by="一小人事干部",
        checked_on=today(),
        outcome=StatutoryOutcome.NOT_FOUND,
        attachment=pdf(),
    )
    check.refresh_from_db()
    assert check.complete


def _complete(
    actor: Any, school: Institution, person: Person, *, as_of: datetime.date | None = None
) -> HiringCheck:
    check = check_of(actor, school, person, purpose=HiringCheckPurpose.ANNUAL, as_of=as_of)
    return hiring_check_record_statutory(
        actor=actor,
        check=check,
        checked_by="一小人事干部",
        checked_on=as_of or today(),
        outcome=StatutoryOutcome.NOT_FOUND,
        attachment=pdf(),
    )


def test_the_recheck_list_drops_staff_checked_this_year_only(client, world, school_clerk):
    school = world["school"]
    this_year = _teacher(school, "今年查过", 113)
    last_year = _teacher(school, "去年查过", 115)
    never = _teacher(school, "从未查过", 117, role=AffiliationRole.STAFF)
    _teacher(school, "在读学生", 119, role=AffiliationRole.STUDENT)
    _complete(school_clerk, school, this_year)
    _complete(school_clerk, school, last_year, as_of=datetime.date(today().year - 1, 6, 1))

    client.force_login(school_clerk)
    response = client.get(reverse("integrity_hiring:recheck"))
    assert response.status_code == 200
    listed = {a.person for a in response.context["page"].object_list}
    assert listed == {last_year, never}
    counts = response.context["counts"]
    assert (counts.staff, counts.checked, counts.due) == (3, 1, 2)
    body = response.content.decode()
    assert f"person={never.public_id}" in body  # the row's button starts the check

    staff_only = client.get(reverse("integrity_hiring:recheck"), {"role": AffiliationRole.STAFF})
    assert {a.person for a in staff_only.context["page"].object_list} == {never}

    export = client.get(reverse("integrity_hiring:recheck"), {"export": "xlsx"})
    assert export.status_code == 200
    with zipfile.ZipFile(io.BytesIO(export.content)) as book:
        text = "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    assert "从未查过" in text and "今年查过" not in text

    start = client.get(
        reverse("integrity_hiring:new"),
        {"person": never.public_id, "school": school.public_id, "purpose": "annual"},
    )
    assert start.status_code == 200
    assert never.id_number_masked in start.content.decode()


def test_the_school_is_reminded_after_the_due_day(rf, world, school_clerk, settings, monkeypatch):
    school = world["school"]
    _teacher(school, "待复查", 121)
    settings.EDUCREDIT_HIRING_RECHECK_DUE = "09-30"
    request = rf.get("/workspace/")
    request.user = school_clerk
    monkeypatch.setattr(selectors, "today", lambda: datetime.date(today().year, 9, 30))
    assert not [i for i in todo_items(request) if "recheck" in i.url]
    monkeypatch.setattr(selectors, "today", lambda: datetime.date(today().year, 10, 1))
    [item] = [i for i in todo_items(request) if "recheck" in i.url]
    assert item.count == 1


def test_another_countys_school_cannot_see_the_checks(client, world, school_clerk, outsider):
    school = world["school"]
    check = check_of(school_clerk, school, _teacher(school))
    client.force_login(outsider)
    assert client.get(reverse("integrity_hiring:detail", args=[check.public_id])).status_code == 404
    listing = client.get(reverse("integrity_hiring:list"))
    assert listing.status_code == 200
    assert not list(listing.context["page"].object_list)
    recheck = client.get(reverse("integrity_hiring:recheck"))
    assert not list(recheck.context["page"].object_list)
    with pytest.raises(Exception, match="无权"):
        check_of(outsider, school, check.person)


def test_business_systems_get_the_answer_from_the_check_endpoint(world, county, county_clerk):
    teacher = _teacher(world["school"])
    revocation(county_clerk, world["reviewer"], teacher)
    _client, key = make_api_client(organisation=county, scopes=["sanctions:check"])
    from django.test import Client

    answer = Client().post(
        "/api/sanctions/check",
        {
            "document_type": "resident_id",
            "document_number": resident_id(101),
            "name": "王老师",
            "scenario": "staff_hiring",
            "reference": "HR-2026-01",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert answer.status_code == 200
    assert answer.json()["verdict"] == "restricted"


def test_a_row_of_the_recheck_list_starts_that_persons_check(client, world, school_clerk):
    school = world["school"]
    member = _teacher(school, "在职者", 123)
    client.force_login(school_clerk)
    response = client.post(
        reverse("integrity_hiring:new"),
        {"person": str(member.public_id), "school": str(school.public_id), "purpose": "annual"},
    )
    assert response.status_code == 302
    check = HiringCheck.objects.get()
    assert (check.person, check.purpose, check.verdict) == (member, "annual", "clear")
    hiring_check_record_statutory(
        actor=school_clerk,
        check=check,
        checked_by="一小人事干部",
        checked_on=today(),
        outcome=StatutoryOutcome.FOUND,
        attachment=pdf(),
    )
    recheck = client.get(reverse("integrity_hiring:recheck"))
    assert member not in {a.person for a in recheck.context["page"].object_list}


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_pages_cost_the_same_for_one_row_or_many(client, world, school_clerk):
    school = world["school"]
    client.force_login(school_clerk)
    people = [_teacher(school, f"教师{n}", 131 + 2 * n) for n in range(4)]
    check_of(school_clerk, school, people[0])
    checks, due = reverse("integrity_hiring:list"), reverse("integrity_hiring:recheck")
    one_check, many_due = _queries(client, checks), _queries(client, due)
    for person in people[1:]:
        _complete(school_clerk, school, person)
    assert _queries(client, checks) == one_check
    assert _queries(client, due) == many_due
