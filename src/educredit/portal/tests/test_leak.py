"""THE leak test: every public page, for subjects carrying every kind of record in every state.

An institution, an adult teacher and a minor student each carry a record of every catalog item
(the seeded catalog, plus one item per disclosure mode and severity) in every status, with
windows in the past, current, in the future, never opened and long-term, and list entries of
every kind and status. Every public page is rendered and searched for what must not be there:
anything outside a public window, anything about the minor, any unmasked identity number, any
field the catalog does not publish.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest

from educredit.catalog.choices import DisclosureMode, Severity
from educredit.catalog.models import CatalogItem
from educredit.core.clock import today
from educredit.portal.selectors import RESIDENT_ID_RE
from educredit.portal.tests.conftest import birth_for_age, public_item
from educredit.records.choices import (
    CreditListKind,
    CreditRecordStatus,
    DecisionProcedure,
    ListEntryStatus,
)
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.subjects.tests.factories import resident_id

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
ADULT_NUMBER = resident_id(11, born="19800101")
MINOR_NUMBER = resident_id(12, born=birth_for_age(15))
RECORD = re.compile(r"记录(\d{5})号")
ENTRY = re.compile(r"名单(\d{4})条")
EXIT = re.compile(r"移出(\d{4})告")
SECRET = "内部不公开"


def windows(current: dt.date) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    return {
        "past": (current - 400 * DAY, current - DAY),
        # Half-open windows: one that ends today is no longer public today.
        "ended_today": (current - 100 * DAY, current),
        "current": (current - 10 * DAY, current + 30 * DAY),
        "future": (current + 60 * DAY, current + 400 * DAY),
        "never": (None, None),
        "long_term": (current - 10 * DAY, None),
    }


def marker(pattern: re.Pattern[str], text: str) -> int:
    """The serial number a title, reason or notice carries."""
    found = pattern.fullmatch(text)
    assert found is not None, text
    return int(found.group(1))


def is_public(record: CreditRecord, *, adult_id: int, as_of: dt.date) -> bool:
    """The rule, stated independently of the code under test."""
    if record.person_id is not None and (
        record.person_id != adult_id
        or record.procedure == DecisionProcedure.SIMPLIFIED
        or record.corrected_minor_violation
    ):
        return False
    return (
        record.status in ("effective", "under_objection")
        and record.catalog_item.disclosure_mode == DisclosureMode.PUBLIC
        and record.public_from is not None
        and record.public_from <= as_of
        and (record.public_until is None or record.public_until > as_of)
    )


@pytest.fixture
def world(zzu, adult, minor, county) -> dict[str, Any]:
    from educredit.catalog.services import catalog_version_seed

    current = today()
    catalog_version_seed(actor="system:test")  # the shipped catalog: every real item
    for mode, severity in itertools.product(DisclosureMode.values, Severity.values):
        public_item(disclosure_mode=mode, severity=severity, name=f"{mode}-{severity}")
    items = list(CatalogItem.objects.all())
    assert len(items) > 2 * len(DisclosureMode.values) * len(Severity.values)
    serial = itertools.count(1)
    records = []
    subjects = [{"institution": zzu}, {"person": adult}, {"person": minor}]
    for item, subject, status, (from_, until) in itertools.product(
        items, subjects, CreditRecordStatus.values, windows(current).values()
    ):
        n = next(serial)
        payload = {
            field["name"]: (f"公开值{n}" if field.get("public") else f"{SECRET} {ADULT_NUMBER}")
            for field in item.field_schema
            if isinstance(field, dict) and "name" in field
        }
        records.append(
            CreditRecord(
                catalog_item=item,
                organisation=county,
                status=status,
                severity=item.severity,
                title=f"记录{n:05d}号",
                decision_number=f"文号{n}",
                issuing_body="郑州市教育局",
                decision_date=current - 30 * DAY,
                payload=payload,
                public_from=from_,
                public_until=until,
                window_rule="测试规则",
                **subject,
            )
        )
    # Records of a person that are never public whatever their window (§13 exemptions).
    anchor = public_item()
    for extra in ({"procedure": DecisionProcedure.SIMPLIFIED}, {"corrected_minor_violation": True}):
        n = next(serial)
        records.append(
            CreditRecord(
                catalog_item=anchor,
                organisation=county,
                status="effective",
                person=adult,
                severity=anchor.severity,
                title=f"记录{n:05d}号",
                issuing_body="郑州市教育局",
                decision_date=current,
                public_from=current - DAY,
                **extra,
            )
        )
    CreditRecord.objects.bulk_create(records)
    entries = []
    for subject, kind, status in itertools.product(
        subjects, CreditListKind.values, ListEntryStatus.values
    ):
        for listed_on, valid_until in (
            (current - 10 * DAY, None),
            (current - 400 * DAY, current - DAY),
            (current + 5 * DAY, None),
        ):
            n = next(serial)
            entries.append(
                CreditListEntry(
                    kind=kind,
                    organisation=county,
                    status=status,
                    reason=f"名单{n:04d}条",
                    listed_on=listed_on,
                    valid_until=valid_until,
                    exited_on=current - DAY if status == ListEntryStatus.EXITED else None,
                    exit_notice=f"移出{n:04d}告",
                    **subject,
                )
            )
    CreditListEntry.objects.bulk_create(entries)
    return {"zzu": zzu, "adult": adult, "minor": minor}


def collect(client, url: str, **params: Any) -> list[str]:
    """Every page of a paginated GET page."""
    pages: list[str] = []
    for number in range(1, 100):
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200, url
        html = response.content.decode()
        pages.append(html)
        if f"page={number + 1}" not in html:
            break
    return pages


def lookup(client, name: str, number: str, **extra: str) -> str:
    data = {"name": name, "document_type": "resident_id", "id_number": number, **extra}
    response = client.post("/query/person/", data)
    assert response.status_code == 200
    return str(response.content.decode())


def check(
    html: str,
    *,
    allowed_records: set[int],
    allowed_entries: set[int],
    allowed_exits: set[int],
    minor: Any,
) -> tuple[set[int], set[int]]:
    records = {int(n) for n in RECORD.findall(html)}
    entries = {int(n) for n in ENTRY.findall(html)}
    assert records <= allowed_records, sorted(records - allowed_records)
    assert entries <= allowed_entries, sorted(entries - allowed_entries)
    assert {int(n) for n in EXIT.findall(html)} <= allowed_exits
    assert not RESIDENT_ID_RE.search(html), RESIDENT_ID_RE.findall(html)
    assert ADULT_NUMBER not in html and MINOR_NUMBER not in html
    assert SECRET not in html
    assert minor.name not in html and minor.id_number_masked not in html
    return records, entries


@pytest.mark.parametrize("days_ahead", [0, 45, 500])
def test_no_public_page_leaks(client, world, days_ahead):
    zzu, adult, minor = world["zzu"], world["adult"], world["minor"]
    as_of = today() + days_ahead * DAY
    params = {"as_of": as_of.isoformat()} if days_ahead else {}
    rows = CreditRecord.objects.select_related("catalog_item")
    public = {r for r in rows if is_public(r, adult_id=adult.pk, as_of=as_of)}
    of_institution = {marker(RECORD, r.title) for r in public if r.institution_id == zzu.pk}
    of_adult = {marker(RECORD, r.title) for r in public if r.person_id == adult.pk}
    listed = {
        marker(ENTRY, e.reason): e
        for e in CreditListEntry.objects.all()
        if e.kind in ("red", "serious")
        and e.status == "listed"
        and e.listed_on <= as_of
        and (e.valid_until is None or e.valid_until >= as_of)
    }
    listed_institution = {n for n, e in listed.items() if e.institution_id == zzu.pk}
    listed_adult = {n for n, e in listed.items() if e.person_id == adult.pk}
    exits = {
        marker(EXIT, e.exit_notice)
        for e in CreditListEntry.objects.filter(
            institution=zzu, kind__in=["red", "serious"], status="exited"
        )
    }
    assert of_institution and of_adult and listed_institution and listed_adult and exits

    def institution_pages(pages: list[str]) -> tuple[set[int], set[int]]:
        seen: tuple[set[int], set[int]] = (set(), set())
        for html in pages:
            records, entries = check(
                html,
                allowed_records=of_institution,
                allowed_entries=listed_institution,
                allowed_exits=exits,
                minor=minor,
            )
            seen[0].update(records)
            seen[1].update(entries)
        return seen

    # The subject page shows all of the institution's public information, and only it.
    assert institution_pages(collect(client, f"/institutions/{zzu.public_id}/", **params)) == (
        of_institution,
        listed_institution,
    )
    # Search, disclosure, lists, home: institution information only.
    pages = [client.get("/").content.decode()]
    for q in ("zzdx", "郑州大学", zzu.uscc, minor.name, adult.name):
        # The search box repeats what the visitor typed; nothing else may name a person.
        pages += [html.replace(f'value="{q}"', "") for html in collect(client, "/query/", q=q)]
    assert client.get("/query/", {"q": ADULT_NUMBER}).url == "/query/person/"
    # The disclosure table, every tab and page, and its export: all of the institution's
    # public records (other records show their title), nothing else.
    table: list[str] = []
    for tab in ("licence", "penalty", "other"):
        table += collect(client, "/disclosure/", tab=tab, **params)
        export = client.get("/disclosure/export.csv", {"tab": tab, **params})
        table.append(export.content.decode("utf-8-sig"))
    assert institution_pages(table)[0] == of_institution
    pages += table
    # Each row's detail page opens for a public record of the institution, and for no other.
    by_title = {r.title: r for r in rows}
    details = [by_title[f"记录{n:05d}号"] for n in sorted(of_institution)[:40]]
    details += [r for r in rows if r.person_id is not None][:60]
    details += [r for r in rows if r.institution_id is not None and r not in public][:60]
    for record in details:
        response = client.get(f"/disclosure/{record.public_id}/", params)
        if record.institution_id is not None and record in public:
            assert response.status_code == 200
            pages.append(response.content.decode())
        else:
            assert response.status_code == 404, record.title
    for kind in ("red", "serious", "focus"):
        pages += collect(client, "/lists/", kind=kind, **params)
    if not days_ahead:  # the open-data file always answers for today
        pages += [client.get(f"/lists/open-data.{fmt}").content.decode() for fmt in ("csv", "json")]
    seen = institution_pages(pages)
    assert seen[1] == listed_institution
    assert adult.name not in "".join(pages)
    # The adult, looked up exactly: their public information, masked number, nothing else.
    html = lookup(client, adult.name, ADULT_NUMBER, **params)
    records, entries = check(
        html,
        allowed_records=of_adult,
        allowed_entries=listed_adult,
        allowed_exits=set(),
        minor=minor,
    )
    assert (records, entries) == (of_adult, listed_adult)
    assert adult.id_number_masked in html
    # The minor, looked up exactly: the same answer as for nobody.
    html = lookup(client, minor.name, MINOR_NUMBER, **params)
    check(html, allowed_records=set(), allowed_entries=set(), allowed_exits=set(), minor=minor)
    assert "未找到可公示的信息" in html
