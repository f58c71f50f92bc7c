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


def test_chunks_encoded_by_worker_processes_arrive_as_on_the_per_row_path(
    county: Any, county_clerk: Any, monkeypatch: Any
) -> None:
    # Small chunks and two forked workers: each chunk is validated in a worker, staged (rows
    # built, handed to a worker to encode — on PostgreSQL) while the previous one is written.
    monkeypatch.setattr(imports, "BULK_CHUNK_ROWS", 3)
    seed_catalog(county)
    schools = make_schools(county)
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for path in ("row", "workers"):
        rows = []
        for i in range(10):
            row = good_row(i, schools)
            row["CF_WSH"] = f"{row['CF_WSH']}-{path}"
            row["CF_SY"] = f"事由{i}：{AWKWARD}"
            if i == 4:
                row["CF_CFLB"] = "警告;记过"  # not a §9 category: rejected, the chunk goes on
            rows.append((i + 2, [row.get(code, "") for code in CODES]))
        rejected: list[int] = []

        def note(
            number: int, _cells: list[str], _problems: Any, into: list[int] = rejected
        ) -> None:
            into.append(number)

        summary = imports.import_rows(
            actor=county_clerk,
            kind="penalty",
            header=CODES,
            rows=rows,
            bulk=path == "workers",
            workers=2 if path == "workers" else 1,
            on_rejected=note,
        )
        assert (summary.ok, summary.failed, rejected) == (9, 1, [6])
        records = CreditRecord.objects.filter(pk__in=summary.record_ids).order_by(
            "decision_date", "pk"
        )
        stored[path] = sorted(
            (
                r.decision_number.removesuffix(f"-{path}"),
                r.title,
                r.payload,
                r.status,
                r.institution_id,
            )
            for r in records
        )
        assert all(r.disclosure_decision.document_number == r.decision_number for r in records)
        assert [t.to_status for t in records[0].transitions.order_by("pk")] == [
            "draft",
            "submitted",
        ]

    assert stored["workers"] == stored["row"]
    bulk = CreditRecord.objects.filter(decision_number__endswith="-workers")
    digests = dict(
        AuditBulkMember.objects.filter(
            entry__action="records.bulk_import", target_pk__in=[str(r.pk) for r in bulk]
        ).values_list("target_pk", "row_digest")
    )
    assert digests == {str(r.pk): row_digest(r) for r in bulk}
