"""JSON API of 双公示 decisions: the same national rows as the form and the import.

``POST /api/disclosure/penalties/`` and ``/licences/`` take one row or a list; each row is
validated by ``RowValidator`` and entered through ``disclosure.entry.decision_enter`` in its
own savepoint, and answered with its own result. Idempotent on 文书号 + issuing body USCC.
The subject must be registered and within the caller's organisation's jurisdiction.
``GET /api/disclosure/quality`` gives one organisation's figures for a month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.responses import Status

from educredit.accounts.api_auth import ApiErrorOut, api_auth
from educredit.accounts.selectors import access_organisation_for_user
from educredit.catalog.selectors import catalog_item_by_code
from educredit.core import clock
from educredit.disclosure import entry, selectors
from educredit.disclosure.schemas import (
    DecisionsErrorOut,
    DecisionsIn,
    DecisionsOut,
    QualityMonthOut,
)
from educredit.disclosure.validation import RowValidator
from educredit.records import services as records
from educredit.records.choices import CreditRecordSource, DecisionProcedure
from educredit.records.models import CreditRecord

router = Router(tags=["disclosure"])

READ = "disclosure:read"
WRITE = "disclosure:write"
PENALTY_ITEMS = ("JY-CF-01", "JY-CF-02", "JY-CF-03")
# The last month whose following month is still a date (the figures need the month's end).
LAST_MONTH = dt.date(dt.MAXYEAR, 11, 1)


def _ref(record: CreditRecord) -> dict[str, Any]:
    return {
        "public_id": record.public_id,
        "status": record.status,
        "decision_number": record.decision_number,
    }


def _enter_one(
    caller: Any, kind: str, index: int, row: Any, item: Any, data: DecisionsIn, validator: Any
) -> dict[str, Any]:
    if not isinstance(row, dict):
        return {
            "index": index,
            "status": "invalid",
            "message": "每行应为以字段代码为键的对象 / each row must be an object of field codes",
        }
    result = validator.validate(row)
    answer: dict[str, Any] = {
        "index": index,
        "compliant": result.compliant,
        "complete": result.complete,
        "errors": [{"code": e.code, "name": e.name, "message": e.message} for e in result.errors],
    }
    if not result.ok:
        answer["status"] = "invalid"
        return answer
    try:
        with transaction.atomic():
            outcome = entry.decision_enter(
                actor=caller,
                kind=kind,
                values=result.values,
                catalog_item=item,
                procedure=data.procedure,
                submit=data.submit,
                source=CreditRecordSource.API,
            )
    except entry.EntryError as exc:
        answer.update(status="refused", message=str(exc))
        if exc.code:
            answer["errors"].append({"code": exc.code, "name": "", "message": str(exc)})
        return answer
    except records.RecordError as exc:
        answer.update(status="refused", message=str(exc))
        return answer
    except PermissionDenied as exc:
        answer.update(status="refused", message=str(exc))
        return answer
    except IntegrityError:
        # The same decision arrived twice at once: the other request entered it.
        existing = entry.existing_record(kind, result.values)
        if existing is None:
            raise
        answer.update(status=entry.UNCHANGED, record=_ref(existing))
        return answer
    answer.update(status=outcome.outcome, record=_ref(outcome.record))
    if outcome.outcome == entry.LOCKED:
        answer["message"] = (
            "该决定已提交审核或已生效，未作修改；如需修改请申请更正 / The decision is already "
            "submitted or effective and was left unchanged: ask for a correction"
        )
    return answer


def _enter(request: HttpRequest, kind: str, data: DecisionsIn) -> Status[dict[str, Any]]:
    caller = request.auth  # type: ignore[attr-defined]
    if (data.row is None) == (data.rows is None):
        raise HttpError(422, "须给出 row 或 rows 之一 / Give exactly one of row or rows")
    if data.procedure not in DecisionProcedure.values:
        raise HttpError(422, "procedure 应为 ordinary 或 simplified / Invalid procedure")
    code = "JY-XK-01" if kind == "licence" else data.catalog_item
    if kind == "penalty" and code not in PENALTY_ITEMS:
        raise HttpError(422, f"catalog_item 应为 {' / '.join(PENALTY_ITEMS)} 之一 / Invalid item")
    item = catalog_item_by_code(code)
    if item is None:
        raise HttpError(422, f"现行目录中没有条目 {code} / The catalog in force has no item {code}")
    validator = RowValidator(kind)
    rows = [data.row] if data.row is not None else list(data.rows or [])
    results = [
        _enter_one(caller, kind, index, row, item, data, validator)
        for index, row in enumerate(rows)
    ]
    tally = {"created": 0, "updated": 0, "unchanged": 0, "locked": 0, "failed": 0}
    for result in results:
        key = result["status"] if result["status"] in tally else "failed"
        tally[key] += 1
    body = {"results": results, **tally}
    if data.row is not None:
        status = {"created": 201, "invalid": 422, "refused": 422}.get(results[0]["status"], 200)
        return Status(status, body)
    return Status(200, body)


@router.post(
    "/penalties/",
    response={200: DecisionsOut, 201: DecisionsOut, 422: DecisionsOut | DecisionsErrorOut},
    auth=api_auth(WRITE),
    summary="报送行政处罚决定（全国双公示格式，幂等）/ Submit penalty decisions",
)
def penalties_submit(request: HttpRequest, data: DecisionsIn) -> Status[dict[str, Any]]:
    """One row (``row``) or many (``rows``) of CF_* fields; a result per row."""
    return _enter(request, "penalty", data)


@router.post(
    "/licences/",
    response={200: DecisionsOut, 201: DecisionsOut, 422: DecisionsOut | DecisionsErrorOut},
    auth=api_auth(WRITE),
    summary="报送行政许可决定（全国双公示格式，幂等）/ Submit licence decisions",
)
def licences_submit(request: HttpRequest, data: DecisionsIn) -> Status[dict[str, Any]]:
    """One row (``row``) or many (``rows``) of XK_* fields; a result per row."""
    return _enter(request, "licence", data)


@router.get(
    "/quality",
    # 404: an ``organisation`` that is unknown or outside the caller's jurisdiction.
    response={200: QualityMonthOut, 404: ApiErrorOut},
    auth=api_auth(READ),
    summary="双公示报送质量 / Reporting quality for a month",
)
def quality(request: HttpRequest, month: str = "", organisation: str = "") -> dict[str, Any]:
    """及时率, 合规率, 完整率 of an organisation within the caller's jurisdiction (``YYYY-MM``):
    the subtree's total, the organisation's own decisions, then each direct child's subtree."""
    caller = request.auth  # type: ignore[attr-defined]
    org = (
        access_organisation_for_user(caller, organisation) if organisation else caller.organisation
    )
    today = clock.today()
    try:
        year, number = (
            (int(part) for part in month.split("-")) if month else (today.year, today.month)
        )
        first = dt.date(year, number, 1)
        if first > LAST_MONTH:
            raise ValueError(month)
    except ValueError as exc:
        raise HttpError(422, "month 应为 YYYY-MM / month must be YYYY-MM") from exc
    by_child = selectors.quality_by_child(org, first, as_of=today)
    total = selectors.quality(org, first, as_of=today)
    rows = [(total, True, org), (by_child[0], False, org)]
    rows += [(q, True, q.organisation) for q in by_child[1:]]
    return {
        "month": first,
        "rows": [
            {
                "organisation": who.public_id,
                "name": who.name,
                "subtree": subtree,
                "count": q.count,
                "on_time": q.on_time,
                "late": q.late,
                "pending": q.pending,
                "compliant": q.compliant,
                "complete": q.complete,
                "timeliness_rate": q.timeliness_rate,
                "compliance_rate": q.compliance_rate,
                "completeness_rate": q.completeness_rate,
            }
            for q, subtree, who in rows
        ],
    }
