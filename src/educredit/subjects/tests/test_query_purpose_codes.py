"""The query log stores the purposes and bases the platform gives as codes, shown in each
reader's language; a typed purpose stays as typed (ADR 0038)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client, RequestFactory
from django.utils import translation

from educredit.core import clock
from educredit.rights.purpose import declare_purpose, staff_read_log
from educredit.rights.tests.factories import make_county, make_subject_user, make_teacher
from educredit.subjects.choices import QueryBasis, QueryPurpose
from educredit.subjects.models import SubjectQueryLog

pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "educredit.subjects.migrations.0006_query_log_purpose_codes_backfill"
)


def _staff_request(user: Any, session: dict[str, Any] | None = None) -> Any:
    request: Any = RequestFactory().get("/subjects/")
    request.user = user
    request.session = session if session is not None else {}
    return request


def test_a_read_from_an_english_page_is_stored_as_the_duty_code():
    county = make_county()
    teacher = make_teacher(county)
    with translation.override("en"):
        staff_read_log(_staff_request(county.clerk), persons=[teacher])
    row = SubjectQueryLog.objects.get(person=teacher)
    assert (row.purpose_code, row.legal_basis_code) == (QueryPurpose.DUTY, QueryBasis.HENAN_18)
    # The text column keeps the Chinese wording whatever the page's language was.
    assert row.purpose == "履行职责"
    assert row.legal_basis == "《河南省社会信用条例》第十八条（政务共享）"
    with translation.override("en"):
        assert row.purpose_shown == "Performance of official duties"
    assert row.purpose_shown == "履行职责"


def test_a_typed_purpose_is_kept_as_typed():
    county = make_county()
    teacher = make_teacher(county)
    request = _staff_request(county.clerk, session={})
    declare_purpose(request, purpose="Audit of scholarships", basis="省厅通知 2026-3")
    staff_read_log(request, persons=[teacher])
    row = SubjectQueryLog.objects.get(person=teacher)
    assert (row.purpose_code, row.legal_basis_code) == ("", "")
    assert row.purpose_shown == "Audit of scholarships"
    assert row.legal_basis_shown == "省厅通知 2026-3"


def test_the_subject_reads_who_looked_in_their_own_language():
    county = make_county()
    teacher = make_teacher(county)
    with translation.override("en"):
        staff_read_log(_staff_request(county.clerk), persons=[teacher])
    client = Client()
    client.force_login(make_subject_user(actor=county.clerk, person=teacher))
    chinese = client.get("/self/queries/").content.decode()
    assert "履行职责" in chinese and "Performance of official duties" not in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/self/queries/").content.decode()
    assert "Performance of official duties" in english and "履行职责" not in english


def test_the_backfill_codes_rows_written_in_either_language_and_leaves_typed_ones():
    county = make_county()
    teacher = make_teacher(county)
    common = {"person": teacher, "at": clock.now(), "user": county.clerk}
    english = SubjectQueryLog.objects.create(
        purpose="Performance of official duties",
        legal_basis="Henan Social Credit Regulation, Article 18 (government sharing)",
        **common,
    )
    chinese = SubjectQueryLog.objects.create(purpose="本人查询", **common)
    typed = SubjectQueryLog.objects.create(purpose="专项检查", legal_basis="通知", **common)
    backfill.codes_forward(apps, None)
    english.refresh_from_db()
    chinese.refresh_from_db()
    typed.refresh_from_db()
    assert (english.purpose_code, english.purpose) == ("duty", "履行职责")
    assert english.legal_basis_code == "henan_18"
    assert english.legal_basis == "《河南省社会信用条例》第十八条（政务共享）"
    assert (chinese.purpose_code, chinese.purpose) == ("self", "本人查询")
    assert (typed.purpose_code, typed.legal_basis_code) == ("", "")
    backfill.codes_backward(apps, None)
    english.refresh_from_db()
    assert (english.purpose_code, english.purpose) == ("", "履行职责")


def test_a_screening_check_reads_as_its_scenario_in_the_subject_language():
    from educredit.sanctions.models import Scenario
    from educredit.sanctions.tests.factories import shipped_measure_list
    from educredit.testing.factories import make_api_client

    shipped_measure_list()
    county = make_county()
    school = county.school
    _api, key = make_api_client(
        organisation=county.county, name="审批系统", scopes=["sanctions:check"]
    )
    answer = Client().post(
        "/api/sanctions/check",
        {"uscc": school.uscc, "scenario": "simplified_approval", "reference": "LANG-1"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert answer.status_code == 200, answer.content
    scenario = Scenario.objects.get(code="simplified_approval")
    client = Client()
    client.force_login(make_subject_user(actor=county.clerk, institution=school))
    chinese = client.get("/self/queries/").content.decode()
    assert scenario.name in chinese and scenario.name_en not in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/self/queries/").content.decode()
    assert scenario.name_en in english and scenario.name not in english
