"""Disclosure windows (公示期限): when a credit record may be shown to the public.

Pure and data-driven: ``POLICIES`` lists the national rules by the date each took effect, and
the rule in force on a record's decision date decides its periods (a later rule does not
re-grade earlier decisions; see ADR 0013). The minimum period gives ``repair_allowed_from``
(信用修复 may be asked for from then), the maximum gives ``public_until``. On top of them:

- 守信 (and neutral) information is public long-term (Henan regulation §19): no end;
- 失信 information is archived after at most 5 years (Henan §19), unless the subject is still
  on a list citing the record when its period ends: then disclosure lasts until it leaves;
- penalties on natural persons under the simplified procedure, and minor violations a person
  corrected, are never reported (Henan §13): never public;
- a catalog item whose disclosure mode is not 公开公示 is never public;
- status: draft/submitted records are not public yet; a revoked or repaired record's window
  ends on the day it moved there (a revoked decision is withdrawn at once); an expired
  record keeps the window whose end it followed.

Windows are half-open: a record is public on ``public_from <= day < public_until`` (no end
when ``public_until`` is None). ``window_for`` answers for any ``as_of`` date; the only inputs
that depend on it are the lists' states on that date (a later exit is not yet known).
``windows_recompute_all`` stores the same answer for every record in a few set-based UPDATE
statements built from the same policies; a test checks the two agree on every combination.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    JSONField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation

from educredit.audit.canonical import row_digester, sequence_digester, snapshot_attnames
from educredit.audit.services import audit_append_bulk
from educredit.catalog.choices import DisclosureMode, Severity
from educredit.core import clock
from educredit.records.choices import CreditRecordStatus, DecisionProcedure, ListEntryStatus
from educredit.records.models import CreditListEntry, CreditRecord, CreditRecordTransition

__all__ = [
    "POLICIES",
    "DisclosurePeriod",
    "DisclosurePolicy",
    "DisclosureWindow",
    "add_months",
    "is_public",
    "policy_for",
    "public_q",
    "record_window_apply",
    "window_for",
    "windows_recompute_all",
]

RULE_MAX_LENGTH = CreditRecord._meta.get_field("window_rule").max_length or 200
HENAN_CAP_MONTHS = 60  # Henan §19: dishonesty information at most 5 years, then archived
DISHONESTY = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)
PUBLIC_STATUSES = (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION)
PENDING_STATUSES = (CreditRecordStatus.DRAFT, CreditRecordStatus.SUBMITTED)
# Statuses that end a window early, on the day of the move (已届满 only follows the window's end).
ENDING_STATUSES = (CreditRecordStatus.REVOKED, CreditRecordStatus.REPAIRED)


# ---------------------------------------------------------------------------------------------
# The policies


@dataclass(frozen=True)
class DisclosurePeriod:
    """Minimum and maximum disclosure of one class of information, in months.

    ``published`` False: not published at all (轻微失信 under the 2026 rule); ``max_months``
    None: long-term. ``min_months`` None: no early end (repair only after the maximum).
    """

    min_months: int | None
    max_months: int | None
    label_zh: str
    label_en: str
    published: bool = True


@dataclass(frozen=True)
class DisclosurePolicy:
    """One national rule on disclosure periods, in force for decisions from ``effective_from``."""

    key: str
    effective_from: dt.date
    name_zh: str
    name_en: str
    document_zh: str
    document_en: str
    periods: Mapping[str, DisclosurePeriod]
    # Sector overrides: catalog category → severity → period (特种设备/安全生产/消防 in 2023).
    sector_overrides: Mapping[str, Mapping[str, DisclosurePeriod]] = field(default_factory=dict)

    def period(self, severity: str, sector: str = "") -> DisclosurePeriod:
        """The period for a severity, a sector override first."""
        override = self.sector_overrides.get(sector, {}).get(severity)
        return override or self.periods[severity]

    def rule(self, severity: str, sector: str = "") -> str:
        """The code of this rule's period for a severity (and sector, if it overrides)."""
        if sector and severity in self.sector_overrides.get(sector, {}):
            return f"policy:{self.key}:{severity}:{sector}"
        return f"policy:{self.key}:{severity}"

    def text(self, period: DisclosurePeriod, *, english: bool) -> str:
        """The name of the rule and the period it gives, in one language."""
        if english:
            return f"{self.name_en} ({self.document_en}): {period.label_en}"
        return f"{self.name_zh}（{self.document_zh}）：{period.label_zh}"


def _months_zh(months: int) -> str:
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


def _months_en(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years > 1 else "")
    return f"{months} months"


def _period(
    severity_zh: str, severity_en: str, min_months: int | None, max_months: int
) -> DisclosurePeriod:
    if min_months is None or min_months == max_months:
        zh, en = _months_zh(max_months), _months_en(max_months)
    else:
        zh = f"{_months_zh(min_months)}–{_months_zh(max_months)}"
        en = f"{_months_en(min_months)}–{_months_en(max_months)}"
    return DisclosurePeriod(min_months, max_months, f"{severity_zh} {zh}", f"{severity_en} {en}")


POLICY_2017 = DisclosurePolicy(
    key="2017",
    effective_from=dt.date.min,  # also decisions before 2017-07-31 (no earlier national rule)
    name_zh="2017年规则",
    name_en="2017 rule",
    document_zh="发改办财金〔2017〕1171号",
    document_en="NDRC 1171/2017",
    periods={
        Severity.MINOR: _period("轻微失信（按一般）", "minor (as general)", None, 12),
        Severity.GENERAL: _period("一般失信", "general", None, 12),
        Severity.SERIOUS: _period("严重失信", "serious", None, 36),
    },
)
POLICY_2019 = DisclosurePolicy(
    key="2019",
    effective_from=dt.date(2019, 7, 1),
    name_zh="2019年规则",
    name_en="2019 rule",
    document_zh="发改办财金〔2019〕527号",
    document_en="NDRC 527/2019",
    periods={
        Severity.MINOR: _period("轻微失信（按一般）", "minor (as general)", 3, 12),
        Severity.GENERAL: _period("一般失信", "general", 3, 12),
        Severity.SERIOUS: _period("严重失信", "serious", 6, 36),
    },
)
_SAFETY_2023 = _period("特种设备/安全生产/消防", "special equipment/safety/fire", 12, 36)
POLICY_2023 = DisclosurePolicy(
    key="2023",
    effective_from=dt.date(2023, 5, 1),
    name_zh="2023年规则",
    name_en="2023 rule",
    document_zh="国家发展改革委令2023年第58号",
    document_en="NDRC Order 58/2023",
    periods={
        Severity.MINOR: _period("轻微失信", "minor", 3, 36),
        Severity.GENERAL: _period("一般失信", "general", 3, 36),
        Severity.SERIOUS: _period("严重失信", "serious", 3, 36),
    },
    # No education catalog category is one of these sectors; the mechanism stays for others.
    sector_overrides={
        sector: dict.fromkeys(DISHONESTY, _SAFETY_2023)
        for sector in ("special_equipment", "work_safety", "fire_safety")
    },
)
POLICY_2026 = DisclosurePolicy(
    key="2026",
    effective_from=dt.date(2026, 4, 1),
    name_zh="2026年规则",
    name_en="2026 rule",
    document_zh="国家发展改革委令第36号",
    document_en="NDRC Order 36",
    periods={
        Severity.MINOR: DisclosurePeriod(
            0, 0, "轻微失信原则上不公示", "minor: not published", False
        ),
        Severity.GENERAL: _period("一般失信", "general", 3, 12),
        Severity.SERIOUS: _period("严重失信", "serious", 12, 36),
    },
    # A sector that deems it necessary may publish minor information for at most 3 months:
    # add {"<category>": {Severity.MINOR: _period("轻微失信", "minor", 0, 3)}} here.
    sector_overrides={},
)
POLICIES: tuple[DisclosurePolicy, ...] = (POLICY_2017, POLICY_2019, POLICY_2023, POLICY_2026)

# The rule a window came from is stored as a code (``CreditRecord.window_rule``, ADR 0038) and
# shown in the reader's language by ``rule_text``: a base (``policy:2023:general``, a sector
# override ``policy:2023:general:work_safety``, ``long_term:neutral``, ``never:simplified``),
# ``hidden;`` before it when the catalog does not publish the item, and ``;listed`` (extended
# while listed, Henan §19) and ``;<status>`` after it. Codes are ASCII without quotes, so the
# set-based recompute writes them as SQL literals. A rule stored earlier as "中文 / English"
# text is shown in one language too until the audited recompute stores its code (a data
# migration would change audited rows without an audit entry).
LONG_TERM_RULE: dict[str, str] = {
    Severity.TRUSTWORTHY: "long_term:trustworthy",
    Severity.NEUTRAL: "long_term:neutral",
}
SIMPLIFIED_RULE = "never:simplified"
CORRECTED_RULE = "never:corrected"
CATALOG_PREFIX = "hidden;"
STATUS_SUFFIX: dict[str, str] = {
    status: f";{status}"
    for status in (
        CreditRecordStatus.DRAFT,
        CreditRecordStatus.SUBMITTED,
        CreditRecordStatus.REVOKED,
        CreditRecordStatus.REPAIRED,
        CreditRecordStatus.EXPIRED,
    )
}
LIST_SUFFIX = ";listed"
# (Chinese, English) of every code part but the policies', which their tables name.
RULE_WORDS: dict[str, tuple[str, str]] = {
    "long_term:trustworthy": (
        "守信信息长期公示（河南条例第十九条）",
        "trustworthy: long-term (Henan §19)",
    ),
    "long_term:neutral": ("中性信息长期公示", "neutral information: long-term"),
    SIMPLIFIED_RULE: (
        "不公示：对自然人适用简易程序的处罚（河南条例第十三条）",
        "never public: simplified-procedure penalty on a person (Henan §13)",
    ),
    CORRECTED_RULE: (
        "不公示：自然人轻微违法已主动改正（河南条例第十三条）",
        "never public: minor violation corrected by a person (Henan §13)",
    ),
    "hidden": ("不公示（目录非公开公示）", "not public (catalog mode)"),
    "listed": ("列入名单期间延长（河南§19）", "extended while listed"),
    CreditRecordStatus.DRAFT: ("未生效", "not yet effective"),
    CreditRecordStatus.SUBMITTED: ("未生效", "not yet effective"),
    CreditRecordStatus.REVOKED: ("已撤销，当日撤下", "revoked: withdrawn that day"),
    CreditRecordStatus.REPAIRED: ("已修复，终止公示", "repaired: disclosure ended"),
    CreditRecordStatus.EXPIRED: ("已届满", "expired"),
}


def _rule_part(part: str, *, english: bool) -> str | None:
    if part.startswith("policy:"):
        _tag, key, severity, sector = [*part.split(":"), ""][:4]
        policy = next((p for p in POLICIES if p.key == key), None)
        if policy is None or severity not in policy.periods:
            return None
        return policy.text(policy.period(severity, sector), english=english)
    words = RULE_WORDS.get(part)
    return None if words is None else words[1 if english else 0]


_LEGACY_HALVES = re.compile(r"^(.*?[\u4e00-\u9fff）)]) ?/ ([A-Za-z0-9].*)$", re.S)


def _legacy_rule_text(rule: str, *, english: bool) -> str:
    """A rule stored before the codes, "中文 / English" segments joined by "；", in one
    language (the audited recompute replaces it with its code)."""
    segments = []
    for segment in rule.split("；"):
        halves = _LEGACY_HALVES.match(segment)
        segments.append(halves.group(2 if english else 1) if halves else segment)
    return ("; " if english else "；").join(segment for segment in segments if segment)


def rule_text(rule: str) -> str:
    """The stored rule of a window in the reader's language."""
    english = (translation.get_language() or "").startswith("en")
    parts = [_rule_part(part, english=english) for part in rule.split(";")] if rule else []
    if not parts or None in parts:
        return _legacy_rule_text(rule, english=english)
    texts = [text for text in parts if text is not None]
    if rule.startswith(CATALOG_PREFIX):
        head = f"{texts[0]}: " if english else f"{texts[0]}："
        texts = [head + texts[1], *texts[2:]]
    return ("; " if english else "；").join(texts)


def policy_for(decision_date: dt.date) -> DisclosurePolicy:
    """The rule in force on a decision date."""
    chosen = POLICIES[0]
    for policy in POLICIES:
        if policy.effective_from <= decision_date:
            chosen = policy
    return chosen


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's end (2024-02-29 + 12 → 2025-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------
# One record


@dataclass(frozen=True)
class DisclosureWindow:
    """When a record is public (half-open ``[public_from, public_until)``), and why."""

    public_from: dt.date | None
    public_until: dt.date | None
    repair_allowed_from: dt.date | None
    rule: str
    archived_on: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        """Whether the record is public on ``day``."""
        if self.public_from is None or day < self.public_from:
            return False
        return self.public_until is None or day < self.public_until


@dataclass(frozen=True)
class _Base:
    public_from: dt.date | None
    public_until: dt.date | None
    repair_allowed_from: dt.date | None
    rule: str
    archived_on: dt.date | None
    dishonesty: bool


def _repair_months(period: DisclosurePeriod) -> int | None:
    """Months after the decision from which repair may be granted: the minimum period, or,
    under a rule without one (2017), the whole period (capped as disclosure is)."""
    if period.min_months is not None:
        return period.min_months
    return None if period.max_months is None else min(period.max_months, HENAN_CAP_MONTHS)


def _base_window(
    *,
    severity: str,
    decision_date: dt.date,
    sector: str,
    disclosure_mode: str,
    on_person: bool,
    procedure: str,
    corrected_minor_violation: bool,
) -> _Base:
    """The window the rules give before status and lists are considered."""
    if on_person and procedure == DecisionProcedure.SIMPLIFIED:
        return _Base(None, None, None, SIMPLIFIED_RULE, None, False)
    if on_person and corrected_minor_violation:
        return _Base(None, None, None, CORRECTED_RULE, None, False)
    catalog_public = disclosure_mode == DisclosureMode.PUBLIC
    if severity not in DISHONESTY:
        text = LONG_TERM_RULE.get(severity, LONG_TERM_RULE[Severity.NEUTRAL])
        if not catalog_public:
            return _Base(None, None, None, CATALOG_PREFIX + text, None, False)
        return _Base(decision_date, None, None, text, None, False)
    policy = policy_for(decision_date)
    period = policy.period(severity, sector)
    text = policy.rule(severity, sector)
    months = _repair_months(period)
    repair = None if months is None else add_months(decision_date, months)
    archived_on = add_months(decision_date, HENAN_CAP_MONTHS)
    if not period.published or period.max_months is None:
        return _Base(None, None, repair, text, archived_on, True)
    if not catalog_public:
        return _Base(None, None, repair, CATALOG_PREFIX + text, archived_on, True)
    until = add_months(decision_date, min(period.max_months, HENAN_CAP_MONTHS))
    return _Base(decision_date, until, repair, text, archived_on, True)


def _listed_spans(record: CreditRecord, as_of: dt.date) -> list[tuple[dt.date, dt.date | None]]:
    """Spans during which a list entry citing the record kept its subject listed, as of a day."""
    if record.pk is None:
        return []
    entries = CreditListEntry.objects.filter(
        basis_records=record,
        status__in=[ListEntryStatus.LISTED, ListEntryStatus.EXITED],
        listed_on__isnull=False,
        listed_on__lte=as_of,
    ).values_list("listed_on", "exited_on")
    spans: list[tuple[dt.date, dt.date | None]] = []
    for listed_on, exited_on in entries:
        if listed_on is None:
            continue
        # An exit after as_of is not known on as_of: the subject was still listed then.
        end = exited_on if exited_on is not None and exited_on <= as_of else None
        spans.append((listed_on, end))
    return spans


def _status_end(record: CreditRecord) -> dt.date:
    """The day a record moved to its (ending) status: its transition, else its last update."""
    moment = None
    if record.pk is not None:
        moment = (
            CreditRecordTransition.objects.filter(record=record, to_status=record.status)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
    if moment is None:
        moment = record.updated_at or timezone.now()
    return clock.local_date(moment)


def window_for(record: CreditRecord, *, as_of: dt.date | None = None) -> DisclosureWindow:
    """The disclosure window of a record, with the lists as they stood on ``as_of``."""
    as_of = as_of or clock.today()
    catalog_item = record.catalog_item
    base = _base_window(
        severity=record.severity,
        decision_date=record.decision_date,
        sector=catalog_item.category,
        disclosure_mode=catalog_item.disclosure_mode,
        on_person=record.person_id is not None,
        procedure=record.procedure,
        corrected_minor_violation=record.corrected_minor_violation,
    )
    public_from, public_until, rule = base.public_from, base.public_until, base.rule
    archived_on = base.archived_on
    if base.dishonesty and public_from is not None and public_until is not None:
        # Henan §19: still listed when the period ends → public until the subject leaves.
        spans = _listed_spans(record, as_of)
        extended = True
        while extended and public_until is not None:
            extended = False
            for start, end in spans:
                if start <= public_until and (end is None or end > public_until):
                    public_until, extended = end, True
                    rule = rule + LIST_SUFFIX if LIST_SUFFIX not in rule else rule
                    break
        archived_on = (
            None if public_until is None else max(archived_on or public_until, public_until)
        )
    status = record.status
    if status in PENDING_STATUSES:
        public_from = public_until = None
    elif status in ENDING_STATUSES and public_from is not None:
        end = _status_end(record)
        public_until = end if public_until is None else min(public_until, end)
    rule += STATUS_SUFFIX.get(status, "")
    return DisclosureWindow(
        public_from=public_from,
        public_until=public_until,
        repair_allowed_from=base.repair_allowed_from,
        rule=rule[:RULE_MAX_LENGTH],
        archived_on=archived_on,
    )


def is_public(record: CreditRecord, as_of: dt.date | None = None) -> bool:
    """Whether the record may be shown to the public on ``as_of`` (today by default)."""
    as_of = as_of or clock.today()
    return window_for(record, as_of=as_of).contains(as_of)


def public_q(as_of: dt.date, prefix: str = "") -> Q:
    """Filter on the stored window: records public on ``as_of`` (for the portal's queries)."""
    return Q(**{f"{prefix}public_from__lte": as_of}) & (
        Q(**{f"{prefix}public_until__isnull": True}) | Q(**{f"{prefix}public_until__gt": as_of})
    )


def record_window_apply(record: CreditRecord, *, as_of: dt.date | None = None) -> DisclosureWindow:
    """Store the record's window on the instance (the caller saves and audits it)."""
    window = window_for(record, as_of=as_of)
    record.public_from = window.public_from
    record.public_until = window.public_until
    record.repair_allowed_from = window.repair_allowed_from
    record.window_rule = window.rule
    return window


# ---------------------------------------------------------------------------------------------
# Every record, set-based


class AddMonths(Func):
    """``date + n months`` clamped to the month's end, as ``add_months`` does, in SQL."""

    output_field = DateField()

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = int(months)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        n = self.months
        if connection.vendor == "postgresql":
            # PostgreSQL's month arithmetic already clamps to the month's end.
            return f"CAST(({sql}) + INTERVAL '{n} months' AS date)", params
        if connection.vendor != "sqlite":
            raise NotImplementedError(connection.vendor)
        first = f"date({sql}, 'start of month', '+{n} months')"
        last = f"date({sql}, 'start of month', '+{n + 1} months', '-1 day')"
        day = f"(CAST(strftime('%d', {sql}) AS INTEGER) - 1)"
        candidate = f"date({first}, '+' || {day} || ' days')"
        return f"min({candidate}, {last})", [*params, *params, *params]


def _date(value: dt.date | None) -> Any:
    return Value(value, output_field=DateField())


def _text(value: str) -> Any:
    return Value(value, output_field=CharField())


@dataclass(frozen=True)
class _Leaf:
    """One outcome of the rules: the base window's expressions (None: no date)."""

    public_from: Any
    public_until: Any
    repair: Any
    rule: str

    def get(self, attr: str) -> Any:
        if attr == "rule":
            return _text(self.rule)
        value = getattr(self, attr)
        return _date(None) if value is None else value


_OUTPUT = {"public_from": DateField, "public_until": DateField, "repair": DateField}


def _output(attr: str) -> Any:
    return _OUTPUT.get(attr, CharField)()


def _by_catalog_mode(attr: str, public: _Leaf, hidden: _Leaf) -> Any:
    """The outcome for a catalog item disclosed publicly, or the one for any other mode."""
    if attr != "rule" and getattr(public, attr) is None and getattr(hidden, attr) is None:
        # Not a CASE of bare NULLs: PostgreSQL would type it text and refuse it among dates.
        return _date(None)
    return Case(
        When(catalog_item__disclosure_mode=DisclosureMode.PUBLIC, then=public.get(attr)),
        default=hidden.get(attr),
        output_field=_output(attr),
    )


def _period_expr(attr: str, policy: DisclosurePolicy, severity: str, sector: str = "") -> Any:
    decision = F("decision_date")
    period = policy.period(severity, sector)
    text = policy.rule(severity, sector)
    months = _repair_months(period)
    repair = None if months is None else AddMonths(decision, months)
    if not period.published or period.max_months is None:
        return _Leaf(None, None, repair, text).get(attr)
    end = AddMonths(decision, min(period.max_months, HENAN_CAP_MONTHS))
    return _by_catalog_mode(
        attr,
        _Leaf(decision, end, repair, text),
        _Leaf(None, None, repair, CATALOG_PREFIX + text),
    )


def _policy_expr(attr: str, policy: DisclosurePolicy) -> Any:
    """The outcome under one rule, by severity and, where the rule has them, sector."""
    whens = []
    for severity in DISHONESTY:
        expr = _period_expr(attr, policy, severity)
        sectors = [
            When(catalog_item__category=sector, then=_period_expr(attr, policy, severity, sector))
            for sector, by in policy.sector_overrides.items()
            if severity in by
        ]
        if sectors:
            expr = Case(*sectors, default=expr, output_field=_output(attr))
        whens.append(When(severity=severity, then=expr))
    return Case(*whens, default=_Leaf(None, None, None, "").get(attr), output_field=_output(attr))


def _window_expr(attr: str) -> Any:
    """One base-window column (``public_from``, ``public_until``, ``repair`` or ``rule``).

    Nested the way ``_base_window`` decides (hidden → long-term → rule by decision date →
    severity → sector → catalog mode), so a row evaluates a handful of conditions, not one
    per combination of the rules.
    """
    decision = F("decision_date")
    on_person = Q(person__isnull=False)
    whens = [
        When(
            on_person & Q(procedure=DecisionProcedure.SIMPLIFIED),
            then=_Leaf(None, None, None, SIMPLIFIED_RULE).get(attr),
        ),
        When(
            on_person & Q(corrected_minor_violation=True),
            then=_Leaf(None, None, None, CORRECTED_RULE).get(attr),
        ),
    ]
    newest_first = sorted(POLICIES, key=lambda policy: policy.effective_from, reverse=True)
    by_rule = Case(
        *(
            When(decision_date__gte=policy.effective_from, then=_policy_expr(attr, policy))
            for policy in newest_first[:-1]
        ),
        default=_policy_expr(attr, newest_first[-1]),
        output_field=_output(attr),
    )
    whens.append(When(severity__in=DISHONESTY, then=by_rule))
    for severity, text in LONG_TERM_RULE.items():
        public, hidden = (
            _Leaf(decision, None, None, text),
            _Leaf(None, None, None, CATALOG_PREFIX + text),
        )
        whens.append(When(severity=severity, then=_by_catalog_mode(attr, public, hidden)))
    return Case(*whens, default=_Leaf(None, None, None, "").get(attr), output_field=_output(attr))


def _base_queryset(queryset: QuerySet[CreditRecord]) -> QuerySet[Any]:
    """Each record's window before its status is considered (``b_*``), each CASE once.

    ``b_end`` is the day a revoked or repaired record moved to its status (its transition,
    else its last update); the correlated lookup runs only for those rows.
    """
    status_end = Coalesce(
        Subquery(
            CreditRecordTransition.objects.filter(
                record=OuterRef("pk"), to_status=OuterRef("status")
            )
            .order_by("-at")
            .annotate(day=TruncDate("at", tzinfo=clock.BEIJING))
            .values("day")[:1],
            output_field=DateField(),
        ),
        TruncDate("updated_at", tzinfo=clock.BEIJING),
        output_field=DateField(),
    )
    return queryset.annotate(
        b_from=_window_expr("public_from"),
        b_until=_window_expr("public_until"),
        b_repair=_window_expr("repair"),
        b_rule=_window_expr("rule"),
        b_end=Case(
            When(status__in=ENDING_STATUSES, then=status_end),
            default=_date(None),
            output_field=DateField(),
        ),
    ).values("id", "status", "b_from", "b_until", "b_repair", "b_rule", "b_end")


def _literal(value: str) -> str:
    """A constant of this module as an SQL string literal (no quotes or ``%`` in them)."""
    if "'" in value or "%" in value:
        raise ValueError(value)
    return f"'{value}'"


def _among(column: str, values: Iterable[str]) -> str:
    return f"{column} IN ({', '.join(_literal(v) for v in values)})"


def _window_columns_sql() -> dict[str, str]:
    """The stored columns from the base window ``b``, as ``window_for`` applies the status."""
    pending, ending = _among("b.status", PENDING_STATUSES), _among("b.status", ENDING_STATUSES)
    suffixes = " ".join(
        f"WHEN {_literal(status)} THEN {_literal(text)}" for status, text in STATUS_SUFFIX.items()
    )
    return {
        "public_from": f"CASE WHEN {pending} THEN NULL ELSE b.b_from END",
        "public_until": (
            f"CASE WHEN {pending} OR b.b_from IS NULL THEN NULL "
            f"WHEN {ending} AND (b.b_until IS NULL OR b.b_end < b.b_until) THEN b.b_end "
            "ELSE b.b_until END"
        ),
        "repair_allowed_from": "b.b_repair",
        "window_rule": f"b.b_rule || CASE b.status {suffixes} ELSE '' END",
    }


def _listed_records_q() -> Q:
    """Records cited by a list entry that listed its subject (their windows may be extended)."""
    cited = CreditListEntry.basis_records.through.objects.filter(
        creditrecord_id=OuterRef("pk"),
        creditlistentry__status__in=[ListEntryStatus.LISTED, ListEntryStatus.EXITED],
        creditlistentry__listed_on__isnull=False,
    )
    return Q(Exists(cited))


WINDOW_COLUMNS = ("public_from", "public_until", "repair_allowed_from", "window_rule")


def _snapshot_columns() -> list[tuple[str, bool]]:
    """The audited columns of a record (by attribute name) and whether each holds JSON."""
    fields = {field.attname: field for field in CreditRecord._meta.concrete_fields}
    return [
        (attname, isinstance(fields[attname], JSONField))
        for attname in snapshot_attnames(CreditRecord)
    ]


# Stand-ins for a batch's id bounds while the UPDATE is compiled once for every batch.
_LO, _HI = -918_273_645, -918_273_644


def _update_statement() -> tuple[str, Callable[[int, int], list[Any]]]:
    """The UPDATE … FROM (the windows) of one id batch [lo, hi), and its parameters by batch.

    It writes only rows whose window changed and returns their audited columns, so that
    their digests need no second read. The base SELECT is fenced (``OFFSET 0``): otherwise
    both engines inline its CASE expressions wherever the outer query reads them, evaluating
    each several times a row. Compiling it takes longer than a batch's run on small tables,
    so it is compiled once and the bounds substituted.
    """
    queryset = CreditRecord.objects.filter(pk__gte=_LO, pk__lt=_HI).exclude(_listed_records_q())
    inner, inner_params = _base_queryset(queryset).query.get_compiler(using="default").as_sql()
    fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"
    quote = connection.ops.quote_name
    table = quote(CreditRecord._meta.db_table)
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    computed = _window_columns_sql()
    select = ", ".join(f"{sql} AS {quote('n_' + column)}" for column, sql in computed.items())
    sets = ", ".join(f"{quote(column)} = n.{quote('n_' + column)}" for column in WINDOW_COLUMNS)
    changed = " OR ".join(
        f"{table}.{quote(column)} {distinct} n.{quote('n_' + column)}" for column in WINDOW_COLUMNS
    )
    columns = {field.attname: field.column for field in CreditRecord._meta.concrete_fields}
    returning = ", ".join(
        f"{table}.{quote(columns[attname])}" for attname, _ in _snapshot_columns()
    )
    sql = (
        f"UPDATE {table} SET {sets} "  # noqa: S608 (built from our own names and constants)
        f"FROM (SELECT b.id AS n_id, {select} FROM ({inner} {fence}) AS b) AS n "
        # The bounds on the target too: else each batch joins against the whole table.
        f"WHERE {table}.{quote('id')} >= %s AND {table}.{quote('id')} < %s "
        f"AND {table}.{quote('id')} = n.n_id AND ({changed}) "
        f"RETURNING {returning}"
    )
    template = [*inner_params, _LO, _HI]
    if template.count(_LO) != 2 or template.count(_HI) != 2:
        raise RuntimeError("the batch bounds must appear once in the base SELECT")

    def params(lo: int, hi: int) -> list[Any]:
        return [lo if p == _LO else hi if p == _HI else p for p in template]

    return sql, params


@dataclass
class RecomputeCounts:
    """What ``windows_recompute_all`` did."""

    examined: int = 0
    changed: int = 0
    listed_examined: int = 0
    statements: int = 0
    changed_ids: list[int] = field(default_factory=list, repr=False)


def _digests(rows: Iterable[tuple[Any, ...]]) -> list[tuple[int, str]]:
    """(id, row digest) of the rows an UPDATE returned (``_snapshot_columns`` order)."""
    digest_of = sequence_digester(CreditRecord)
    columns = _snapshot_columns()
    position = [attname for attname, _ in columns].index("id")
    # Both engines hand a JSON column back as its text (Django decodes it on reading).
    json_positions = [i for i, (_, is_json) in enumerate(columns) if is_json]
    members = []
    for row in rows:
        values = list(row)
        for i in json_positions:
            if isinstance(values[i], str):
                values[i] = json.loads(values[i])
        members.append((row[position], digest_of(values)))
    return members


def _read_digests(cursor: Any) -> list[tuple[int, str]]:
    return _digests(cursor.fetchall())


def _update_batches(
    first: int, last: int, batch_size: int, counts: RecomputeCounts
) -> list[tuple[int, str]]:
    """Run the UPDATE over every id batch; (id, digest) of each changed row.

    Each batch's returned rows are digested in a second thread while the database runs the
    next batch (the driver releases the GIL while it waits on the server), so the audit costs
    little beyond the writes. On PostgreSQL that thread also reads the rows: the client holds
    a batch's whole result once ``execute`` returns, and reading it does not touch the
    connection, so each batch has its own cursor, closed here once read. SQLite's cursors step
    the statement as they are read, so there the rows are read first, in this thread.
    """
    sql, params = _update_statement()
    members: list[tuple[int, str]] = []
    with ThreadPoolExecutor(max_workers=1) as reader:
        batches = []
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # The planner rates the big CASE as costly and JIT-compiles it for every
                    # batch, which takes longer (about 1.5 s a batch) than running it plainly.
                    cursor.execute("SET LOCAL jit = off")
            for lo in range(first, last + 1, batch_size):
                cursor = connection.cursor()
                cursor.execute(sql, params(lo, lo + batch_size))
                if connection.vendor == "postgresql":
                    future = reader.submit(_read_digests, cursor)
                else:
                    future = reader.submit(_digests, cursor.fetchall())
                batches.append((cursor, future))
                counts.statements += 1
            for _, future in batches:
                members.extend(future.result())
        finally:
            for cursor, future in batches:
                future.cancel()
                futures_wait([future])
                cursor.close()
    return members


def _listed_recompute(as_of: dt.date) -> tuple[list[tuple[int, str]], int]:
    """Records cited by a list (few): ``window_for`` with the lists as of ``as_of``."""
    listed = CreditRecord.objects.filter(_listed_records_q()).select_related("catalog_item")
    updates, examined = [], 0
    for record in listed.iterator(chunk_size=2000):
        examined += 1
        before = [getattr(record, column) for column in WINDOW_COLUMNS]
        record_window_apply(record, as_of=as_of)
        if [getattr(record, column) for column in WINDOW_COLUMNS] != before:
            updates.append(record)
    if not updates:
        return [], examined
    CreditRecord.objects.bulk_update(updates, list(WINDOW_COLUMNS), batch_size=2000)
    digest_of = row_digester(CreditRecord)
    attnames = snapshot_attnames(CreditRecord)
    rows = CreditRecord.objects.filter(pk__in=[r.pk for r in updates]).values(*attnames)
    return [(row["id"], digest_of(row)) for row in rows], examined


@transaction.atomic
def windows_recompute_all(
    *, actor: Any, as_of: dt.date | None = None, batch_size: int = 25_000
) -> RecomputeCounts:
    """Recompute and store every record's disclosure window; audit the changed rows as one batch.

    Records not cited by a list are updated by one set-based UPDATE per ``batch_size`` ids,
    which writes only rows whose window changed and returns them; records cited by a list
    entry (few) go through ``window_for`` with the lists as of ``as_of``. One bulk audit entry
    lists every changed row with its digest; nothing changed → no entry.
    """
    as_of = as_of or clock.today()
    counts = RecomputeCounts()
    ids = CreditRecord.objects.aggregate(first=Min("pk"), last=Max("pk"))
    members: list[tuple[int, str]] = []
    if ids["first"] is not None:
        members = _update_batches(ids["first"], ids["last"], batch_size, counts)
    listed_members, counts.listed_examined = _listed_recompute(as_of)
    if listed_members:
        members.extend(listed_members)
        counts.statements += 1
    members.sort()
    counts.examined = CreditRecord.objects.count()
    counts.changed = len(members)
    counts.changed_ids = [pk for pk, _ in members]
    if members:
        audit_append_bulk(
            actor=actor,
            action="credit_record.window_recompute",
            model=CreditRecord,
            members=members,
            reason=f"公示期限重算 / disclosure windows recomputed as of {as_of.isoformat()}",
        )
    return counts
