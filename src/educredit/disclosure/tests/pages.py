"""Helpers for the 双公示 page and API tests: a county with a credit code, a school, rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import translation

from educredit.accounts.models import Organisation
from educredit.catalog.tests.factories import shipped_catalog
from educredit.core import clock
from educredit.disclosure import entry
from educredit.disclosure.mapping import catalog_item_for
from educredit.disclosure.models import Decision
from educredit.disclosure.tests.rows import BUREAU_USCC, licence_row, penalty_row
from educredit.disclosure.validation import RowValidator
from educredit.records import services as records
from educredit.records.tests.factories import make_reviewer
from educredit.subjects.tests.factories import make_institution

HAN = re.compile(r"[\u4e00-\u9fff]")

__all__ = ["BUREAU_USCC", "licence_row", "penalty_row"]


def prepare_county(county: Organisation) -> None:
    """The county bureau gets its credit code; the shipped catalog is published."""
    Organisation.objects.filter(pk=county.pk).update(uscc=BUREAU_USCC)
    county.uscc = BUREAU_USCC
    shipped_catalog()


def school_of(county: Organisation, serial: int = 4242, name: str = "中原区某某培训学校") -> Any:
    return make_institution(supervisor=county, name=name, serial=serial)


def row_for(school: Any, number: str = "郑中教罚〔2026〕12号", **changes: str) -> dict[str, str]:
    """A valid penalty row about ``school``, decided a week ago."""
    decided = clock.today() - dt.timedelta(days=7)
    row = penalty_row(
        CF_XDR_MC=school.name,
        CF_XDR_SHXYM=school.uscc,
        CF_WSH=number,
        CF_JDRQ=decided.isoformat(),
        CF_YXQ=(decided + dt.timedelta(days=365)).isoformat(),
    )
    row.update(changes)
    return row


def english_visible(html: str, *data: str) -> list[str]:
    """Chinese characters left in an English page's main part once the user's data is out.

    (The menu's labels belong to every app's catalogue; the shell's own test covers them.)
    """
    start, end = html.find("<main"), html.find("</main>")
    if start >= 0 and end > start:
        html = html[start:end]
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "")
    visible = re.sub(r"<[^>]+>", " ", html)
    return HAN.findall(visible)


def effective_decision(
    clerk: Any, school: Any, *, number: str, decided: dt.date, reported: dt.date | None = None
) -> Decision:
    """A penalty entered by ``clerk``, approved by a reviewer, reported on ``reported``."""
    row = row_for(
        school,
        number,
        CF_JDRQ=decided.isoformat(),
        CF_YXQ=(decided + dt.timedelta(days=365)).isoformat(),
    )
    result = RowValidator("penalty").validate(row)
    assert result.ok, result.errors
    outcome = entry.decision_enter(
        actor=clerk,
        kind="penalty",
        values=result.values,
        catalog_item=catalog_item_for("penalty"),
        submit=True,
    )
    reviewer = make_reviewer(organisation=clerk.organisation)
    records.credit_record_approve(actor=reviewer, record=outcome.record)
    decision = Decision.objects.get(record=outcome.record)
    if reported is not None:
        from educredit.disclosure.services import decision_mark_reported

        at = dt.datetime.combine(reported, dt.time(10), tzinfo=clock.BEIJING)
        decision = decision_mark_reported(decision=decision, at=at)
    return decision


def in_english() -> Any:
    return translation.override("en")
