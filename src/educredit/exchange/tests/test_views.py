"""The outbox pages: items with their receipts, the rejected queue, fix and resend."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import is_sealed, unseal_row
from educredit.exchange.tests.factories import T0, enqueue_penalties
from educredit.exchange.transports import PlatformReceipt
from educredit.exchange.worker import outbox_claim, outbox_record_receipts

HAN = re.compile(r"[\u4e00-\u9fff]")
REASON = {"field": "CF_NR_FK", "message": "罚款金额应大于0 / the fine must be more than 0"}


def rejected_items(organisation: Any, count: int, *, start: int = 1, **row: Any) -> list[Any]:
    """``count`` penalties of ``organisation`` sent once and rejected by the platform."""
    items = enqueue_penalties(organisation, count, start=start, **row)
    claimed = outbox_claim(now=T0, transport_name="http", size=count)
    assert claimed is not None
    batch, _ = claimed
    outbox_record_receipts(
        batch=batch,
        receipts=[PlatformReceipt(key=i.key, accepted=False, reasons=[REASON]) for i in items],
        excerpt="",
        now=T0 + dt.timedelta(seconds=5),
    )
    return [OutboxItem.objects.get(pk=item.pk) for item in items]


pytestmark = pytest.mark.django_db


def test_the_outbox_lists_the_organisations_items_with_status_and_reasons(
    client: Any, county: Any, other_county: Any, county_viewer: Any
) -> None:
    rejected_items(county, 2)
    enqueue_penalties(county, 1, start=50)
    enqueue_penalties(other_county, 1, start=80)
    client.force_login(county_viewer)
    html = client.get("/exchange/outbox/").content.decode()
    assert "中原教罚〔2026〕1号" in html and "中原教罚〔2026〕50号" in html
    assert "中原教罚〔2026〕80号" not in html  # another county's
    assert "被退回" in html and "罚款金额应大于0" in html
    html = client.get("/exchange/outbox/rejected/").content.decode()
    assert "中原教罚〔2026〕1号" in html and "中原教罚〔2026〕50号" not in html


def test_an_item_shows_every_receipt_and_never_an_identity_number(
    client: Any, county: Any, county_clerk: Any
) -> None:
    (item,) = rejected_items(county, 1, person=True)
    client.force_login(county_clerk)
    html = client.get(reverse("exchange:outbox_detail", args=[item.pk])).content.decode()
    assert "CF_NR_FK" in html and "罚款金额应大于0" in html
    assert "410105199001011234" not in html
    assert "证件号码已加密" in html


def test_a_clerk_fixes_a_rejected_row_and_resends_it(
    client: Any, county: Any, county_clerk: Any
) -> None:
    (item,) = rejected_items(county, 1, person=True, CF_NR_FK="0")
    url = reverse("exchange:outbox_fix", args=[item.pk])
    client.force_login(county_clerk)
    html = client.get(url).content.decode()
    assert "410105199001011234" not in html  # the sealed number is never filled back in
    data = {code: str(value) for code, value in item.row.items() if not is_sealed(value)}
    data["CF_NR_FK"] = "0.5"
    response = client.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == OutboxStatus.PENDING and item.attempts == 0
    assert item.row["CF_NR_FK"] == "0.5"
    assert unseal_row(item.row)["CF_XDR_ZJHM"] == "410105199001011234"  # kept, still sealed
    assert item.receipts.count() == 1  # the earlier receipt stays
    # A pending item cannot be "fixed" again.
    assert client.get(url).status_code == 302


def test_a_new_identity_number_is_sealed(client: Any, county: Any, county_clerk: Any) -> None:
    (item,) = rejected_items(county, 1, person=True)
    client.force_login(county_clerk)
    data = {code: str(value) for code, value in item.row.items() if not is_sealed(value)}
    data["CF_XDR_ZJHM"] = "41010519900307123X"
    client.post(reverse("exchange:outbox_fix", args=[item.pk]), data)
    item.refresh_from_db()
    assert is_sealed(item.row["CF_XDR_ZJHM"])
    assert unseal_row(item.row)["CF_XDR_ZJHM"] == "41010519900307123X"


def test_read_only_and_outsiders_cannot_resend(
    client: Any, county: Any, county_viewer: Any, outsider: Any
) -> None:
    (item,) = rejected_items(county, 1)
    url = reverse("exchange:outbox_fix", args=[item.pk])
    client.force_login(county_viewer)
    assert client.post(url, {"CF_NR_FK": "1"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"CF_NR_FK": "1"}).status_code == 404
    assert client.get(reverse("exchange:outbox_detail", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == OutboxStatus.REJECTED


def test_the_pages_in_english(client: Any, county: Any, county_clerk: Any) -> None:
    (item,) = rejected_items(county, 1)
    client.force_login(county_clerk)
    client.cookies["django_language"] = "en"
    for url in (
        "/exchange/outbox/",
        "/exchange/outbox/rejected/",
        reverse("exchange:outbox_detail", args=[item.pk]),
        reverse("exchange:outbox_fix", args=[item.pk]),
    ):
        html = client.get(url).content.decode()
        main = html[html.find("<main") : html.find("</main>")]
        # The rows' own data (names, 文书号, the platform's reasons) stay as they are.
        for value in sorted(map(str, item.row.values()), key=len, reverse=True):
            main = main.replace(value, "")
        main = main.replace(item.key, "").replace(REASON["message"], "")
        main = main.replace("中原区教育局", "")
        visible = re.sub(r"<[^>]+>", " ", main)
        assert not HAN.search(visible), (url, HAN.findall(visible))


def test_queries_do_not_grow_with_the_items(
    client: Any, county: Any, county_clerk: Any, django_assert_max_num_queries: Any
) -> None:
    rejected_items(county, 2)
    client.force_login(county_clerk)
    with django_assert_max_num_queries(15) as few:
        client.get("/exchange/outbox/")
    rejected_items(county, 10, start=100)
    for url in ("/exchange/outbox/", "/exchange/outbox/rejected/"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


def test_a_reviewer_sees_the_queue_but_is_not_offered_the_fix(
    client: Any, county: Any, city_reviewer: Any, county_clerk: Any
) -> None:
    (item,) = rejected_items(county, 1)
    fix = reverse("exchange:outbox_fix", args=[item.pk])
    client.force_login(city_reviewer)
    html = client.get("/exchange/outbox/rejected/").content.decode()
    assert item.decision_number in html and fix not in html
    assert fix not in client.get(reverse("exchange:outbox_detail", args=[item.pk])).content.decode()
    client.force_login(county_clerk)
    assert fix in client.get("/exchange/outbox/rejected/").content.decode()
