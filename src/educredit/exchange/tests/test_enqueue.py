"""outbox_enqueue: the contract the disclosure app codes against."""

from __future__ import annotations

from typing import Any

import pytest

from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.exchange.rows import seal_value, unseal_row
from educredit.exchange.services import OutboxError, outbox_enqueue, outbox_resend

pytestmark = pytest.mark.django_db


def test_enqueue_keeps_identity_numbers_sealed_and_unseals_them_for_sending(county: Any) -> None:
    row = {"CF_WSH": "中原教罚〔2026〕1号", "CF_XDR_ZJHM": seal_value("410105199001011234")}
    item = outbox_enqueue(
        kind="penalty", operation="add", key="k|1", row=row, organisation=county, source=county
    )
    item.refresh_from_db()
    assert "410105199001011234" not in str(item.row)
    assert unseal_row(item.row)["CF_XDR_ZJHM"] == "410105199001011234"
    assert item.status == OutboxStatus.PENDING
    assert item.source_type == "accounts.organisation"
    assert item.source_id == str(county.pk)


def test_enqueue_refuses_a_clear_identity_number(county: Any) -> None:
    with pytest.raises(OutboxError):
        outbox_enqueue(
            kind="penalty",
            operation="add",
            key="k|1",
            row={"CF_XDR_ZJHM": "410105199001011234"},
            organisation=county,
            source=county,
        )
    assert not OutboxItem.objects.exists()


def test_same_key_twice_is_one_item(county: Any) -> None:
    for text in ("first", "second"):
        outbox_enqueue(
            kind="licence",
            operation="add",
            key="k|1",
            row={"XK_NR": text},
            organisation=county,
            source=county,
        )
    assert OutboxItem.objects.get().row == {"XK_NR": "second"}


def test_only_rejected_items_can_be_resent(county: Any, county_clerk: Any) -> None:
    item = outbox_enqueue(
        kind="licence",
        operation="add",
        key="k|1",
        row={"XK_NR": "x"},
        organisation=county,
        source=county,
    )
    with pytest.raises(OutboxError):
        outbox_resend(actor=county_clerk, item=item, row={"XK_NR": "y"})
