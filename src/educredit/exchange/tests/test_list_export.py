"""The outbox and the rejected queue export their current filter (ADR 0036): every item of the
filter, as the page names it, nothing of another county, never an identity number."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from educredit.core.exports import XLSX_TYPE
from educredit.exchange.tests.factories import enqueue_penalties
from educredit.exchange.tests.test_views import rejected_items
from educredit.web.paging import PAGE_SIZE

pytestmark = pytest.mark.django_db


def _rows(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_outbox_export_has_every_item_of_the_filter(
    client: Any, county: Any, other_county: Any, county_viewer: Any
) -> None:
    rejected_items(county, 2, person=True)
    enqueue_penalties(county, PAGE_SIZE + 1, start=50)
    enqueue_penalties(other_county, 1, start=900)
    client.force_login(county_viewer)
    rows = _rows(client.get("/exchange/outbox/", {"export": "xlsx"}))
    assert rows[0] == ["决定文书号", "行政相对人", "类型", "报送类型", "状态", "说明", "单位"]
    numbers = {row[0] for row in rows[1:]}
    assert len(rows) - 1 == PAGE_SIZE + 3
    assert "中原教罚〔2026〕1号" in numbers and "中原教罚〔2026〕50号" in numbers
    assert "中原教罚〔2026〕900号" not in numbers  # another county's
    # The filter of the page: only what the platform refused, with its reasons.
    rejected = _rows(client.get("/exchange/outbox/", {"status": "rejected", "export": "xlsx"}))
    assert sorted(row[0] for row in rejected[1:]) == ["中原教罚〔2026〕1号", "中原教罚〔2026〕2号"]
    assert all("罚款金额应大于0" in row[5] for row in rejected[1:])
    queue = _rows(client.get("/exchange/outbox/rejected/", {"export": "xlsx"}))
    assert [row[0] for row in queue[1:]] == [row[0] for row in sorted(rejected[1:])]
    # The person's number is sealed in the row and never written to the file.
    assert "4101" not in repr(queue)
