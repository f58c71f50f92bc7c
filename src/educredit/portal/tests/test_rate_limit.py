"""Per-address rate limits on search and person look-ups, with a clear 429 page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from educredit.portal.models import PortalRateWindow
from educredit.portal.services import rate_limit_hit

pytestmark = pytest.mark.django_db
LIMITS = {"search": 3, "person": 2}


def test_search_is_limited_per_address(client, settings, zzu):
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = LIMITS
    for _ in range(3):
        assert client.get("/query/", {"q": "zzdx"}).status_code == 200
    response = client.get("/query/", {"q": "zzdx"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "查询过于频繁" in html and "Too many searches" not in html  # one language
    assert 'action="/query/"' in html and 'action="/i18n/setlang/"' in html  # the portal's layout
    client.cookies["django_language"] = "en"
    english = client.get("/query/", {"q": "zzdx"}).content.decode()
    assert "Too many searches" in english and "查询过于频繁" not in english
    # Another address is not affected; the empty search page is not counted.
    assert client.get("/query/", {"q": "zzdx"}, REMOTE_ADDR="10.9.8.7").status_code == 200
    assert client.get("/query/").status_code == 200


def test_person_lookups_are_limited(client, settings):
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = LIMITS
    data = {"name": "某人", "document_type": "resident_id", "id_number": "110101199001010011"}
    assert [client.post("/query/person/", data).status_code for _ in range(3)] == [200, 200, 429]


def test_windows_are_per_minute_and_addresses_are_hashed(settings):
    settings.EDUCREDIT_PORTAL_RATE_LIMITS = {"search": 1}
    start = timezone.now().replace(second=5)
    assert not rate_limit_hit(bucket="search", ip="192.0.2.1", now=start)
    assert rate_limit_hit(bucket="search", ip="192.0.2.1", now=start + dt.timedelta(seconds=30))
    later = start + dt.timedelta(minutes=1)
    assert not rate_limit_hit(bucket="search", ip="192.0.2.1", now=later)
    keys = set(PortalRateWindow.objects.values_list("client_key", flat=True))
    assert all("192.0.2.1" not in key and len(key) == 64 for key in keys)
    # Windows older than an hour are forgotten when a new window opens.
    rate_limit_hit(bucket="search", ip="192.0.2.1", now=start + dt.timedelta(hours=2))
    assert PortalRateWindow.objects.count() == 1


def test_rate_windows_stay_out_of_the_wal_on_postgresql():
    """The counters are throwaway: on PostgreSQL their table is UNLOGGED (no WAL flush)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables are a PostgreSQL feature")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = 'portal_portalratewindow'"
        )
        assert cursor.fetchone()[0] == "u"
