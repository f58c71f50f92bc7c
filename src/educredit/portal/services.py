"""Portal services: the institution search index and per-IP rate limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from educredit.portal.models import InstitutionSearchTerm, PortalRateWindow
from educredit.portal.search import institution_terms
from educredit.subjects.models import FormerName, Institution, InstitutionAlias


@transaction.atomic
def search_index_refresh(*, institution: Institution) -> int:
    """Rebuild one institution's search terms from its name, former names, aliases and USCC.

    Derived data (no audit entry: the institution's own change is audited by subjects).
    Returns the number of terms written.
    """
    former = FormerName.objects.filter(institution=institution).values_list("name", flat=True)
    aliases = InstitutionAlias.objects.filter(institution=institution).values_list(
        "name", flat=True
    )
    terms = institution_terms(
        name=institution.name, former_names=former, uscc=institution.uscc, aliases=aliases
    )
    InstitutionSearchTerm.objects.filter(institution=institution).delete()
    InstitutionSearchTerm.objects.bulk_create(
        InstitutionSearchTerm(institution=institution, term=term, kind=kind)
        for term, kind in sorted(terms)
    )
    return len(terms)


def search_index_rebuild(*, batch_size: int = 500) -> int:
    """Rebuild the whole index (``educredit portal reindex``); returns institutions indexed."""
    names: dict[int, list[str]] = {}
    for institution_id, name in FormerName.objects.values_list("institution_id", "name"):
        names.setdefault(institution_id, []).append(name)
    aliases: dict[int, list[str]] = {}
    for institution_id, name in InstitutionAlias.objects.values_list("institution_id", "name"):
        aliases.setdefault(institution_id, []).append(name)
    done = 0
    with transaction.atomic():
        InstitutionSearchTerm.objects.all().delete()
        batch: list[InstitutionSearchTerm] = []
        rows = Institution.objects.values_list("pk", "name", "uscc").order_by("pk")
        for pk, name, uscc in rows.iterator(chunk_size=batch_size):
            terms = institution_terms(
                name=name, former_names=names.get(pk, ()), uscc=uscc, aliases=aliases.get(pk, ())
            )
            batch.extend(
                InstitutionSearchTerm(institution_id=pk, term=term, kind=kind)
                for term, kind in terms
            )
            done += 1
            if len(batch) >= 5000:
                InstitutionSearchTerm.objects.bulk_create(batch)
                batch = []
        InstitutionSearchTerm.objects.bulk_create(batch)
    return done


def on_institution_saved(sender: Any, instance: Institution, raw: bool = False, **_: Any) -> None:
    """post_save of Institution: keep its search terms current."""
    if not raw:
        search_index_refresh(institution=instance)


def on_former_name_saved(
    sender: Any, instance: FormerName | InstitutionAlias, raw: bool = False, **_: Any
) -> None:
    """post_save / post_delete of FormerName or InstitutionAlias: refresh its institution."""
    if raw:
        return
    institution = Institution.objects.filter(pk=instance.institution_id).first()
    if institution is not None:
        search_index_refresh(institution=institution)


# Requests allowed per client address and minute, by portal action.
# The open-data file is the whole list in one answer: a few downloads a minute is plenty.
# Checking a credit report is a look-up by code; redeeming an authorisation reveals a
# subject's report, so it is as scarce as a person look-up.
RATE_LIMITS: dict[str, int] = {
    "search": 30,
    "person": 5,
    "open_data": 10,
    "report_verify": 20,
    "report_authorised": 5,
    # An institution's public credit overview: each new one is a PDF laid out and stored.
    "public_overview": 10,
    # An export of the disclosure table is up to 5 000 rows: as scarce as the open-data file.
    "disclosure_export": 10,
}


def _client_key(ip: str) -> str:
    return salted_hmac(
        "educredit.portal.rate", ip, secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()


# One statement counts a request and answers the window's new count, whether the window is
# new or not (PostgreSQL and SQLite ≥ 3.35 both have INSERT … ON CONFLICT … RETURNING).
_RATE_HIT_SQL = (
    "INSERT INTO portal_portalratewindow (bucket, client_key, window_start, count) "
    "VALUES (%s, %s, %s, 1) ON CONFLICT (bucket, client_key, window_start) "
    "DO UPDATE SET count = portal_portalratewindow.count + 1 RETURNING count"
)


def rate_limit_hit(*, bucket: str, ip: str | None, now: dt.datetime | None = None) -> bool:
    """Count one request of ``ip`` to ``bucket``; True when it is over the minute's limit.

    A fixed one-minute window per (bucket, hashed address), counted with one atomic upsert
    so concurrent requests never lose a count.
    """
    limit = getattr(settings, "EDUCREDIT_PORTAL_RATE_LIMITS", RATE_LIMITS).get(bucket)
    if limit is None:
        return False
    moment = now or timezone.now()
    window = moment.replace(second=0, microsecond=0)
    key = _client_key(ip or "unknown")
    with connection.cursor() as cursor:
        cursor.execute(
            _RATE_HIT_SQL, [bucket, key, connection.ops.adapt_datetimefield_value(window)]
        )
        count = int(cursor.fetchone()[0])
    if count == 1:
        # Forget windows older than an hour now and then (only on a window's first hit).
        PortalRateWindow.objects.filter(window_start__lt=window - dt.timedelta(hours=1)).delete()
    return count > int(limit)
