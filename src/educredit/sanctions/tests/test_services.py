"""The measure list: the shipped version, drafts, publication, "as of" and validation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from educredit.audit.models import AuditEntry
from educredit.catalog.tests.factories import shipped_catalog
from educredit.records.choices import CreditListKind
from educredit.sanctions import data, selectors, services
from educredit.sanctions.choices import DurationKind, MeasureListVersionStatus
from educredit.sanctions.models import Measure, MeasureListVersion, Scenario
from educredit.sanctions.tests.factories import TEST_ACTOR
from educredit.testing.one_language import han_leaks

pytestmark = pytest.mark.django_db


def test_the_seed_is_idempotent_and_audited(shipped):
    entries = AuditEntry.objects.filter(action__startswith="sanctions.").count()
    assert services.measure_list_seed(actor=TEST_ACTOR) == shipped
    assert MeasureListVersion.objects.count() == 1
    assert Measure.objects.count() == len(data.VERSION_1_MEASURES)
    assert Scenario.objects.count() == len(data.SCENARIOS)
    assert AuditEntry.objects.filter(action__startswith="sanctions.").count() == entries
    assert entries >= len(data.VERSION_1_MEASURES) + len(data.SCENARIOS)
    assert shipped.status == MeasureListVersionStatus.PUBLISHED


def test_every_shipped_measure_is_valid_against_the_shipped_catalog(shipped):
    catalog = {item.code: item for item in shipped_catalog().items.all()}
    scenario_codes = set(Scenario.objects.values_list("code", flat=True))
    for measure in shipped.measures.all():
        assert measure.legal_basis.strip(), measure.code
        assert measure.scenarios and set(measure.scenarios) <= scenario_codes, measure.code
        assert measure.trigger_items or measure.trigger_lists, measure.code
        assert set(measure.trigger_items) <= set(catalog), measure.code
        assert set(measure.trigger_lists) <= set(CreditListKind.values), measure.code
        if measure.duration_kind == DurationKind.RECORD_DATE:
            for code in measure.trigger_items:
                fields = {f["name"]: f["type"] for f in catalog[code].field_schema}
                assert fields.get(measure.duration_field) == "date", (measure.code, code)
        assert services.measure_errors(measure) == {}, measure.code


def _only(item_code: str, *, scenario: str) -> Measure:
    found = [
        m for m in selectors.measures_for_trigger(item_code=item_code) if scenario in m.scenarios
    ]
    assert found, (item_code, scenario)
    return found[0]


def test_the_issues_examples_have_the_right_durations(shipped, settings):
    revoked = _only("JY-ZG-01", scenario="teacher_qualification")
    assert revoked.duration_kind == DurationKind.RECORD_DATE
    assert (revoked.duration_field, revoked.duration_months) == ("reapply_from", 60)
    assert "第十九条" in revoked.legal_basis and revoked.verdict == "restricted"
    assert revoked.duration_text() == "以决定载明日期为准，且不少于5年"

    lost = _only("JY-ZG-02", scenario="teacher_qualification")
    assert lost.duration_kind == DurationKind.PERMANENT and lost.duration_text() == "永久"
    assert "第十八条" in lost.legal_basis and "第十四条" in lost.legal_basis

    exam = [
        m
        for m in selectors.measures_for_trigger(item_code="JY-KS-01")
        if "第七十九条" in m.legal_basis
    ]
    assert len(exam) == 1 and exam[0].duration_field == "exam_ban_until"
    assert exam[0].duration_months == 12 and "1–3年" in exam[0].duration_note
    impersonation = next(
        m
        for m in selectors.measures_for_trigger(item_code="JY-KS-01")
        if "第七十七条" in m.legal_basis
    )
    assert impersonation.trigger_where == {"violation_kind": ["冒名顶替入学"]}
    assert impersonation.duration_months == 24

    ethics = _only("JY-SD-02", scenario="title_evaluation")
    assert {"awards_honours", "promotion", "talent_programme"} <= set(ethics.scenarios)
    assert (ethics.duration_field, ethics.duration_months) == ("disqualified_until", 24)
    assert ethics.duration_text() == "以决定载明日期为准，且不少于24个月"
    assert "第三条" in ethics.legal_basis

    academic = _only("JY-XS-01", scenario="research_project")
    assert "第二十九条" in academic.legal_basis
    research = _only("JY-KY-01", scenario="research_project")
    assert research.duration_field == "sanction_until" and research.verdict == "restricted"
    assert _only("JY-XS-01", scenario="degree_conferral").legal_basis.startswith(
        "《中华人民共和国学位法》第三十七条"
    )

    procurement = [
        m
        for m in selectors.measures_for_trigger(list_kind="serious")
        if "government_procurement" in m.scenarios
    ]
    assert procurement and procurement[0].duration_text() == "至名单移出"
    assert "第三十四条" in procurement[0].legal_basis
    simplified = _only("JY-CF-02", scenario="simplified_approval")
    assert simplified.verdict == "restricted" and simplified.duration_text() == "至信用修复"
    rewards = selectors.measures_for_trigger(list_kind="red")
    assert rewards and all(m.verdict == "reward" and "第三十条" in m.legal_basis for m in rewards)
    assert selectors.measures_for_trigger(item_code="JY-BZ-01")[0].verdict == "reward"


def test_fixed_term_is_told_in_years_or_months():
    assert (
        Measure(duration_kind="fixed_term", duration_months=60).duration_text() == "自决定之日起5年"
    )
    assert (
        Measure(duration_kind="fixed_term", duration_months=6).duration_text()
        == "自决定之日起6个月"
    )


def test_a_draft_is_a_copy_and_publishing_retires_the_old_one_from_that_day(draft, shipped):
    assert draft.status == MeasureListVersionStatus.DRAFT
    assert draft.measures.count() == shipped.measures.count()
    measure = draft.measures.get(code="JY-CJ-004")
    services.measure_update(actor=TEST_ACTOR, measure=measure, duration_months=18)
    with pytest.raises(ValidationError, match="施行日期应晚于现行第"):
        services.measure_list_version_publish(
            actor=TEST_ACTOR, version=draft, effective_from=dt.date(2025, 6, 1)
        )
    services.measure_list_version_publish(
        actor=TEST_ACTOR, version=draft, effective_from=dt.date(2027, 1, 1)
    )
    shipped.refresh_from_db()
    assert shipped.status == MeasureListVersionStatus.RETIRED
    assert shipped.retired_from == dt.date(2027, 1, 1)
    assert selectors.measure_list_in_force(dt.date(2026, 12, 31)) == shipped
    assert selectors.measure_list_in_force(dt.date(2027, 1, 1)) == draft
    assert selectors.measure_list_in_force(dt.date(2025, 12, 31)) is None
    old = selectors.measures_for_trigger(item_code="JY-KS-01", as_of=dt.date(2026, 6, 1))
    new = selectors.measures_for_trigger(item_code="JY-KS-01", as_of=dt.date(2027, 6, 1))
    assert {m.duration_months for m in old if m.code == "JY-CJ-004"} == {12}
    assert {m.duration_months for m in new if m.code == "JY-CJ-004"} == {18}


def test_published_measures_cannot_change(shipped):
    measure = shipped.measures.first()
    with pytest.raises(ValidationError, match="只能修改草稿版本的措施清单"):
        services.measure_update(actor=TEST_ACTOR, measure=measure, means="改")


def test_only_provincial_admins_change_the_list(draft, county_admin, province_admin):
    measure = draft.measures.first()
    with pytest.raises(PermissionDenied):
        services.measure_update(actor=county_admin, measure=measure, means="改")
    services.measure_update(actor=province_admin, measure=measure, means="改")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"duration_kind": "record_date", "duration_field": ""},
            "duration_field",
            "needs the payload field",
        ),
        (
            {"duration_kind": "fixed_term", "duration_months": None},
            "duration_months",
            "term in months",
        ),
        ({"trigger_items": ["JY-XX-99"]}, "trigger_items", "the catalog has no item JY-XX-99"),
        ({"trigger_items": [], "trigger_lists": []}, "trigger_items", "at least one trigger"),
        ({"scenarios": []}, "scenarios", "at least one scenario"),
        ({"scenarios": ["no_such_thing"]}, "scenarios", "unknown or retired scenario"),
        ({"legal_basis": "  "}, "legal_basis", "legal basis is required"),
        ({"duration_field": "valid_until"}, "duration_field", "has no date field valid_until"),
        ({"trigger_lists": ["black"]}, "trigger_lists", "invalid list kind"),
        ({"verdict": "reward"}, "verdict", "restricted or review"),
        (
            {"trigger_where": {"violation_kind": ["迟到"]}},
            "trigger_where",
            "among the field's choices",
        ),
        (
            {"duration_kind": "until_list_exit", "duration_months": None, "duration_field": ""},
            "duration_kind",
            "lists only",
        ),
    ],
)
def test_inconsistent_measures_are_refused_in_the_reader_language(draft, changes, field, message):
    measure = draft.measures.get(code="JY-CJ-004")  # record_date on JY-KS-01, exam_ban_until
    before = measure.audit_snapshot()
    with pytest.raises(ValidationError) as caught:
        services.measure_update(actor=TEST_ACTOR, measure=measure, **changes)
    with translation.override("en"):  # shown to a reader in English: English only
        messages = caught.value.message_dict[field]
    assert any(message in text for text in messages), messages
    assert not any(han_leaks(text) for text in messages), messages
    chinese = caught.value.message_dict[field]
    assert chinese and all(han_leaks(text) and " / " not in text for text in chinese), chinese
    measure.refresh_from_db()
    assert measure.audit_snapshot() == before
