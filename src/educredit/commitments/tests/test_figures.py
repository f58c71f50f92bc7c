"""The figures page: signed, declined, checked, fulfilled, breached and overdue per matter and
body, only over the reader's jurisdiction, with its XLSX export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from educredit.commitments.checks.fulfilment import commitment_fulfilment_decide
from educredit.commitments.checks.verification import check_due_on
from educredit.commitments.choices import CommitmentFulfilment
from educredit.commitments.figures import commitment_figures
from educredit.commitments.models import Commitment
from educredit.commitments.selectors import commitments_visible_to, matter_in_force
from educredit.commitments.services import commitment_decline, commitment_sign
from educredit.testing import factories

pytestmark = pytest.mark.django_db


def _sign(approver: Any, school: Any, scan: Any) -> Commitment:
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    scan.seek(0)
    return commitment_sign(actor=approver, matter=matter, institution=school, scan=scan).commitment


@pytest.fixture
def three(shipped: Any, approver: Any, school: Any, scan: Any) -> list[Commitment]:
    """Three signed in CN-MB-02 (one kept, one breached, one still supervised), one declined."""
    kept, breached, open_ = (_sign(approver, school, scan) for _ in range(3))
    commitment_fulfilment_decide(
        actor=approver, commitment=kept, result=CommitmentFulfilment.FULFILLED
    )
    commitment_fulfilment_decide(
        actor=approver,
        commitment=breached,
        result=CommitmentFulfilment.UNFULFILLED,
        unperformed_content="未取得许可证",
        liability_pursued="撤销变更决定",
    )
    matter = matter_in_force("CN-MB-02")
    assert matter is not None
    commitment_decline(
        actor=approver, matter=matter, institution=school, proofs_note="消防验收合格意见书"
    )
    return [kept, breached, open_]


def test_the_counts_and_the_overdue_check(approver: Any, three: list[Commitment]) -> None:
    due = check_due_on(three[2])
    mine = commitments_visible_to(approver)
    (row,) = commitment_figures(mine, today=due)
    assert (row.matter_code, row.signed, row.declined, row.checked) == ("CN-MB-02", 3, 1, 2)
    assert (row.fulfilled, row.breached, row.overdue, row.fulfilment_rate) == (1, 1, 0, 50.0)
    (later,) = commitment_figures(mine, today=due + dt.timedelta(days=1))
    assert later.overdue == 1


def test_the_page_and_its_export_cover_only_the_readers_jurisdiction(
    approver: Any, three: list[Commitment], city: Any
) -> None:
    client = Client()
    client.force_login(approver)
    page = client.get("/commitments/figures/").content.decode()
    assert "民办学校变更办学许可证" in page and "data-figures-chart" in page
    client.cookies["django_language"] = "en"
    assert "Commitments and fulfilment" in client.get("/commitments/figures/").content.decode()
    export = client.get("/commitments/figures/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0]
    lines = [line for line in sheet.iter_rows(values_only=True) if any(line)]
    assert lines[-1][:4] == ("CN-MB-02", lines[-1][1], approver.organisation.name, 3)

    # A bureau beside this one sees none of them.
    other = factories.make_organisation(
        parent=city, name="二七区教育局", kind="county", region_code="410103"
    )
    stranger = factories.make_user(organisation=other, username="eq.clerk", roles=["clerk"])
    client = Client()
    client.force_login(stranger)
    page = client.get("/commitments/figures/").content.decode()
    assert "data-figures-empty" in page and "民办学校变更办学许可证" not in page
