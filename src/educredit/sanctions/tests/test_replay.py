"""Replaying a check (ADR 0042): what a check answered comes back from its day and data version,
whatever the records, lists and restrictions have become since.

Checks go through ``screen`` and records through the records services, so the data version a
check logs and the history replay reads are the ones production writes.
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from educredit.catalog.choices import Severity
from educredit.core import clock
from educredit.records import lists
from educredit.records import services as record_services
from educredit.records.choices import CreditListKind
from educredit.sanctions import screening
from educredit.sanctions.models import ScreeningCheck
from educredit.sanctions.replay import ReplayUnavailableError, replay_check, verdict_at
from educredit.sanctions.tests.factories import TEACHER_NUMBER
from educredit.sanctions.tests.test_restrictions import _list, exam_record, revocation
from educredit.sanctions.versions import screening_data_version
from educredit.subjects.tests.factories import resident_id
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def systems(other_county: Any) -> tuple[Any, Any]:
    """A business system with the check scope, and one holding the details scope too."""
    plain, _ = make_api_client(
        organisation=other_county, name="政府采购系统", scopes=["sanctions:check"]
    )
    detailed, _ = make_api_client(
        organisation=other_county,
        name="教师资格认定系统",
        scopes=["sanctions:check", "sanctions:check_details"],
    )
    return plain, detailed


def check(caller: Any, scenario: str, *, day: datetime.date, **identifier: str) -> ScreeningCheck:
    answer = screening.screen(
        caller=caller,
        identifier=screening.identifier_from(**identifier),
        scenario=scenario,
        reference=f"RP-{scenario}",
        as_of=day,
    )
    return ScreeningCheck.objects.get(public_id=answer.check_id)


def teacher_id(**extra: str) -> dict[str, str]:
    return {"document_type": "resident_id", "document_number": TEACHER_NUMBER, **extra}


def test_a_check_replays_to_its_logged_answer_after_the_data_changed(
    shipped: Any,
    county_clerk: Any,
    reviewer: Any,
    teacher: Any,
    school: Any,
    systems: tuple[Any, Any],
) -> None:
    plain, detailed = systems
    today = clock.today()
    record = revocation(county_clerk, reviewer, teacher)
    entry = _list(
        county_clerk,
        reviewer,
        school,
        CreditListKind.SERIOUS,
        Severity.SERIOUS,
        datetime.date(2026, 4, 1),
    )
    earlier = [
        check(detailed, "teacher_qualification", day=today, **teacher_id(name="李老师")),
        check(plain, "government_procurement", day=today, uscc=school.uscc),
        check(detailed, "exam_registration", day=today, **teacher_id()),
        check(plain, "teacher_qualification", day=today, **teacher_id(name="王老师")),
        check(
            plain,
            "teacher_qualification",
            day=today,
            document_type="resident_id",
            document_number=resident_id(99),
        ),
    ]
    assert [c.verdict for c in earlier] == ["restricted", "restricted", "clear", "review", "clear"]
    assert all(c.data_version == screening_data_version() for c in earlier)

    # Afterwards: the record revoked, the school taken off the list, a new penalty …
    record_services.credit_record_revoke(actor=reviewer, record=record, reason="复议撤销")
    lists.list_entry_exit(actor=county_clerk, entry=entry, exited_on=today, exit_notice="已整改")
    cheating = exam_record(county_clerk, teacher, "作弊", today + datetime.timedelta(days=400))
    penalised = check(detailed, "exam_registration", day=today, **teacher_id())
    assert penalised.verdict == "restricted"
    assert penalised.measures[0]["basis"] == f"record:{cheating.public_id}"
    # … and that penalty corrected away (its restriction row deleted).
    record_services.credit_record_correct(
        actor=reviewer,
        record=cheating,
        reason="复核认定为违纪",
        payload={**cheating.payload, "violation_kind": "违纪"},
    )
    assert penalised.data_version < screening_data_version()

    for logged in [*earlier, penalised]:
        replayed = replay_check(logged)
        assert (replayed.verdict, replayed.measures) == (logged.verdict, logged.measures)
        assert replayed.same

    # Not vacuous: today's data answers differently for every check whose subject changed.
    now = screening_data_version()
    teacher_now = verdict_at(teacher, "teacher_qualification", today, now, details=True)
    assert teacher_now == ("clear", [])
    assert verdict_at(school, "government_procurement", today, now) == ("clear", [])
    assert verdict_at(teacher, "exam_registration", today, now) == ("clear", [])
    between = verdict_at(teacher, "exam_registration", today, penalised.data_version)
    assert between[0] == "restricted"


def test_replay_of_a_check_before_the_history_began_is_refused(
    shipped: Any, teacher: Any, systems: tuple[Any, Any]
) -> None:
    logged = check(systems[0], "teacher_qualification", day=clock.today(), **teacher_id())
    ScreeningCheck.objects.filter(pk=logged.pk).update(data_version=-1)
    logged.refresh_from_db()
    with pytest.raises(ReplayUnavailableError, match="predates"):
        replay_check(logged)


def test_replay_command_prints_both_answers(
    shipped: Any, county_clerk: Any, reviewer: Any, teacher: Any, systems: tuple[Any, Any]
) -> None:
    record = revocation(county_clerk, reviewer, teacher)
    logged = check(systems[1], "teacher_qualification", day=clock.today(), **teacher_id())
    record_services.credit_record_revoke(actor=reviewer, record=record, reason="复议撤销")

    out = StringIO()
    call_command("sanctions", "replay", str(logged.public_id), stdout=out)
    text = out.getvalue()
    assert f"数据版本 / data version {logged.data_version}" in text
    assert "记录的结论 / logged: restricted" in text
    assert "复现的结论 / replayed: restricted" in text
    assert logged.measures[0]["code"] in text
    assert "一致 / same" in text

    with pytest.raises(CommandError, match="没有核查记录"):
        call_command("sanctions", "replay", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(CommandError, match="没有核查记录"):
        call_command("sanctions", "replay", "not-a-uuid")
