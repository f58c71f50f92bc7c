"""The bulk path of the 双公示 import keeps awkward text exactly as the file gives it.

Its COPY text skips escaping for cells that need none; a cell with a tab, a line break or a
backslash must still arrive unchanged, in the record, its payload and the audit digest.
"""

from __future__ import annotations

from typing import Any

import pytest

from educredit.audit.canonical import row_digest
from educredit.audit.models import AuditBulkMember
from educredit.disclosure import imports
from educredit.disclosure.tests.test_import import CODES, good_row, make_schools, seed_catalog
from educredit.records.models import CreditRecord

pytestmark = pytest.mark.django_db

AWKWARD = "未经批准\t举办培训\n（第二行）C:\\培训\\场所\r"


def _rows(schools: list[Any], path: str) -> list[tuple[int, list[str]]]:
    rows = []
    for i in range(3):
        row = good_row(i, schools)
        row["CF_WSH"] = f"{row['CF_WSH']}-{path}"  # each path enters its own decisions
        row["CF_WFXW"] = f"{AWKWARD}{i}"
        row["CF_SY"] = f"事由{i}：{AWKWARD}"
        rows.append((i + 2, [row.get(code, "") for code in CODES]))
    return rows


def test_tabs_line_breaks_and_backslashes_arrive_as_on_the_per_row_path(
    county: Any, county_clerk: Any
) -> None:
    seed_catalog(county)
    schools = make_schools(county)
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for path in ("row", "bulk"):
        summary = imports.import_rows(
            actor=county_clerk,
            kind="penalty",
            header=CODES,
            rows=_rows(schools, path),
            bulk=path == "bulk",
        )
        assert (summary.ok, summary.failed) == (3, 0)
        records = CreditRecord.objects.filter(pk__in=summary.record_ids).order_by("pk")
        stored[path] = [(r.title, r.payload) for r in records]

    assert stored["bulk"] == stored["row"]
    assert any("\\培训\\" in str(payload) for _, payload in stored["bulk"])
    bulk = CreditRecord.objects.filter(decision_number__endswith="-bulk")
    digests = dict(
        AuditBulkMember.objects.filter(
            entry__action="records.bulk_import", target_pk__in=[str(r.pk) for r in bulk]
        ).values_list("target_pk", "row_digest")
    )
    assert digests == {str(r.pk): row_digest(r) for r in bulk}
