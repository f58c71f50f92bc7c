"""The veto through the real screening API: a teacher graded 不合格 is restricted in 年度考核,
职称评定, 评奖评优 and 人才计划; a 合格 colleague is clear."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from educredit.core import clock
from educredit.integrity.appraisal import services
from educredit.integrity.appraisal.tests.conftest import COLLEAGUE_NUMBER, TEACHER_NUMBER
from educredit.records.windows import add_months
from educredit.sanctions import data
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db

VETO_SCENARIOS = ("annual_appraisal", "title_evaluation", "awards_honours", "talent_programme")


def _approved(clerk: Any, reviewer: Any, teacher: Any, grade: str, remarks: str = "") -> Any:
    appraisal = services.ethics_appraisal_enter(
        actor=clerk, teacher=teacher, year=clock.today().year - 1, grade=grade, remarks=remarks
    )
    services.ethics_appraisal_submit(actor=clerk, appraisal=appraisal)
    return services.ethics_appraisal_approve(actor=reviewer, appraisal=appraisal)


def _check(key: str, number: str, scenario: str) -> Any:
    response = Client().post(
        "/api/sanctions/check",
        {
            "document_type": "resident_id",
            "document_number": number,
            "scenario": scenario,
            "reference": "ZC-2026-0042",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_shipped_veto_is_one_measure_on_the_four_scenarios():
    veto = [m for m in data.VERSION_1_MEASURES if "JY-SD-01" in m["trigger_items"]]
    assert len(veto) == 1
    assert veto[0]["trigger_where"] == {"grade": ["不合格"]}
    assert set(veto[0]["scenarios"]) == set(VETO_SCENARIOS)
    assert "annual_appraisal" in {code for code, *_rest in data.SCENARIOS}


def test_an_unqualified_teacher_is_restricted_and_a_qualified_one_clear(
    county, school_clerk, county_reviewer, teacher, colleague
):
    _approved(school_clerk, county_reviewer, teacher, "不合格", "侮辱学生，经调查属实")
    _approved(school_clerk, county_reviewer, colleague, "合格")
    _client, key = make_api_client(
        organisation=county, name="中原区职称评审系统", scopes=["sanctions:check"]
    )
    for scenario in VETO_SCENARIOS:
        answer = _check(key, TEACHER_NUMBER, scenario)
        assert answer["verdict"] == "restricted", (scenario, answer)
        veto = next(m for m in data.VERSION_1_MEASURES if "JY-SD-01" in m["trigger_items"])
        assert veto["code"] in [m["code"] for m in answer["measures"]], answer
        assert _check(key, COLLEAGUE_NUMBER, scenario)["verdict"] == "clear", scenario
    # Outside the veto's scenarios the grade restricts nothing.
    assert _check(key, TEACHER_NUMBER, "student_aid")["verdict"] == "clear"


def test_the_veto_lifts_twelve_months_after_the_grade_took_effect(
    county, school_clerk, county_reviewer, teacher
):
    appraisal = _approved(school_clerk, county_reviewer, teacher, "不合格", "体罚学生，经调查属实")
    appraisal.refresh_from_db()
    record = appraisal.credit_record
    assert record is not None
    lifts = add_months(record.decision_date, 12)
    _client, key = make_api_client(
        organisation=county, name="中原区职称评审系统", scopes=["sanctions:check"]
    )

    def on(day: dt.date) -> str:
        response = Client().post(
            "/api/sanctions/check",
            {
                "document_type": "resident_id",
                "document_number": TEACHER_NUMBER,
                "scenario": "title_evaluation",
                "reference": "ZC-2027-0001",
                "as_of": day.isoformat(),
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 200, response.content
        return str(response.json()["verdict"])

    assert on(record.decision_date) == "restricted"
    assert on(lifts - dt.timedelta(days=1)) == "restricted"
    assert on(lifts) == "clear"
