"""Public reads: only what is inside a public disclosure window, never a minor, never a number.

Everything the portal shows goes through this module. A record is public on ``as_of`` when it
is effective or under objection, its catalog item is disclosed publicly (公开公示), and
``records.windows.public_q`` holds on it (public from ``public_from`` up to, not including,
``public_until``; no ``public_until``: long-term). Records of people
decided under the simplified procedure, or minor violations the person corrected, are never
public. Nothing about a person under 18 today (or of unknown age) is public, and a record
decided while its person was a minor (``made_while_minor``, ``records.minors``) never is,
whatever their age now.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import pgettext, pgettext_lazy

from educredit.audit.selectors import audit_last_change_of
from educredit.catalog.choices import DisclosureMode
from educredit.catalog.models import CatalogItem
from educredit.catalog.schema import public_fields as catalog_public_fields
from educredit.core.clock import BEIJING, today
from educredit.core.crypto import blind_index, normalise_document_number
from educredit.disclosure import national
from educredit.disclosure.mapping import public_row, published_fields
from educredit.disclosure.validation import is_long_term, parse_date
from educredit.portal.models import InstitutionSearchTerm
from educredit.portal.search import normalise
from educredit.records.choices import (
    CreditListKind,
    CreditRecordStatus,
    DecisionProcedure,
    ListEntryStatus,
)
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.records.windows import public_q
from educredit.subjects.choices import InstitutionKind, InstitutionLevel
from educredit.subjects.models import Institution, Person
from educredit.subjects.regions import region_name

PUBLIC_STATUSES = (CreditRecordStatus.EFFECTIVE, CreditRecordStatus.UNDER_OBJECTION)
# Lists shown on the portal (the focus list is a supervision tool, not published).
PUBLIC_LIST_KINDS = (CreditListKind.RED, CreditListKind.SERIOUS)
ADULT_AGE = 18

# An 18-character resident ID: region, birth date (19xx/20xx), serial, check character.
RESIDENT_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)


def mask_identity_numbers(text: str) -> str:
    """Mask anything shaped like a resident ID inside free text (first 6 and last 4 kept)."""
    return RESIDENT_ID_RE.sub(lambda m: m.group()[:6] + "*" * 8 + m.group()[-4:], text)


def public_as_of(value: str | None) -> dt.date:
    """The date the portal answers for: ``?as_of=YYYY-MM-DD`` if today or later, else today.

    A past date would bring back information whose window has closed, so it is refused.
    """
    current = today()
    if not value:
        return current
    try:
        wanted = dt.date.fromisoformat(value.strip())
    except ValueError:
        return current
    return max(wanted, current)


def is_adult(person: Person, *, on: dt.date | None = None) -> bool:
    """Whether the person is 18 or older today; unknown birth dates count as not adult."""
    if person.birth_date is None:
        return False
    day = on or today()
    born = person.birth_date
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age >= ADULT_AGE


def _adult_born_before(on: dt.date) -> dt.date:
    """Latest birth date of someone who is 18 on ``on`` (29 Feb maps to 28 Feb)."""
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:
        return on.replace(year=on.year - ADULT_AGE, day=28)


def public_records_q(as_of: dt.date) -> Q:
    """The condition a record meets while it is public on ``as_of``."""
    return (
        Q(status__in=PUBLIC_STATUSES)
        & Q(catalog_item__disclosure_mode=DisclosureMode.PUBLIC)
        & Q(public_from__isnull=False)
        & public_q(as_of)
        # Decided before the 18th birthday: closed for good (Henan §3), not only until 18.
        & Q(made_while_minor=False)
        & (
            Q(person__isnull=True)
            | (
                ~Q(procedure=DecisionProcedure.SIMPLIFIED)
                & Q(corrected_minor_violation=False)
                & Q(person__birth_date__lte=_adult_born_before(today()))
            )
        )
    )


def public_records(as_of: dt.date) -> QuerySet[CreditRecord]:
    """Every record public on ``as_of``, with what its card shows (item, 双公示 decision …).

    The subject and organisation come along because a 双公示 decision's national row names
    the party and the data source: joined here, the page's query count stays fixed.
    """
    return (
        CreditRecord.objects.filter(public_records_q(as_of))
        .select_related(
            "catalog_item", "disclosure_decision", "institution", "person", "organisation"
        )
        .order_by("-decision_date", "-pk")
    )


def institution_public_records(institution: Institution, as_of: dt.date) -> QuerySet[CreditRecord]:
    """An institution's public records (never those of its staff or students)."""
    return public_records(as_of).filter(institution=institution)


def person_public_records(person: Person, as_of: dt.date) -> QuerySet[CreditRecord]:
    """A person's public records (none for a minor)."""
    return public_records(as_of).filter(person=person)


# The portal lists at most this many institutions for one search; beyond it, the visitor is
# asked to refine the query (a broad query such as "郑州市" would otherwise count and sort
# thousands of institutions on every request).
SEARCH_CAP = 200


# The short names of the public lists on a search hit.
BADGE_LABELS: dict[str, Any] = {
    CreditListKind.RED: pgettext_lazy("名单徽标", "红名单"),
    CreditListKind.SERIOUS: pgettext_lazy("名单徽标", "严重失信主体名单"),
}


@dataclass(frozen=True)
class ListBadge:
    """A public list an institution is on today, for a search hit (红名单 / 严重失信主体名单)."""

    kind: str
    label: str
    listed_on: dt.date
    valid_until: dt.date | None


@dataclass(frozen=True)
class InstitutionHit:
    """One institution in the portal's search results: what the result list shows."""

    pk: int
    public_id: uuid.UUID
    name: str
    uscc: str | None
    former_names: tuple[str, ...] = ()
    kind: str = ""
    level: str = ""
    region_code: str = ""
    aliases: tuple[str, ...] = ()
    badges: tuple[ListBadge, ...] = ()

    @property
    def kind_label(self) -> str:
        """The institution's type (and level), in the reader's language."""
        parts = []
        if self.kind in InstitutionKind.values:
            parts.append(str(InstitutionKind(self.kind).label))
        if self.level and self.level in InstitutionLevel.values:
            parts.append(str(InstitutionLevel(self.level).label))
        return " · ".join(parts)

    @property
    def region_name(self) -> str:
        return region_name(self.region_code) if self.region_code else ""


@dataclass(frozen=True)
class InstitutionSearch:
    """The institutions a portal search shows (at most ``SEARCH_CAP``, by name)."""

    institutions: list[InstitutionHit]
    # True when more than SEARCH_CAP institutions match: the list is then a bounded part.
    over_cap: bool


def institution_search_public(q: str, *, as_of: dt.date | None = None) -> InstitutionSearch:
    """Institutions whose name, former name, alias, pinyin, initials or USCC matches ``q``.

    A prefix match on the indexed ``InstitutionSearchTerm.term`` (which holds every suffix
    of each name), so "理工", "zzdx", "zhengzhoudaxue", "郑大" (an alias) and a USCC all hit
    the index. One query: the matching institutions ranked by their lexically first matching
    term (an exact term first, then alphabetically by what follows the query), cut at
    ``SEARCH_CAP`` + 1 to tell whether there are more, then listed — those with a term equal
    to the query (the exact name, alias or code) first, the rest by name — with their kind,
    region, former names and aliases. The cut happens inside a grouped subquery of the term
    table alone, so the database has no LIMIT to push into a join (the plan that walks every
    institution hoping to find the first matches early). A second query brings the public
    lists the hits are on (``as_of``, default today): two queries whatever the number of hits.
    """
    term = normalise(q)
    if not term:
        return InstitutionSearch([], over_cap=False)
    ranked = (
        InstitutionSearchTerm.objects.filter(term__startswith=term)
        .values("institution_id")
        .annotate(first_term=Min("term"))
        .order_by("first_term", "institution_id")
        .values("institution_id")[: SEARCH_CAP + 1]
    )
    exact = InstitutionSearchTerm.objects.filter(institution_id=OuterRef("pk"), term=term)
    rows = (
        Institution.objects.filter(pk__in=ranked)
        .annotate(exact=Exists(exact))
        .order_by(
            F("exact").desc(),
            "name",
            "pk",
            F("former_names__used_until").desc(),
            "former_names__pk",
            "aliases__name",
        )
        .values_list(
            "pk",
            "public_id",
            "name",
            "uscc",
            "kind",
            "level",
            "region_code",
            "former_names__name",
            "aliases__name",
        )
    )
    # One row per former name and alias (LEFT JOINs), so the page needs no query per hit.
    found: dict[int, dict[str, Any]] = {}
    for pk, public_id, name, uscc, kind, level, region, former, alias in rows:
        hit = found.setdefault(
            pk,
            {
                "public_id": public_id,
                "name": name,
                "uscc": uscc,
                "kind": kind,
                "level": level,
                "region_code": region,
                "former": {},
                "aliases": {},
            },
        )
        if former is not None:
            hit["former"][former] = None
        if alias is not None:
            hit["aliases"][alias] = None
    # Over the cap the list stays a fixed set (the SEARCH_CAP + 1 best ranked less the last
    # listed), so paging through it is stable.
    kept = dict(list(found.items())[:SEARCH_CAP])
    badges = _list_badges(list(kept), as_of or today())
    hits = [
        InstitutionHit(
            pk,
            hit["public_id"],
            hit["name"],
            hit["uscc"],
            tuple(hit["former"]),
            kind=hit["kind"],
            level=hit["level"],
            region_code=hit["region_code"],
            aliases=tuple(hit["aliases"]),
            badges=tuple(badges.get(pk, ())),
        )
        for pk, hit in kept.items()
    ]
    return InstitutionSearch(hits, over_cap=len(found) > SEARCH_CAP)


def _list_badges(institution_ids: list[int], as_of: dt.date) -> dict[int, list[ListBadge]]:
    """The public lists (red, serious) each institution is on, in one query.

    The focus list (重点关注) is not among them: it is a supervision tool, not published.
    """
    if not institution_ids:
        return {}
    rows = (
        CreditListEntry.objects.filter(
            _public_list_entries_q(as_of), institution_id__in=institution_ids
        )
        .order_by("institution_id", "kind", "-listed_on", "-pk")
        .values_list("institution_id", "kind", "listed_on", "valid_until")
    )
    badges: dict[int, list[ListBadge]] = {}
    for institution_id, kind, listed_on, valid_until in rows:
        shown = badges.setdefault(institution_id, [])
        if listed_on is None or any(badge.kind == kind for badge in shown):
            continue  # the latest listing of each kind is enough for a result line
        label = str(BADGE_LABELS.get(kind, CreditListKind(kind).label))
        shown.append(ListBadge(kind, label, listed_on, valid_until))
    return badges


def institution_public(public_id: Any) -> Institution | None:
    """An institution by public id (institutions are public subjects), or None."""
    return Institution.objects.filter(public_id=public_id).first()


def person_lookup_public(*, name: str, document_type: str, id_number: str) -> Person | None:
    """The adult person with exactly this name and document number, else None.

    None whether the person is unknown, named differently or under 18: the caller must not
    be able to tell these apart.
    """
    number = normalise_document_number(id_number)
    if not number or not name.strip():
        return None
    person = Person.objects.filter(
        document_type=document_type, id_number_index=blind_index(number)
    ).first()
    if person is None or person.name != " ".join(name.split()) or not is_adult(person):
        return None
    return person


# How long an exit notice (退出公告, Henan regulation §37) stays on the lists page and in the
# open-data file. No rule found sets it (domain-rules §11); a year lets the public see that an
# institution left a list without keeping its name beside the list for good.
EXIT_NOTICE_DAYS = 365


def _on_list_q(as_of: dt.date) -> Q:
    """Listed on ``as_of``: confirmed, within validity, and not yet exited on that day.

    An exit dated later than ``as_of`` leaves the entry on the list until that day (its
    notice is published on the exit date), as ``records.lists.public_list_entries`` has it.
    """
    return (
        Q(kind__in=PUBLIC_LIST_KINDS)
        & Q(status__in=(ListEntryStatus.LISTED, ListEntryStatus.EXITED))
        & Q(listed_on__isnull=False, listed_on__lte=as_of)
        & (Q(exited_on__isnull=True) | Q(exited_on__gt=as_of))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=as_of))
    )


def _public_list_entries_q(as_of: dt.date) -> Q:
    return _on_list_q(as_of) & Q(institution__isnull=False)


def _exit_notices_q(as_of: dt.date) -> Q:
    return (
        Q(kind__in=PUBLIC_LIST_KINDS)
        & Q(institution__isnull=False)
        & Q(status=ListEntryStatus.EXITED)
        & Q(exited_on__isnull=False, exited_on__lte=as_of)
        & Q(exited_on__gt=as_of - dt.timedelta(days=EXIT_NOTICE_DAYS))
        & ~Q(exit_notice="")
    )


def public_list_entries(kind: str, as_of: dt.date) -> QuerySet[CreditListEntry]:
    """Institutions on the red or serious-dishonesty list on ``as_of``.

    People are never listed on a browsable page: their entries show only on the result of an
    exact look-up.
    """
    return (
        CreditListEntry.objects.filter(_public_list_entries_q(as_of), kind=kind)
        .select_related("institution", "organisation")
        .order_by("-listed_on", "-pk")
    )


def public_exit_notices(as_of: dt.date) -> QuerySet[CreditListEntry]:
    """Exits of institutions from the public lists in the last year (移出公告), newest first."""
    return (
        CreditListEntry.objects.filter(_exit_notices_q(as_of))
        .select_related("institution", "organisation")
        .order_by("-exited_on", "-pk")
    )


def open_data_entries(as_of: dt.date) -> list[CreditListEntry]:
    """The open-data file's entries: institutions on a public list, then recent exits.

    Exactly what the lists page publishes (institutions only: people are never on a
    browsable page or in a bulk file), in one query.
    """
    rows = list(
        CreditListEntry.objects.filter(_public_list_entries_q(as_of) | _exit_notices_q(as_of))
        .select_related("institution", "organisation")
        .order_by("kind", "-listed_on", "-pk")
    )
    current = [e for e in rows if e.exited_on is None or e.exited_on > as_of]
    exits = [e for e in rows if e.exited_on is not None and e.exited_on <= as_of]
    exits.sort(key=lambda e: (e.exited_on, e.pk), reverse=True)
    return current + exits


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BEIJING)


def open_data_changed_at(as_of: dt.date) -> dt.datetime:
    """When the open-data file last changed: the later of the last audited change of a list
    entry and the last day on which an entry was listed, expired, exited or its notice lapsed.

    The days matter because the file changes at midnight without anyone writing (a validity
    ends); the audit time because a change is not always dated today (a back-dated listing).
    Two aggregate queries whatever the number of entries.
    """
    days = CreditListEntry.objects.filter(
        kind__in=PUBLIC_LIST_KINDS, institution__isnull=False
    ).aggregate(
        listed=Max("listed_on", filter=Q(listed_on__lte=as_of)),
        expired=Max("valid_until", filter=Q(valid_until__lt=as_of)),
        exited=Max("exited_on", filter=Q(exited_on__lte=as_of)),
        lapsed=Max(
            "exited_on", filter=Q(exited_on__lte=as_of - dt.timedelta(days=EXIT_NOTICE_DAYS))
        ),
    )
    moments = [
        days["listed"],
        days["exited"],
        days["expired"] and days["expired"] + dt.timedelta(days=1),
        days["lapsed"] and days["lapsed"] + dt.timedelta(days=EXIT_NOTICE_DAYS),
    ]
    changed = [_midnight(day) for day in moments if day is not None]
    audited = audit_last_change_of(CreditListEntry)  # one aggregate; nothing of it is shown
    if audited is not None:
        changed.append(audited)
    # Never later than now (a clock moved by ?as_of is not a change), never before the epoch.
    return min(max(changed, default=_midnight(dt.date(2020, 5, 1))), timezone.now())


def subject_public_list_entries(
    as_of: dt.date, *, institution: Institution | None = None, person: Person | None = None
) -> QuerySet[CreditListEntry]:
    """The public list entries of one subject (a person's only after an exact look-up)."""
    q = _on_list_q(as_of)
    if institution is not None:
        q &= Q(institution=institution)
    elif person is not None:
        q &= Q(person=person)
    else:
        return CreditListEntry.objects.none()
    # An entry citing a record made while the person was a minor is never published.
    return (
        CreditListEntry.objects.filter(q)
        .exclude(basis_records__made_while_minor=True)
        .order_by("-listed_on", "-pk")
    )


@dataclass(frozen=True)
class PublicField:
    label: str
    value: str


def public_fields(item: CatalogItem) -> list[dict[str, Any]]:
    """The item's field definitions the catalog lets the portal show (``public: true``)."""
    names = set(catalog_public_fields(item))
    return [f for f in item.field_schema or [] if isinstance(f, dict) and f.get("name") in names]


def record_public_fields(record: CreditRecord) -> list[PublicField]:
    """The record's payload restricted to its item's public fields, numbers masked."""
    shown = []
    payload = record.payload or {}
    for field in public_fields(record.catalog_item):
        value = payload.get(field.get("name", ""))
        if value in (None, ""):
            continue
        shown.append(
            PublicField(str(field.get("label") or field["name"]), mask_identity_numbers(str(value)))
        )
    return shown


# Code-table values the standard publishes as codes or Chinese terms, shown in the reader's
# language (other values are the decision's own data and stay as entered). A context keeps
# them apart from the same words other apps translate differently ("自然人" = "People" …).
_CODED_VALUES: dict[str, dict[str, Any]] = {
    "XK_ZT": {"1": pgettext_lazy("双公示", "有效"), "2": pgettext_lazy("双公示", "无效")},
    "XDR_LB": {
        national.PARTY_ORGANISATION: pgettext_lazy("双公示", "法人及非法人组织"),
        national.PARTY_PERSON: pgettext_lazy("双公示", "自然人"),
        national.PARTY_SOLE_TRADER: pgettext_lazy("双公示", "个体工商户"),
    },
}


def _national_label(field: national.NationalField) -> str:
    # The standard's Chinese name is the label; English readers get national.py's gloss.
    if translation.get_language() == "en" and field.english:
        return field.english[0].upper() + field.english[1:]
    return field.name


def _national_value(field: national.NationalField, value: Any) -> str:
    text = str(value).strip()
    if field.type == "date":
        day = parse_date(text)
        if day is not None:
            # 2099-12-31 is the standard's way of writing 长期 (long-term).
            return pgettext("双公示", "长期") if is_long_term(day) else day.isoformat()
        return text
    coded = _CODED_VALUES.get(field.code) or _CODED_VALUES.get(field.code[3:], {})
    if text in coded:
        return str(coded[text])
    return mask_identity_numbers(text)


def record_national_fields(record: CreditRecord) -> list[PublicField] | None:
    """A 双公示 record's fields as the national standard publishes them, else None.

    Only fields the layout marks ``published`` (never a person's or legal representative's
    document number), labelled with the standard's names, dates as YYYY-MM-DD.
    """
    fields = published_fields(record)
    if fields is None:
        return None
    return [
        PublicField(_national_label(field), _national_value(field, value))
        for field, value in fields
        # A sealed value is an identity number; published fields never hold one, but a
        # mapping is not shown as text whatever it is.
        if not isinstance(value, dict)
    ]


# --- 双公示: the disclosure table ----------------------------------------------------------

# The tabs of /disclosure/: licences and penalties are the records with a 双公示 decision of
# that kind; every other public record of an institution is 其他公示信息.
TAB_LICENCE, TAB_PENALTY, TAB_OTHER = "licence", "penalty", "other"
DISCLOSURE_TABS = (TAB_LICENCE, TAB_PENALTY, TAB_OTHER)
# At most this many rows go into one export of the table (the page says so).
DISCLOSURE_EXPORT_CAP = 5000
# The payload field holding a decision's 许可类别 / 处罚类别 (disclosure.mapping.PAYLOAD_FIELDS).
_CATEGORY_FIELDS = {TAB_LICENCE: "licence_category", TAB_PENALTY: "penalty_category"}


@dataclass(frozen=True)
class DisclosureFilter:
    """What a visitor asked of the disclosure table (every part optional)."""

    tab: str = TAB_LICENCE
    q: str = ""  # party name (also former name, short name, pinyin) or credit code
    body: str = ""  # part of the deciding body's name (决定机关)
    region: str = ""  # a city's (or the province's) code: the institution's region
    category: str = ""  # 许可类别 / 处罚类别, or the catalog's 信息类别 on the other tab
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    oldest_first: bool = False


def _tab_q(tab: str) -> Q:
    if tab == TAB_OTHER:
        return Q(disclosure_decision__isnull=True)
    return Q(disclosure_decision__kind=tab)


def _disclosure_common(as_of: dt.date, flt: DisclosureFilter) -> QuerySet[CreditRecord]:
    """Institutions' public records narrowed by everything but the tab and category.

    Only institutions: people are never browsable (a person's public records show only on
    the answer to an exact look-up by name and number, ADR 0015).
    """
    records = public_records(as_of).filter(institution__isnull=False)
    term = normalise(flt.q)
    if term:
        # The search index: names, former names, short names, pinyin and credit codes.
        matching = InstitutionSearchTerm.objects.filter(term__startswith=term)
        records = records.filter(institution_id__in=matching.values("institution_id"))
    if flt.body.strip():
        records = records.filter(issuing_body__contains=flt.body.strip())
    if flt.region:
        if flt.region.endswith("0000"):
            records = records.filter(institution__region_code__startswith=flt.region[:2])
        elif flt.region.endswith("00"):
            records = records.filter(institution__region_code__startswith=flt.region[:4])
        else:
            records = records.filter(institution__region_code=flt.region)
    if flt.date_from is not None:
        records = records.filter(decision_date__gte=flt.date_from)
    if flt.date_to is not None:
        records = records.filter(decision_date__lte=flt.date_to)
    return records


def disclosure_records(as_of: dt.date, flt: DisclosureFilter) -> QuerySet[CreditRecord]:
    """The rows of the disclosure table: one tab, filtered, newest (or oldest) decision first."""
    records = _disclosure_common(as_of, flt).filter(_tab_q(flt.tab))
    if flt.category:
        field = _CATEGORY_FIELDS.get(flt.tab)
        if field is not None:
            # 处罚类别 may hold several categories joined by ";" (domain rules §1.2a).
            records = records.filter(**{f"payload__{field}__icontains": flt.category})
        else:
            records = records.filter(catalog_item__category=flt.category)
    if flt.oldest_first:
        return records.order_by("decision_date", "pk")
    return records.order_by("-decision_date", "-pk")


def disclosure_tab_counts(as_of: dt.date, flt: DisclosureFilter) -> dict[str, int]:
    """How many rows each tab has under the filter (its category aside): one query."""
    counts = _disclosure_common(as_of, flt).aggregate(
        **{tab: Count("pk", filter=_tab_q(tab)) for tab in DISCLOSURE_TABS}
    )
    return {tab: int(counts[tab] or 0) for tab in DISCLOSURE_TABS}


def disclosure_record_public(public_id: Any, as_of: dt.date) -> CreditRecord | None:
    """One row of the disclosure table by its public id, while it is public; else None."""
    try:
        wanted = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return public_records(as_of).filter(institution__isnull=False, public_id=wanted).first()


def record_category(record: CreditRecord) -> str:
    """What the table's 类别 column shows: 许可类别 / 处罚类别 of a decision, else the catalog
    item's name."""
    decision = getattr(record, "disclosure_decision", None)
    if decision is not None:
        field = _CATEGORY_FIELDS.get(decision.kind, "")
        value = (record.payload or {}).get(field)
        return str(value) if value not in (None, "") else ""
    return record.catalog_item.name


def disclosure_export_rows(
    records: QuerySet[CreditRecord], tab: str
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of an export of the table: published fields only, at most
    ``DISCLOSURE_EXPORT_CAP`` rows, in one query.

    A licence or penalty row is the national layout's published fields (never a document
    number) as the detail page shows them; another record is its subject, item, decision and
    its catalog item's public fields.
    """
    chosen = list(records[:DISCLOSURE_EXPORT_CAP])
    if tab in (TAB_LICENCE, TAB_PENALTY):
        fields = [f for f in national.layout(tab) if f.published]
        headers = [_national_label(f) for f in fields]
        rows = []
        for record in chosen:
            row = public_row(record, kind=tab)
            rows.append(
                [
                    _national_value(f, row[f.code])
                    if f.code in row and not isinstance(row[f.code], dict)
                    else ""
                    for f in fields
                ]
            )
        return headers, rows
    headers = [
        str(pgettext("公示表", "主体名称")),
        str(pgettext("公示表", "统一社会信用代码")),
        str(pgettext("公示表", "信息类别")),
        str(pgettext("公示表", "事由")),
        str(pgettext("公示表", "认定单位")),
        str(pgettext("公示表", "决定文书号")),
        str(pgettext("公示表", "决定日期")),
        str(pgettext("公示表", "公开信息项")),
        str(pgettext("公示表", "公示期至")),
    ]
    rows = []
    for record in chosen:
        institution = record.institution
        last_day = record.public_until - dt.timedelta(days=1) if record.public_until else None
        rows.append(
            [
                institution.name if institution else "",
                (institution.uscc or "") if institution else "",
                record.catalog_item.name,
                mask_identity_numbers(record.title),
                record.issuing_body,
                record.decision_number,
                record.decision_date.isoformat(),
                "；".join(f"{f.label}：{f.value}" for f in record_public_fields(record)),
                last_day.isoformat() if last_day else str(pgettext("双公示", "长期")),
            ]
        )
    return headers, rows


# --- the home page's counts ----------------------------------------------------------------


@dataclass(frozen=True)
class HomeCounts:
    """The live figures on the portal's home cards."""

    licences: int
    penalties: int
    other_records: int
    red: int
    serious: int
    institutions: int


def home_counts(as_of: dt.date) -> HomeCounts:
    """What the home cards count, in three aggregate queries whatever the data."""
    records = CreditRecord.objects.filter(
        public_records_q(as_of), institution__isnull=False
    ).aggregate(**{tab: Count("pk", filter=_tab_q(tab)) for tab in DISCLOSURE_TABS})
    entries = CreditListEntry.objects.filter(_public_list_entries_q(as_of)).aggregate(
        red=Count("institution", filter=Q(kind=CreditListKind.RED), distinct=True),
        serious=Count("institution", filter=Q(kind=CreditListKind.SERIOUS), distinct=True),
    )
    return HomeCounts(
        licences=int(records[TAB_LICENCE] or 0),
        penalties=int(records[TAB_PENALTY] or 0),
        other_records=int(records[TAB_OTHER] or 0),
        red=int(entries["red"] or 0),
        serious=int(entries["serious"] or 0),
        institutions=Institution.objects.count(),
    )
