"""The outbox pages in officials' words (ADR 0033): a clerk reads 已报送, 报送失败待重发, 待报送 and
被退回待修正 and never the machinery (幂等键, 退避重试, attempts, next retry); an administrator
finds that detail behind 详情."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from educredit.exchange.choices import OutboxProgress
from educredit.exchange.models import OutboxItem, progress_q
from educredit.exchange.tests.factories import T0, enqueue_penalties
from educredit.exchange.tests.test_views import rejected_items
from educredit.exchange.transports import PlatformReceipt
from educredit.exchange.worker import (
    outbox_claim,
    outbox_record_failure,
    outbox_record_receipts,
)
from educredit.testing.plain_words import developer_words, visible_text

pytestmark = pytest.mark.django_db

CONNECTION_ERROR = "ConnectionRefusedError: [Errno 111] Connection refused"


def one_of_each(organisation: Any) -> dict[str, OutboxItem]:
    """An item at every stage: rejected, delivered, failed once, never tried."""
    (rejected,) = rejected_items(organisation, 1, start=1)
    (delivered,) = enqueue_penalties(organisation, 1, start=2)
    claimed = outbox_claim(now=T0, transport_name="http", size=10)
    assert claimed is not None
    batch, _ = claimed
    outbox_record_receipts(
        batch=batch,
        receipts=[PlatformReceipt(key=delivered.key, accepted=True, reasons=[])],
        excerpt="",
        now=T0 + dt.timedelta(seconds=5),
    )
    (failed,) = enqueue_penalties(organisation, 1, start=3)
    claimed = outbox_claim(now=T0 + dt.timedelta(minutes=1), transport_name="http", size=10)
    assert claimed is not None
    batch, items = claimed
    outbox_record_failure(
        batch=batch, items=items, error=CONNECTION_ERROR, now=T0 + dt.timedelta(minutes=1)
    )
    (pending,) = enqueue_penalties(organisation, 1, start=4, now=T0 + dt.timedelta(minutes=2))
    return {
        name: OutboxItem.objects.get(pk=item.pk)
        for name, item in {
            "rejected": rejected,
            "delivered": delivered,
            "failed": failed,
            "pending": pending,
        }.items()
    }


def test_each_item_stands_in_plain_words(county: Any) -> None:
    items = one_of_each(county)
    assert items["rejected"].progress == OutboxProgress.REJECTED
    assert items["delivered"].progress == OutboxProgress.DELIVERED
    assert items["failed"].progress == OutboxProgress.RETRYING
    assert items["pending"].progress == OutboxProgress.PENDING
    assert [str(p.label) for p in OutboxProgress] == [
        "待报送",
        "报送失败待重发",
        "报送中",
        "已报送",
        "被退回待修正",
    ]
    for progress in OutboxProgress:
        found = set(OutboxItem.objects.filter(progress_q(progress)).values_list("pk", flat=True))
        assert found == {i.pk for i in items.values() if i.progress == progress}


def test_a_clerk_reads_plain_statuses_and_no_developer_words(
    client: Any, county: Any, county_clerk: Any
) -> None:
    items = one_of_each(county)
    client.force_login(county_clerk)
    for url in (
        "/exchange/outbox/",
        "/exchange/outbox/rejected/",
        *(reverse("exchange:outbox_detail", args=[i.pk]) for i in items.values()),
        reverse("exchange:outbox_fix", args=[items["rejected"].pk]),
    ):
        html = client.get(url).content.decode()
        assert developer_words(html) == [], url
        assert "data-outbox-technical" not in html and "<details" not in html, url
        assert CONNECTION_ERROR not in html, url
        assert items["failed"].key not in visible_text(html), url
    text = visible_text(client.get("/exchange/outbox/").content.decode())
    for words in ("已报送", "报送失败待重发", "待报送", "被退回待修正", "系统将自动重新报送"):
        assert words in text
    assert "中原教罚〔2026〕3号" in text  # an item is named by its decision's number
    detail = client.get(reverse("exchange:outbox_detail", args=[items["failed"].pk]))
    assert "报送失败待重发" in visible_text(detail.content.decode())


def test_an_administrator_opens_the_technical_detail(
    client: Any, county: Any, county_admin: Any
) -> None:
    items = one_of_each(county)
    failed = items["failed"]
    client.force_login(county_admin)
    html = client.get("/exchange/outbox/").content.decode()
    assert html.count("data-outbox-technical") == len(items)
    assert "详情" in html
    assert failed.key in html and CONNECTION_ERROR in html
    assert "幂等键" in html and "尝试次数" in html and "退避重试" in html
    assert f"{failed.next_attempt_at.astimezone(T0.tzinfo):%Y-%m-%d %H:%M:%S}" in html
    detail = client.get(reverse("exchange:outbox_detail", args=[failed.pk])).content.decode()
    technical = detail[detail.find("<details") : detail.find("</details>")]
    assert failed.key in technical and CONNECTION_ERROR in technical
    assert '<dd class="col-sm-8">1</dd>' in technical  # one attempt so far


def test_a_reviewer_is_not_given_the_detail(client: Any, county: Any, city_reviewer: Any) -> None:
    items = one_of_each(county)
    client.force_login(city_reviewer)
    for url in ("/exchange/outbox/", reverse("exchange:outbox_detail", args=[items["failed"].pk])):
        html = client.get(url).content.decode()
        assert "<details" not in html and developer_words(html) == []


def test_the_status_filter_and_counts_use_the_plain_words(
    client: Any, county: Any, county_clerk: Any
) -> None:
    one_of_each(county)
    client.force_login(county_clerk)
    html = client.get("/exchange/outbox/", {"status": OutboxProgress.RETRYING}).content.decode()
    assert "中原教罚〔2026〕3号" in html
    for other in (1, 2, 4):
        assert f"中原教罚〔2026〕{other}号" not in html
    counts = html[
        html.find("data-outbox-counts") : html.find("</ul>", html.find("data-outbox-counts"))
    ]
    for label in ("待报送", "报送失败待重发", "已报送", "被退回待修正"):
        assert label in counts


def test_the_plain_words_in_english(client: Any, county: Any, county_admin: Any) -> None:
    one_of_each(county)
    client.force_login(county_admin)
    client.cookies["django_language"] = "en"
    text = visible_text(client.get("/exchange/outbox/").content.decode())
    for words in ("Reported", "Failed, to be sent again", "Rejected, to fix", "Details"):
        assert words in text
    assert "Next attempt (retry with backoff)" in text


def test_national_fields_are_named_not_only_coded(
    client: Any, county: Any, county_clerk: Any
) -> None:
    # The platform names the field it refuses by its code (CF_NR_FK); staff read its name.
    (item,) = rejected_items(county, 1)
    client.force_login(county_clerk)
    for url in (
        "/exchange/outbox/rejected/",
        reverse("exchange:outbox_detail", args=[item.pk]),
        reverse("exchange:outbox_fix", args=[item.pk]),
    ):
        assert "罚款金额（万元）" in visible_text(client.get(url).content.decode()), url
    fix = client.get(reverse("exchange:outbox_fix", args=[item.pk])).content.decode()
    assert "行政相对人名称" in visible_text(fix)
    client.cookies["django_language"] = "en"
    fix = client.get(reverse("exchange:outbox_fix", args=[item.pk])).content.decode()
    assert "party name" in visible_text(fix)


def test_a_fix_that_blanks_every_field_is_refused_in_plain_words(
    client: Any, county: Any, county_clerk: Any
) -> None:
    (item,) = rejected_items(county, 1)
    client.force_login(county_clerk)
    url = reverse("exchange:outbox_fix", args=[item.pk])
    html = client.post(url, dict.fromkeys(item.row, "")).content.decode()
    assert "修正后的数据不能全部为空" in html
    assert "dict" not in visible_text(html) and developer_words(html) == []
    item.refresh_from_db()
    assert item.progress == OutboxProgress.REJECTED
