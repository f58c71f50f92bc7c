"""Disclosure windows: every rule period, severity, exclusion, list extension and status."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import translation

from educredit.audit.canonical import row_digest
from educredit.audit.models import AuditBulkMember, AuditEntry
from educredit.catalog.choices import (
    CatalogVersionStatus,
    DisclosureMode,
    InfoCategory,
    Severity,
    SharingAttribute,
    SubjectType,
)
from educredit.catalog.models import CatalogItem, CatalogVersion
from educredit.records import windows
from educredit.records.choices import (
    CreditListKind,
    CreditRecordStatus,
    DecisionProcedure,
    ListEntryStatus,
)
from educredit.records.models import CreditListEntry, CreditRecord, CreditRecordTransition
from educredit.subjects.tests.factories import make_institution, make_person, resident_id
from educredit.testing.one_language import han_leaks, latin_leaks

pytestmark = pytest.mark.django_db
D = dt.date
_serial = itertools.count(1)


@pytest.fixture
def world(province: Any) -> dict[str, Any]:
    version = CatalogVersion.objects.create(
        number=1,
        title="目录",
        effective_from=D(2017, 1, 1),
        status=CatalogVersionStatus.PUBLISHED,
    )
    school = make_institution(supervisor=province, name="窗口测试学校", serial=424242)
    person = make_person(institution=school, name="张三", number=resident_id(77))
    return {"version": version, "school": school, "person": person, "org": province}


def item(world: dict[str, Any], *, severity: str, mode: str = DisclosureMode.PUBLIC, **kw: Any):
    return CatalogItem.objects.create(
        version=world["version"],
        code=f"W{next(_serial)}",
        name="测试条目",
        provider="河南省教育厅",
        subject_type=SubjectType.BOTH,
        category=kw.pop("category", InfoCategory.PENALTY),
        sharing=SharingAttribute.UNCONDITIONAL,
        severity=severity,
        disclosure_mode=mode,
    )


def record(
    world: dict[str, Any],
    *,
    decided: dt.date,
    severity: str = Severity.GENERAL,
    status: str = CreditRecordStatus.EFFECTIVE,
    on_person: bool = False,
    mode: str = DisclosureMode.PUBLIC,
    **kw: Any,
) -> CreditRecord:
    return CreditRecord.objects.create(
        catalog_item=item(
            world, severity=severity, mode=mode, category=kw.pop("category", "penalty")
        ),
        institution=None if on_person else world["school"],
        person=world["person"] if on_person else None,
        organisation=world["org"],
        status=status,
        severity=severity,
        title="测试",
        issuing_body="郑州市教育局",
        decision_date=decided,
        **kw,
    )


# --- the rule periods ------------------------------------------------------------------------


def test_add_months_clamps_to_month_end() -> None:
    assert windows.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert windows.add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert windows.add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)
    assert windows.add_months(D(2026, 4, 1), 0) == D(2026, 4, 1)


@pytest.mark.parametrize(
    ("decided", "key"),
    [
        (D(2016, 1, 5), "2017"),
        (D(2019, 6, 30), "2017"),
        (D(2019, 7, 1), "2019"),
        (D(2023, 4, 30), "2019"),
        (D(2023, 5, 1), "2023"),
        (D(2026, 3, 31), "2023"),
        (D(2026, 4, 1), "2026"),
    ],
)
def test_rule_in_force_on_the_decision_date(decided: dt.date, key: str) -> None:
    assert windows.policy_for(decided).key == key


@pytest.mark.parametrize(
    ("decided", "severity", "repair", "until", "document"),
    [
        (D(2019, 6, 30), Severity.GENERAL, D(2020, 6, 30), D(2020, 6, 30), "1171号"),
        (D(2019, 6, 30), Severity.SERIOUS, D(2022, 6, 30), D(2022, 6, 30), "1171号"),
        (D(2019, 7, 1), Severity.GENERAL, D(2019, 10, 1), D(2020, 7, 1), "〔2019〕527号"),
        (D(2019, 7, 1), Severity.SERIOUS, D(2020, 1, 1), D(2022, 7, 1), "〔2019〕527号"),
        (D(2019, 7, 1), Severity.MINOR, D(2019, 10, 1), D(2020, 7, 1), "〔2019〕527号"),
        (D(2023, 4, 30), Severity.SERIOUS, D(2023, 10, 30), D(2026, 4, 30), "527号"),
        (D(2023, 5, 1), Severity.GENERAL, D(2023, 8, 1), D(2026, 5, 1), "令2023年第58号"),
        (D(2023, 5, 1), Severity.SERIOUS, D(2023, 8, 1), D(2026, 5, 1), "令2023年第58号"),
        (D(2026, 3, 31), Severity.GENERAL, D(2026, 6, 30), D(2029, 3, 31), "令2023年第58号"),
        (D(2026, 4, 1), Severity.GENERAL, D(2026, 7, 1), D(2027, 4, 1), "令第36号"),
        (D(2026, 4, 1), Severity.SERIOUS, D(2027, 4, 1), D(2029, 4, 1), "令第36号"),
    ],
)
def test_each_period_and_severity(
    world: dict[str, Any],
    decided: dt.date,
    severity: str,
    repair: dt.date,
    until: dt.date,
    document: str,
) -> None:
    rec = record(world, decided=decided, severity=severity)
    window = windows.window_for(rec, as_of=decided)
    assert (window.public_from, window.public_until) == (decided, until)
    assert window.repair_allowed_from == repair
    assert window.rule.startswith("policy:")  # a code, shown in the reader's language
    assert document in windows.rule_text(window.rule)
    assert window.archived_on == windows.add_months(decided, 60)
    assert windows.is_public(rec, decided)
    assert windows.is_public(rec, until - dt.timedelta(days=1))
    assert not windows.is_public(rec, until)
    assert not windows.is_public(rec, decided - dt.timedelta(days=1))


def test_rule_text_names_rule_and_document(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2020, 3, 2))
    rule = windows.window_for(rec, as_of=D(2020, 3, 2)).rule
    assert rule == "policy:2019:general"
    assert windows.rule_text(rule) == "2019年规则（发改办财金〔2019〕527号）：一般失信 3个月–1年"
    with translation.override("en"):
        assert windows.rule_text(rule) == "2019 rule (NDRC 527/2019): general 3 months–1 year"


def test_minor_under_2026_rule_not_published_but_repairable_at_once(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 5, 6), severity=Severity.MINOR)
    window = windows.window_for(rec, as_of=D(2026, 5, 6))
    assert window.public_from is None
    assert window.repair_allowed_from == D(2026, 5, 6)
    assert "轻微失信原则上不公示" in windows.rule_text(window.rule)
    assert not windows.is_public(rec, D(2026, 5, 6))


def test_sector_override_mechanism() -> None:
    period = windows.POLICY_2023.period(Severity.GENERAL, "fire_safety")
    assert (period.min_months, period.max_months) == (12, 36)
    assert windows.POLICY_2023.period(Severity.GENERAL, InfoCategory.PENALTY).min_months == 3


@pytest.mark.parametrize("severity", [Severity.TRUSTWORTHY, Severity.NEUTRAL])
def test_trustworthy_and_neutral_long_term(world: dict[str, Any], severity: str) -> None:
    rec = record(world, decided=D(2018, 1, 1), severity=severity)
    window = windows.window_for(rec, as_of=D(2040, 1, 1))
    assert (window.public_from, window.public_until, window.repair_allowed_from) == (
        D(2018, 1, 1),
        None,
        None,
    )
    assert windows.is_public(rec, D(2040, 1, 1))


# --- never public ---------------------------------------------------------------------------


def test_simplified_procedure_on_a_person_is_never_public(world: dict[str, Any]) -> None:
    rec = record(
        world,
        decided=D(2026, 5, 6),
        severity=Severity.SERIOUS,
        on_person=True,
        procedure=DecisionProcedure.SIMPLIFIED,
    )
    window = windows.window_for(rec, as_of=D(2026, 5, 6))
    assert window.public_from is None and window.public_until is None
    assert "简易程序" in windows.rule_text(window.rule)
    with translation.override("en"):
        assert "§13" in windows.rule_text(window.rule)
    for day in (D(2026, 5, 6), D(2027, 1, 1), D(2030, 1, 1)):
        assert not windows.is_public(rec, day)


def test_simplified_procedure_on_an_institution_is_public(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 5, 6), procedure=DecisionProcedure.SIMPLIFIED)
    assert windows.is_public(rec, D(2026, 5, 6))


def test_corrected_minor_violation_of_a_person_is_never_public(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2024, 5, 6), on_person=True, corrected_minor_violation=True)
    assert not windows.is_public(rec, D(2024, 5, 6))
    assert "主动改正" in windows.rule_text(windows.window_for(rec, as_of=D(2024, 5, 6)).rule)


def test_catalog_not_public_is_never_public(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2024, 5, 6), mode=DisclosureMode.GOVERNMENT)
    window = windows.window_for(rec, as_of=D(2024, 5, 6))
    assert window.public_from is None
    assert window.repair_allowed_from == D(2024, 8, 6)
    assert not windows.is_public(rec, D(2024, 5, 6))


@pytest.mark.parametrize("mode", [DisclosureMode.PUBLIC, DisclosureMode.GOVERNMENT])
def test_2017_rule_repair_at_the_period_end_whatever_the_mode(
    world: dict[str, Any], mode: str
) -> None:
    # The 2017 rule has no minimum period: repair only once the whole period is over.
    rec = record(world, decided=D(2018, 3, 1), mode=mode)
    assert windows.window_for(rec, as_of=D(2018, 3, 1)).repair_allowed_from == D(2019, 3, 1)


@pytest.mark.parametrize("status", [CreditRecordStatus.DRAFT, CreditRecordStatus.SUBMITTED])
def test_pending_records_are_not_public(world: dict[str, Any], status: str) -> None:
    rec = record(world, decided=D(2024, 5, 6), status=status)
    assert not windows.is_public(rec, D(2024, 5, 6))


# --- status ends ----------------------------------------------------------------------------


def _moved(rec: CreditRecord, status: str, at: dt.datetime) -> None:
    rec.status = status
    rec.save()
    CreditRecordTransition.objects.create(
        record=rec,
        from_status=CreditRecordStatus.EFFECTIVE,
        to_status=status,
        actor_label="system:test",
        at=at,
    )


def test_revoked_is_withdrawn_the_same_day(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 4, 10), severity=Severity.SERIOUS)
    # 17:30 UTC on 5 May is 01:30 on 6 May in Beijing: the revocation day is the 6th.
    _moved(rec, CreditRecordStatus.REVOKED, dt.datetime(2026, 5, 5, 17, 30, tzinfo=dt.UTC))
    window = windows.window_for(rec, as_of=D(2026, 6, 1))
    assert window.public_until == D(2026, 5, 6)
    assert windows.is_public(rec, D(2026, 5, 5))
    assert not windows.is_public(rec, D(2026, 5, 6))
    assert "已撤销" in windows.rule_text(window.rule)


def test_repaired_ends_at_repair(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2024, 1, 10))
    _moved(rec, CreditRecordStatus.REPAIRED, dt.datetime(2024, 6, 1, 4, 0, tzinfo=dt.UTC))
    assert windows.window_for(rec).public_until == D(2024, 6, 1)
    assert not windows.is_public(rec, D(2024, 6, 1))


def test_expired_is_in_the_past(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2019, 8, 1))
    _moved(rec, CreditRecordStatus.EXPIRED, dt.datetime(2020, 8, 2, 4, 0, tzinfo=dt.UTC))
    window = windows.window_for(rec)
    assert window.public_until == D(2020, 8, 1)
    assert not windows.is_public(rec)
    assert windows.is_public(rec, D(2020, 1, 1))  # any as_of: it was public then


# --- Henan §19: the cap and the list extension ---------------------------------------------


def _list(world: dict[str, Any], rec: CreditRecord, **kw: Any) -> CreditListEntry:
    entry = CreditListEntry.objects.create(
        kind=CreditListKind.SERIOUS,
        institution=world["school"],
        organisation=world["org"],
        reason="严重失信",
        **kw,
    )
    entry.basis_records.add(rec)
    return entry


def test_list_extends_disclosure_until_exit(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 4, 1), severity=Severity.SERIOUS)  # ends 2029-04-01
    entry = _list(world, rec, status=ListEntryStatus.LISTED, listed_on=D(2026, 6, 1))
    before_end = windows.window_for(rec, as_of=D(2028, 1, 1))
    assert before_end.public_until is None  # still listed: until it leaves
    assert "名单" in windows.rule_text(before_end.rule)
    assert windows.is_public(rec, D(2030, 1, 1))
    entry.status, entry.exited_on = ListEntryStatus.EXITED, D(2031, 2, 3)
    entry.save()
    # As of a day before the exit, the exit is not yet known.
    assert windows.window_for(rec, as_of=D(2030, 1, 1)).public_until is None
    after = windows.window_for(rec, as_of=D(2031, 3, 1))
    assert after.public_until == D(2031, 2, 3)
    assert after.archived_on == D(2031, 4, 1)  # 5-year archive date, extension ended before
    assert not windows.is_public(rec, D(2031, 2, 3))


def test_list_exited_before_period_end_does_not_extend(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 4, 1), severity=Severity.SERIOUS)
    _list(
        world,
        rec,
        status=ListEntryStatus.EXITED,
        listed_on=D(2026, 6, 1),
        exited_on=D(2027, 6, 1),
    )
    assert windows.window_for(rec, as_of=D(2030, 1, 1)).public_until == D(2029, 4, 1)


def test_notice_or_withdrawn_entries_do_not_extend(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2026, 4, 1), severity=Severity.SERIOUS)
    _list(world, rec, status=ListEntryStatus.NOTICE)
    _list(world, rec, status=ListEntryStatus.WITHDRAWN, listed_on=D(2026, 6, 1))
    assert windows.window_for(rec, as_of=D(2030, 1, 1)).public_until == D(2029, 4, 1)


def test_henan_cap_applies_to_longer_rules() -> None:
    long = windows._base_window(
        severity=Severity.SERIOUS,
        decision_date=D(2026, 4, 1),
        sector="x",
        disclosure_mode=DisclosureMode.PUBLIC,
        on_person=False,
        procedure=DecisionProcedure.ORDINARY,
        corrected_minor_violation=False,
    )
    assert long.archived_on == D(2031, 4, 1)
    assert long.public_until is not None and long.public_until <= long.archived_on


def test_rule_codes_fit_the_column_and_read_in_both_languages() -> None:
    longest_suffix = max(len(s) for s in windows.STATUS_SUFFIX.values())
    codes = [*windows.LONG_TERM_RULE.values(), windows.SIMPLIFIED_RULE, windows.CORRECTED_RULE]
    for policy in windows.POLICIES:
        for severity in windows.DISHONESTY:
            for sector in ("", *policy.sector_overrides):
                code = policy.rule(severity, sector)
                codes.append(windows.CATALOG_PREFIX + code)  # never listed-extended
                codes.append(code + windows.LIST_SUFFIX)
    for code in codes:
        assert len(code) + longest_suffix <= windows.RULE_MAX_LENGTH, code
        for suffix in ("", *windows.STATUS_SUFFIX.values()):
            chinese = windows.rule_text(code + suffix)
            with translation.override("en"):
                english = windows.rule_text(code + suffix)
            assert chinese != code + suffix and "/ " not in chinese, chinese
            assert not han_leaks(english) and latin_leaks(chinese) == [], (english, chinese)


# --- storing: one record and all of them ---------------------------------------------------


def test_record_window_apply_sets_fields_without_saving(world: dict[str, Any]) -> None:
    rec = record(world, decided=D(2023, 5, 1))
    windows.record_window_apply(rec, as_of=D(2023, 5, 1))
    assert (rec.public_from, rec.public_until) == (D(2023, 5, 1), D(2026, 5, 1))
    assert CreditRecord.objects.get(pk=rec.pk).public_from is None


def _matrix(world: dict[str, Any]) -> list[CreditRecord]:
    made = []
    dates = [D(2018, 3, 31), D(2019, 7, 1), D(2023, 5, 1), D(2024, 2, 29), D(2026, 4, 1)]
    for decided, severity, status in itertools.product(
        dates,
        [s.value for s in Severity],
        [
            CreditRecordStatus.DRAFT,
            CreditRecordStatus.EFFECTIVE,
            CreditRecordStatus.UNDER_OBJECTION,
            CreditRecordStatus.REVOKED,
        ],
    ):
        made.append(record(world, decided=decided, severity=severity, status=status))
    made.append(record(world, decided=D(2024, 1, 31), mode=DisclosureMode.AUTHORISED))
    made.append(
        record(
            world, decided=D(2026, 5, 1), severity=Severity.MINOR, mode=DisclosureMode.GOVERNMENT
        )
    )
    made.append(
        record(
            world, decided=D(2024, 1, 31), on_person=True, procedure=DecisionProcedure.SIMPLIFIED
        )
    )
    made.append(
        record(world, decided=D(2024, 1, 31), on_person=True, corrected_minor_violation=True)
    )
    made.append(record(world, decided=D(2023, 8, 31), on_person=True, severity=Severity.SERIOUS))
    repaired = record(world, decided=D(2024, 1, 31))
    _moved(repaired, CreditRecordStatus.REPAIRED, dt.datetime(2024, 6, 1, 4, tzinfo=dt.UTC))
    made.append(repaired)
    listed = record(world, decided=D(2023, 6, 1), severity=Severity.SERIOUS)
    _list(world, listed, status=ListEntryStatus.LISTED, listed_on=D(2024, 1, 1))
    made.append(listed)
    return made


def test_recompute_all_matches_window_for_on_every_combination(world: dict[str, Any]) -> None:
    made = _matrix(world)
    as_of = D(2026, 11, 27)
    counts = windows.windows_recompute_all(actor="system:test", as_of=as_of, batch_size=7)
    assert counts.examined == len(made)
    for rec in made:
        stored = CreditRecord.objects.select_related("catalog_item").get(pk=rec.pk)
        expected = windows.window_for(stored, as_of=as_of)
        assert (
            stored.public_from,
            stored.public_until,
            stored.repair_allowed_from,
            stored.window_rule,
        ) == (
            expected.public_from,
            expected.public_until,
            expected.repair_allowed_from,
            expected.rule,
        ), (stored.severity, stored.status, stored.decision_date)


def test_recompute_all_audits_changes_once_and_is_idempotent(world: dict[str, Any]) -> None:
    made = _matrix(world)
    entries = AuditEntry.objects.count()
    first = windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    assert first.changed == len(made)  # every row had an empty window
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.action == "credit_record.window_recompute"
    assert entry.member_count == len(made)
    # Each member carries the digest of the row as it now stands (what audit verify checks).
    payload_record = CreditRecord.objects.filter(public_from__isnull=False).first()
    assert payload_record is not None
    CreditRecord.objects.filter(pk=payload_record.pk).update(
        payload={"罚款": {"金额": 5000, "单位": "元"}, 'a"b': [1, None, "é"]}, public_from=None
    )
    windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    members = {
        int(m.target_pk): m.row_digest
        for m in AuditBulkMember.objects.filter(
            entry__action="credit_record.window_recompute"
        ).order_by("entry_id")
    }
    assert len(members) == len(made)
    for stored in CreditRecord.objects.filter(pk__in=[m.pk for m in made]):
        assert members[stored.pk] == row_digest(stored), stored.pk
    again = windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    assert again.changed == 0
    assert AuditEntry.objects.count() == entries + 2


def test_public_q_matches_is_public(world: dict[str, Any]) -> None:
    made = _matrix(world)
    windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    for day in (D(2019, 1, 1), D(2020, 1, 1), D(2024, 3, 1), D(2026, 11, 27)):
        shown = set(CreditRecord.objects.filter(windows.public_q(day)).values_list("pk", flat=True))
        expected = {
            r.pk
            for r in CreditRecord.objects.filter(pk__in=[m.pk for m in made])
            if windows.window_for(r, as_of=D(2026, 11, 27)).contains(day)
        }
        assert shown == expected


def test_a_rule_stored_as_bilingual_text_reads_in_one_language_until_the_recompute_codes_it(
    world: dict[str, Any],
) -> None:
    listed = record(world, decided=D(2024, 3, 1), status=CreditRecordStatus.REVOKED)
    hidden = record(world, decided=D(2020, 3, 2), mode=DisclosureMode.GOVERNMENT)
    windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    legacy = {  # as windows were stored before the codes
        listed.pk: (
            "2023年规则（国家发展改革委令2023年第58号）：一般失信 3个月–3年 / 2023 rule (NDRC "
            "Order 58/2023): general 3 months–3 years；已撤销，当日撤下 / revoked: withdrawn "
            "that day"
        ),
        hidden.pk: (
            "不公示（目录非公开公示）/ not public (catalog mode)；2019年规则（发改办财金〔2019〕"
            "527号）：一般失信 3个月–1年 / 2019 rule (NDRC 527/2019): general 3 months–1 year"
        ),
    }
    for pk, text in legacy.items():
        CreditRecord.objects.filter(pk=pk).update(window_rule=text)
    listed.refresh_from_db()
    assert listed.window_rule_text == (
        "2023年规则（国家发展改革委令2023年第58号）：一般失信 3个月–3年；已撤销，当日撤下"
    )
    with translation.override("en"):
        assert listed.window_rule_text == (
            "2023 rule (NDRC Order 58/2023): general 3 months–3 years; revoked: withdrawn that day"
        )
    # The recompute (daily, and `educredit windows recompute`) stores the codes, audited.
    entries = AuditEntry.objects.count()
    counts = windows.windows_recompute_all(actor="system:test", as_of=D(2026, 11, 27))
    assert counts.changed == 2 and AuditEntry.objects.count() == entries + 1
    stored = dict(CreditRecord.objects.values_list("pk", "window_rule"))
    assert stored[listed.pk] == "policy:2023:general;revoked"
    assert stored[hidden.pk] == "hidden;policy:2019:general"
