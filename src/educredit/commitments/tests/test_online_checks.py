"""网络核验 decides a commitment's clause from the records the platform holds, with evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.catalog.tests.factories import shipped_item
from educredit.commitments.checks.online import (
    DEADLINE_MET,
    LICENCE_MUST_EXIST,
    NO_RECORD_OF_ITEMS,
    OnlineCheckError,
    clause_problems,
    online_check,
)
from educredit.records import services as records
from educredit.records.choices import CreditRecordStatus as S
from educredit.records.tests.factories import make_record, make_reviewer
from educredit.subjects.tests.factories import make_institution

pytestmark = pytest.mark.django_db

MADE = dt.date(2026, 3, 2)
DUE = dt.date(2026, 3, 30)


@pytest.fixture
def school(county: Any) -> Any:
    return make_institution(supervisor=county, name="郑州市中原区明理学校", serial=4101)


def _licence(clerk: Any, school: Any, decided: dt.date, content: str, **kw: Any) -> Any:
    return make_record(
        actor=clerk,
        catalog_item=shipped_item("JY-XK-01"),
        institution=school,
        status=kw.pop("status", S.EFFECTIVE),
        title="民办学校办学许可证变更",
        decision_date=decided,
        payload={
            "licence_category": "普通",
            "licence_content": content,
            "valid_from": decided.isoformat(),
            "valid_until": "2031-03-01",
        },
        **kw,
    )


def _check(clause: str, school: Any, **params: Any) -> Any:
    return online_check(clause=clause, params=params, institution=school, made_on=MADE, due_on=DUE)


def test_the_promised_licence_missing_by_the_due_day_is_a_breach(
    county_clerk: Any, school: Any
) -> None:
    result = _check(LICENCE_MUST_EXIST, school, contains="办学地址变更")
    assert not result.kept and result.evidence == ()
    assert "2026-03-30" in result.finding.zh and "办学地址变更" in result.finding.zh
    # A licence before the commitment, or after the due day, does not keep it.
    _licence(county_clerk, school, MADE - dt.timedelta(days=1), "办学地址变更")
    _licence(county_clerk, school, DUE + dt.timedelta(days=1), "办学地址变更")
    assert not _check(LICENCE_MUST_EXIST, school, contains="办学地址变更").kept


def test_the_licence_obtained_in_time_keeps_it_with_the_record_as_evidence(
    county_clerk: Any, school: Any
) -> None:
    other = _licence(county_clerk, school, MADE + dt.timedelta(days=3), "增设培训项目")
    licence = _licence(county_clerk, school, DUE, "办学地址变更为中原区建设路 8 号")
    result = _check(LICENCE_MUST_EXIST, school, contains="办学地址变更")
    assert result.kept and result.evidence == (str(licence.public_id),)
    assert "2026-03-30" in result.finding.zh
    # Without ``contains``, any licence of the period keeps it; both are evidence.
    assert _check(LICENCE_MUST_EXIST, school).evidence == (
        str(other.public_id),
        str(licence.public_id),
    )


def test_a_revoked_licence_proves_nothing(county_clerk: Any, school: Any) -> None:
    licence = _licence(county_clerk, school, MADE, "办学地址变更")
    assert _check(LICENCE_MUST_EXIST, school).kept
    reviewer = make_reviewer(organisation=county_clerk.organisation)
    records.credit_record_revoke(actor=reviewer, record=licence, reason="许可被依法撤销")
    assert not _check(LICENCE_MUST_EXIST, school).kept


def test_a_penalty_in_the_period_breaks_a_no_record_clause(county_clerk: Any, school: Any) -> None:
    clause = {"items": ["JY-CF-02"]}
    assert _check(NO_RECORD_OF_ITEMS, school, **clause).kept
    penalty = make_record(
        actor=county_clerk,
        catalog_item=shipped_item("JY-CF-02"),
        institution=school,
        status=S.EFFECTIVE,
        decision_date=MADE + dt.timedelta(days=10),
        decision_number="郑中教罚〔2026〕31号",
        payload={
            "violation_type": "超出许可范围办学",
            "violation_facts": "经查，超出许可范围招生。",
            "valid_until": "2027-03-12",
            "penalty_content": "警告",
            "penalty_category": "警告",
            "penalty_basis": "《民办教育促进法》第六十二条",
        },
    )
    result = _check(NO_RECORD_OF_ITEMS, school, **clause)
    assert not result.kept and result.evidence == (str(penalty.public_id),)
    assert "郑中教罚〔2026〕31号" in result.finding.zh


def test_a_deadline_is_met_by_a_record_of_the_items_by_the_due_day(
    county_clerk: Any, school: Any
) -> None:
    assert not _check(DEADLINE_MET, school, items=["JY-XK-01"]).kept
    _licence(county_clerk, school, DUE - dt.timedelta(days=1), "年检合格")
    assert _check(DEADLINE_MET, school, items=["JY-XK-01"]).kept


@pytest.mark.parametrize(
    ("clause", "params"),
    [
        ("licence_shown", {}),
        (NO_RECORD_OF_ITEMS, {}),
        (DEADLINE_MET, {"items": "JY-XK-01"}),
        (LICENCE_MUST_EXIST, {"contains": 3}),
    ],
)
def test_a_clause_that_cannot_be_checked_is_refused(
    school: Any, clause: str, params: dict[str, Any]
) -> None:
    assert clause_problems(clause, params)
    with pytest.raises(OnlineCheckError):
        _check(clause, school, **params)
