"""The inbound direction: what the provincial platform tells us about our institutions.

``inbound_pull`` reads the platform's 公共信用综合评价 grades and other departments' dishonesty
lists (both served as current snapshots), keeps the entries that name an institution of ours
(by USCC), and stores them as ``InboundEvaluation`` / ``InboundListing`` rows: new ones added,
changed grades updated, list entries the platform no longer serves marked removed. Everything
written is covered by one bulk audit entry per table. Entries naming no institution of ours are
counted and dropped (we keep nothing about subjects we do not supervise).

Run by ``educredit exchange pull`` and ``exchange.tasks.inbound_pull_task`` (daily).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from educredit.audit.canonical import row_digest
from educredit.audit.services import audit_append_bulk
from educredit.core import clock
from educredit.exchange.models import InboundEvaluation, InboundListing
from educredit.subjects.models import Institution

EVALUATIONS_PATH = "/evaluations"
DISHONESTY_PATH = "/dishonesty-lists"
GRADES = frozenset({"A", "B", "C", "D"})


class InboundError(RuntimeError):
    """The platform could not be read; nothing was changed."""


@dataclass
class PullResult:
    """What one pull did."""

    evaluations_added: int = 0
    evaluations_updated: int = 0
    listings_added: int = 0
    listings_removed: int = 0
    not_ours: int = 0
    invalid: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "evaluations_added": self.evaluations_added,
            "evaluations_updated": self.evaluations_updated,
            "listings_added": self.listings_added,
            "listings_removed": self.listings_removed,
            "not_ours": self.not_ours,
            "invalid": len(self.invalid),
        }


def _fetch(url: str, key: str, timeout: float) -> list[dict[str, Any]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            body = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise InboundError(f"无法读取省平台数据 / cannot read the platform: {url}: {exc}") from exc
    rows = body.get(key) if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise InboundError(f"省平台返回格式不符 / unexpected answer from {url}")
    return [row for row in rows if isinstance(row, dict)]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        return None


def _institutions(usccs: Iterable[str]) -> dict[str, Institution]:
    wanted = {u for u in usccs if u}
    return {i.uscc: i for i in Institution.objects.filter(uscc__in=wanted) if i.uscc}


def _audit(actor: Any, model: Any, rows: list[Any], action: str, reason: str) -> None:
    if rows:
        audit_append_bulk(
            actor=actor,
            action=action,
            model=model,
            members=[(row.pk, row_digest(row)) for row in sorted(rows, key=lambda r: r.pk)],
            reason=reason,
        )


def _pull_evaluations(
    rows: list[dict[str, Any]], now: dt.datetime, result: PullResult
) -> list[InboundEvaluation]:
    ours = _institutions(str(row.get("uscc", "")).strip().upper() for row in rows)
    existing = {
        (e.institution_id, e.evaluated_on): e
        for e in InboundEvaluation.objects.filter(institution__in=list(ours.values()))
    }
    written = []
    for row in rows:
        uscc = str(row.get("uscc", "")).strip().upper()
        grade = str(row.get("grade", "")).strip().upper()
        evaluated_on = _date(row.get("evaluated_on", ""))
        if grade not in GRADES or evaluated_on is None:
            result.invalid.append(
                f"evaluation {uscc}: grade {grade!r}, date {row.get('evaluated_on')!r}"
            )
            continue
        institution = ours.get(uscc)
        if institution is None:
            result.not_ours += 1
            continue
        found = existing.get((institution.pk, evaluated_on))
        if found is None:
            found = InboundEvaluation.objects.create(
                institution=institution, grade=grade, evaluated_on=evaluated_on, fetched_at=now
            )
            existing[(institution.pk, evaluated_on)] = found
            result.evaluations_added += 1
            written.append(found)
        elif found.grade != grade:
            found.grade, found.fetched_at = grade, now
            found.save(update_fields=["grade", "fetched_at"])
            result.evaluations_updated += 1
            written.append(found)
    return written


def _pull_listings(
    rows: list[dict[str, Any]], now: dt.datetime, result: PullResult
) -> list[InboundListing]:
    ours = _institutions(str(row.get("uscc", "")).strip().upper() for row in rows)
    active = {
        (e.institution_id, e.list_name, e.department, e.listed_on): e
        for e in InboundListing.objects.filter(removed_on__isnull=True)
    }
    served: set[tuple[int, str, str, dt.date]] = set()
    written = []
    for row in rows:
        uscc = str(row.get("uscc", "")).strip().upper()
        list_name = str(row.get("list_name", "")).strip()
        department = str(row.get("department", "")).strip()
        listed_on = _date(row.get("listed_on", ""))
        if not list_name or not department or listed_on is None:
            result.invalid.append(f"listing {uscc}: {list_name!r} {department!r}")
            continue
        institution = ours.get(uscc)
        if institution is None:
            result.not_ours += 1
            continue
        key = (institution.pk, list_name, department, listed_on)
        served.add(key)
        if key in active:
            continue
        listing, _ = InboundListing.objects.update_or_create(
            institution=institution,
            list_name=list_name,
            department=department,
            listed_on=listed_on,
            defaults={"removed_on": None, "fetched_at": now},
        )
        active[key] = listing
        result.listings_added += 1
        written.append(listing)
    # The lists are snapshots: an active entry the platform no longer serves was removed.
    for key, listing in active.items():
        if key not in served:
            listing.removed_on, listing.fetched_at = clock.local_date(now), now
            listing.save(update_fields=["removed_on", "fetched_at"])
            result.listings_removed += 1
            written.append(listing)
    return written


def inbound_pull(
    *,
    actor: Any = "system:inbound",
    base_url: str | None = None,
    now: dt.datetime | None = None,
    timeout: float | None = None,
) -> PullResult:
    """Read both inbound feeds and store what names our institutions (all or nothing)."""
    base = (base_url or settings.EDUCREDIT_EXCHANGE_INBOUND_URL).rstrip("/")
    if not base:
        raise InboundError("未配置省平台地址 / EDUCREDIT_EXCHANGE_INBOUND_URL is not set")
    seconds = float(timeout if timeout is not None else settings.EDUCREDIT_EXCHANGE_TIMEOUT)
    # Both read before anything is written: a failure half-way changes nothing.
    evaluations = _fetch(base + EVALUATIONS_PATH, "evaluations", seconds)
    listings = _fetch(base + DISHONESTY_PATH, "entries", seconds)
    now = now or clock.now()
    result = PullResult()
    with transaction.atomic():
        written_evaluations = _pull_evaluations(evaluations, now, result)
        written_listings = _pull_listings(listings, now, result)
        reason = f"省平台数据获取 / pulled from the provincial platform at {now.isoformat()}"
        _audit(
            actor, InboundEvaluation, written_evaluations, "exchange.inbound_evaluations", reason
        )
        _audit(actor, InboundListing, written_listings, "exchange.inbound_listings", reason)
    return result
