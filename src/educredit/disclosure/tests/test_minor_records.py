"""A penalty decided while the person was a minor never goes out (Henan §3).

李小四 was born on 3 November 2008; a penalty decided on 2 November 2026 concerns a minor, one
decided on 3 November (his 18th birthday) an adult. The minor's decision opens no 双公示
decision, puts nothing in the outbox for the provincial platform and is no national row,
whether it is entered row by row or by the bulk import.
"""

from __future__ import annotations

from typing import Any

import pytest

from educredit.audit.models import AuditBulkMember
from educredit.disclosure import imports
from educredit.disclosure.models import Decision
from educredit.disclosure.tests.rows import penalty_row
from educredit.disclosure.tests.test_import import CODES, seed_catalog
from educredit.disclosure.tests.test_reporting import enter, make_effective
from educredit.exchange.models import OutboxItem
from educredit.records.models import CreditRecord
from educredit.subjects.tests.factories import make_institution, make_person, resident_id

pytestmark = pytest.mark.django_db

NUMBER = resident_id(88, born="20081103")


@pytest.fixture(autouse=True)
def _tasks_now(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def xiaosi(county: Any) -> Any:
    seed_catalog(county)
    school = make_institution(supervisor=county, name="中原区某某培训学校", serial=4288)
    return make_person(institution=school, name="李小四", number=NUMBER)


def person_row(decided: str, number: str) -> dict[str, str]:
    return penalty_row(
        CF_XDR_LB="自然人",
        CF_XDR_MC="李小四",
        CF_XDR_SHXYM="",
        CF_FRDB="",
        CF_XDR_ZJLX="身份证",
        CF_XDR_ZJHM=NUMBER,
        CF_WSH=f"郑中教罚〔2026〕{number}号",
        CF_JDRQ=decided,
        CF_YXQ="2027-11-02",
    )


def test_a_minors_penalty_is_never_reported_an_adults_is(xiaosi: Any, county_clerk: Any) -> None:
    minor, _ = enter("penalty", person_row("2026-11-02", "801"), county_clerk)
    minor = make_effective(minor, county_clerk)
    assert minor.made_while_minor
    assert not Decision.objects.filter(record=minor).exists()
    assert not OutboxItem.objects.exists()

    adult, _ = enter("penalty", person_row("2026-11-03", "802"), county_clerk)
    adult = make_effective(adult, county_clerk)
    assert not adult.made_while_minor
    assert Decision.objects.filter(record=adult).exists()
    assert OutboxItem.objects.count() == 1


def test_the_bulk_import_leaves_a_minors_row_to_the_services(
    xiaosi: Any, county_clerk: Any
) -> None:
    rows = [
        (2, [person_row("2026-11-02", "811").get(code, "") for code in CODES]),
        (3, [person_row("2026-11-03", "812").get(code, "") for code in CODES]),
    ]
    summary = imports.import_rows(
        actor=county_clerk, kind="penalty", header=CODES, rows=rows, bulk=True
    )
    assert (summary.ok, summary.failed) == (2, 0)
    minor = CreditRecord.objects.get(decision_number="郑中教罚〔2026〕811号")
    adult = CreditRecord.objects.get(decision_number="郑中教罚〔2026〕812号")
    assert minor.made_while_minor and not adult.made_while_minor
    # The adult's row went by COPY under the bulk entry; the minor's through the services.
    bulk = set(
        AuditBulkMember.objects.filter(entry__action="records.bulk_import").values_list(
            "target_pk", flat=True
        )
    )
    assert str(adult.pk) in bulk and str(minor.pk) not in bulk


def test_a_reported_decision_found_to_concern_a_minor_is_withdrawn_once(
    xiaosi: Any, county_clerk: Any
) -> None:
    """Entered on the birthday and reported; the decision date was wrong (the day before):
    the correction withdraws the row from the platform, and nothing later re-sends it."""
    import datetime as dt

    from educredit.records import services as records
    from educredit.records.tests.factories import make_reviewer

    record, _ = enter("penalty", person_row("2026-11-03", "821"), county_clerk)
    record = make_effective(record, county_clerk)
    assert OutboxItem.objects.get().operation == "add"
    reviewer = make_reviewer(organisation=county_clerk.organisation)
    record = records.credit_record_correct(
        actor=reviewer, record=record, reason="决定日期录错", decision_date=dt.date(2026, 11, 2)
    )
    assert record.made_while_minor
    assert list(OutboxItem.objects.order_by("pk").values_list("operation", flat=True)) == [
        "add",
        "revoke",
    ]
    records.credit_record_correct(actor=reviewer, record=record, reason="事由补充", title="更正")
    assert OutboxItem.objects.count() == 2
    assert Decision.objects.get(record=record).last_operation == "revoke"


def test_a_minors_decision_reported_before_the_flag_is_withdrawn_by_the_flagging_job(
    xiaosi: Any, county_clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from educredit.records import minors

    monkeypatch.setattr(minors, "record_made_while_minor", lambda record: False)
    record, _ = enter("penalty", person_row("2026-11-02", "831"), county_clerk)
    record = make_effective(record, county_clerk)  # as before the flag existed: reported
    monkeypatch.undo()
    assert OutboxItem.objects.get().operation == "add"
    assert minors.credit_record_minor_flags_apply(actor="system:test") == 1
    assert list(OutboxItem.objects.order_by("pk").values_list("operation", flat=True)) == [
        "add",
        "revoke",
    ]
