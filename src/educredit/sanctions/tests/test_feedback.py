"""Feedback (反馈) on a hit: POST /api/sanctions/checks/{id}/feedback, and overdue hits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from educredit.audit.models import AuditEntry
from educredit.audit.verification import verify_audit_log
from educredit.core import clock
from educredit.sanctions.feedback import overdue_cutoff, overdue_hits
from educredit.sanctions.models import CheckFeedback, ScreeningCheck
from educredit.sanctions.tests.conftest import run_check
from educredit.testing.factories import make_api_client

pytestmark = pytest.mark.django_db


def feedback_url(check_id: str) -> str:
    return f"/api/sanctions/checks/{check_id}/feedback"


def report(client: Any, headers: dict[str, str], check_id: str, **body: Any) -> Any:
    return client.post(feedback_url(check_id), body, content_type="application/json", **headers)


@pytest.fixture
def hit(client: Any, loop_teacher: Any, checker: Any) -> str:
    response = run_check(client, checker.headers)
    assert response.json()["verdict"] == "restricted", response.content
    return str(response.json()["check_id"])


def test_the_checking_client_reports_and_the_report_is_audited(
    client: Any, hit: str, checker: Any
) -> None:
    response = report(client, checker.headers, hit, outcome="refused")
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == "refused"
    assert response.json()["corrected_at"] is None
    feedback = CheckFeedback.objects.get(screening_check__public_id=hit)
    assert (feedback.outcome, feedback.reason) == ("refused", "")
    entry = AuditEntry.objects.filter(action="sanctions.check_feedback").get()
    assert entry.actor_label == f"api:{checker.key_prefix}"


def test_one_correction_then_409(client: Any, hit: str, checker: Any) -> None:
    assert report(client, checker.headers, hit, outcome="refused").status_code == 201
    corrected = report(client, checker.headers, hit, outcome="enhanced_review", reason="复核")
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["corrected_at"] is not None
    again = report(client, checker.headers, hit, outcome="refused")
    assert again.status_code == 409
    assert "corrected once" in again.json()["detail"]
    assert CheckFeedback.objects.get().outcome == "enhanced_review"
    problems = verify_audit_log().row_problems
    assert not [p for p in problems if p.model == "sanctions.checkfeedback"], problems


def test_another_client_gets_404_like_a_missing_check(
    client: Any, hit: str, county: Any, other_county: Any
) -> None:
    for organisation in (county, other_county):
        _other, key = make_api_client(organisation=organisation, scopes=["sanctions:check"])
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        assert report(client, headers, hit, outcome="refused").status_code == 404
    assert report(client, headers, "not-a-uuid", outcome="refused").status_code == 404
    assert not CheckFeedback.objects.exists()


def test_keys_scopes_and_staff_sessions(
    client: Any, hit: str, county: Any, county_admin: Any
) -> None:
    assert report(client, {}, hit, outcome="refused").status_code == 401
    _reader, key = make_api_client(organisation=county, scopes=["sanctions:read"])
    reader = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert report(client, reader, hit, outcome="refused").status_code == 403
    # Staff do not report for a business system.
    client.force_login(county_admin)
    assert report(client, {}, hit, outcome="refused").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "ignored"}, "outcome"),
        ({"outcome": "not_applied"}, "reason"),
        ({"outcome": "not_applied", "reason": "   "}, "reason"),
    ],
)
def test_outcome_validation(
    client: Any, hit: str, checker: Any, body: dict[str, str], field: str
) -> None:
    response = report(client, checker.headers, hit, **body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert " / " in response.json()["errors"][field]  # Chinese and English
    assert not CheckFeedback.objects.exists()


def test_not_applied_with_a_reason(client: Any, hit: str, checker: Any) -> None:
    response = report(client, checker.headers, hit, outcome="not_applied", reason="已过期限")
    assert response.status_code == 201
    assert CheckFeedback.objects.get().reason == "已过期限"


def test_a_clear_check_takes_no_feedback(client: Any, loop_teacher: Any, checker: Any) -> None:
    clear = run_check(client, checker.headers, scenario="admissions")
    assert clear.json()["verdict"] == "clear", clear.content
    response = report(client, checker.headers, clear.json()["check_id"], outcome="refused")
    assert response.status_code == 422
    assert "did not hit" in response.json()["detail"]
    assert "未命中" in response.json()["detail"]


def test_the_schema_documents_the_errors(client: Any, shipped: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    operation = paths["/api/sanctions/checks/{check_id}/feedback"]["post"]
    assert {"200", "201", "401", "403", "404", "409", "422"} <= set(operation["responses"])


# --- overdue ------------------------------------------------------------------------------


def _checked_on(check_id: str, day: dt.date) -> None:
    # Moves the check back in time (tests move dates, not the clock).
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=clock.BEIJING)
    ScreeningCheck.objects.filter(public_id=check_id).update(created_at=moment)


def test_overdue_after_five_working_days(client: Any, hit: str, checker: Any) -> None:
    friday = dt.date(2026, 11, 20)  # no holiday in the following week
    _checked_on(hit, friday)
    assert overdue_cutoff(dt.date(2026, 11, 27)) < friday  # due on Friday the 27th
    assert not overdue_hits(dt.date(2026, 11, 27)).exists()
    assert list(overdue_hits(dt.date(2026, 11, 28)).values_list("public_id", flat=True)) == [
        ScreeningCheck.objects.get().public_id
    ]
    report(client, checker.headers, hit, outcome="restricted")
    assert not overdue_hits(dt.date(2026, 11, 28)).exists()


def test_holidays_do_not_count(hit: str) -> None:
    _checked_on(hit, dt.date(2026, 9, 30))  # 国庆 2026: 1–7 October off
    assert not overdue_hits(dt.date(2026, 10, 8)).exists()
    assert overdue_hits(dt.date(2026, 10, 20)).exists()


def test_the_working_days_are_a_setting(hit: str, settings: Any) -> None:
    settings.EDUCREDIT_FEEDBACK_WORKING_DAYS = 1
    _checked_on(hit, dt.date(2026, 11, 20))  # Friday: due Monday the 23rd
    assert not overdue_hits(dt.date(2026, 11, 23)).exists()
    assert overdue_hits(dt.date(2026, 11, 24)).exists()


def test_the_owners_to_do_list_shows_overdue_hits(
    client: Any, hit: str, county_clerk: Any, outsider: Any
) -> None:
    _checked_on(hit, clock.today() - dt.timedelta(days=30))
    client.force_login(county_clerk)
    page = client.get("/workspace/").content.decode()
    assert "条核查命中逾期未反馈" in page
    assert "?overdue=1" in page
    client.force_login(outsider)
    assert "条核查命中逾期未反馈" not in client.get("/workspace/").content.decode()
