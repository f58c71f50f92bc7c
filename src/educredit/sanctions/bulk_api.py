"""JSON API of the bulk check (批量核查, ADR 0024): start a run, read its progress, download
its result. Identifiers travel only in the POST body (a file or JSON items), never in a URL;
runs are named by their public UUID."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, ValidationError

from educredit.core import uploads
from educredit.sanctions import bulk_check, screening
from educredit.sanctions.api import AUTH_ERRORS, CHECK_AUTH
from educredit.sanctions.models import BulkCheckRun
from educredit.sanctions.schemas import CheckErrorOut, ErrorOut, UnavailableOut
from educredit.subjects.choices import ImportStatus

router = Router(tags=["sanctions"])

NO_RUN = "没有该批量核查 / No such bulk check"


class BulkCheckItemIn(Schema):
    """One identifier: a USCC, or a document type and number; the name to confirm."""

    uscc: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    name: str | None = None


class BulkCheckIn(Schema):
    """A bulk check sent inline (up to 10 000 items; upload a file for more)."""

    scenario: str
    reference: str
    as_of: dt.date | None = None
    items: list[BulkCheckItemIn] = Field(max_length=bulk_check.INLINE_MAX_ITEMS)


class BulkCheckStartedOut(Schema):
    """The run's id and where to follow it."""

    id: str
    status: str
    status_url: str
    result_url: str


class BulkCheckCountsOut(Schema):
    """Rows answered so far, by verdict ("error": not a valid identifier)."""

    clear: int
    restricted: int
    review: int
    reward: int
    error: int


class BulkCheckOut(Schema):
    """A run's progress and counts."""

    id: str
    status: str
    scenario: str
    reference: str
    as_of: dt.date
    total_rows: int
    processed_rows: int
    percent: int
    counts: BulkCheckCountsOut
    data_version: int | None
    last_data_version: int | None
    audit_entries: list[int]
    result_digest: str = Field(
        "",
        description="结果文件的 SHA-256（完成后），由结果审计条目记录 / The result file's SHA-256 "
        "(once finished), logged by the result's audit entry",
    )
    result_entry: int | None = Field(
        None,
        description="记录结果文件摘要的审计条目 / The audit entry that logs the result's digest",
    )
    error_message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result_url: str | None
    attempts: int = Field(
        1,
        description="执行次数：1，或处理进程意外中止、另一进程接手后更多 / 1, or more once "
        "the worker processing it died and another one took it over",
    )
    resumed_after: int | None = Field(
        None,
        description="接手时已处理的行数（这些行不会再核查一次） / Rows already answered when "
        "another worker took the run over (they are not checked again)",
    )


# The operation reads its body itself (JSON or multipart), so the schema is declared here.
REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": BulkCheckIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "scenario", "reference"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8/GBK/GB18030) or XLSX; columns "
                            "统一社会信用代码/uscc, or 证件类型/document_type and "
                            "证件号码/document_number, optionally 姓名/名称/name",
                        },
                        "scenario": {"type": "string"},
                        "reference": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                    },
                }
            },
        },
    }
}


# The result's one 200 answer is the CSV file. ninja keys ``responses`` by int status code and
# merges ``openapi_extra`` into them, so the key must be the int 200: a string "200" would be a
# second 200 answer in the served JSON (a duplicated key that Swagger UI refuses to parse).
RESULT_CONTENT: dict[str, Any] = {
    "responses": {
        200: {
            "description": "结果文件（CSV，UTF-8 带 BOM） / The result file (CSV, UTF-8 with BOM)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _urls(run: BulkCheckRun) -> tuple[str, str]:
    status = reverse("api:sanctions_bulk_check_status", kwargs={"bulk_check_id": run.public_id})
    return status, f"{status}/result"


def _refused(exc: screening.ScreeningError | bulk_check.BulkCheckError) -> Status[Any]:
    return Status(422, {"detail": str(exc), "errors": exc.errors})


# How a file the upload check (core.uploads) refuses is answered, by why it was refused.
UPLOAD_REFUSED_STATUS = {
    uploads.TOO_LARGE: 413,
    uploads.WRONG_TYPE: 415,
    uploads.EMPTY: 400,
    uploads.MALFORMED: 400,
}


@router.post(
    "/bulk-checks",
    response={
        202: BulkCheckStartedOut,
        **AUTH_ERRORS,
        413: ErrorOut,
        415: ErrorOut,
        422: CheckErrorOut,
        503: UnavailableOut,
    },
    auth=CHECK_AUTH,
    openapi_extra=REQUEST_BODY,
    summary="批量核查 / Start a bulk check",
)
def bulk_check_create(request: HttpRequest, response: HttpResponse) -> Status[Any]:
    """A file (multipart ``file``, CSV or XLSX, up to ``EDUCREDIT_BULK_CHECK_MAX_BYTES``) or
    JSON ``items`` (up to 10 000) screened as a job; every row answered is logged as a check.
    The file goes through the upload check every importer uses (``core.uploads``) and its
    heading row is read before anything is stored, so these are answered at once, never by a
    run that fails later; no message quotes the file. 202: the run's id and status URL.
    400: a body that is not JSON, or holds U+0000; an empty file; an XLSX that cannot be read
    or would inflate too much (zip bomb); 401/403: key or scope; 413: the file is over the
    size limit; 415: not a CSV or XLSX by content (binary, old ``.xls``, PDF, HTML…), a file
    name whose extension is not ``.csv``/``.xlsx`` or does not match the content, or a
    content type other than JSON or multipart; 422: unknown or retired scenario, no
    reference, no items, too many items, a malformed item, a heading row not understood
    (columns named by number)."""
    caller = request.auth  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            upload = request.FILES.get("file")
            if upload is None:
                return Status(
                    422,
                    {"detail": "须上传文件 / Upload a file", "errors": {"file": "须上传文件"}},
                )
            as_of_text = request.POST.get("as_of") or ""
            run = bulk_check.bulk_check_start(
                caller=caller,
                scenario=request.POST.get("scenario", ""),
                reference=request.POST.get("reference", ""),
                as_of=dt.date.fromisoformat(as_of_text) if as_of_text else None,
                upload=upload,
            )
        elif content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
                data = BulkCheckIn.model_validate(body)
            except json.JSONDecodeError:
                return Status(400, {"detail": "请求体不是有效的 JSON / The body is not JSON"})
            except ValidationError as exc:
                errors = {".".join(map(str, e["loc"])) or "body": e["msg"] for e in exc.errors()}
                return Status(422, {"detail": "; ".join(errors.values()), "errors": errors})
            run = bulk_check.bulk_check_start(
                caller=caller,
                scenario=data.scenario,
                reference=data.reference,
                as_of=data.as_of,
                items=[item.model_dump() for item in data.items],
            )
        else:
            return Status(
                415,
                {
                    "detail": "请以 multipart/form-data 上传文件或发送 application/json / Send "
                    "multipart/form-data with a file, or application/json"
                },
            )
    except uploads.UploadRefusedError as exc:
        status = UPLOAD_REFUSED_STATUS.get(exc.code, 400)
        return Status(status, {"detail": f"{exc.zh} / {exc.en}"})
    except ValueError as exc:
        if isinstance(exc, screening.ScreeningError | bulk_check.BulkCheckError):
            return _refused(exc)
        return Status(422, {"detail": "日期无效 / as_of: not a date", "errors": {"as_of": "date"}})
    status_url, result_url = _urls(run)
    return Status(
        202,
        {
            "id": str(run.public_id),
            "status": run.status,
            "status_url": status_url,
            "result_url": result_url,
        },
    )


def _run_of(caller: Any, run_id: Any) -> BulkCheckRun | None:
    return bulk_check.bulk_runs_of(caller).filter(public_id=run_id).first()


@router.get(
    "/bulk-checks/{uuid:bulk_check_id}",
    response={200: BulkCheckOut, **AUTH_ERRORS, 404: ErrorOut, 503: UnavailableOut},
    auth=CHECK_AUTH,
    url_name="sanctions_bulk_check_status",
    summary="批量核查进度 / A bulk check's progress",
)
def bulk_check_status(
    request: HttpRequest, bulk_check_id: uuid.UUID, response: HttpResponse
) -> Status[Any]:
    """Status, rows processed of the total, counts by verdict, the data versions and bulk
    audit entries so far, and once finished the result file's digest and its audit entry.
    404: no such run of this caller (another client's included; staff read the runs of
    callers in their jurisdiction)."""
    caller = request.auth  # type: ignore[attr-defined]
    response["Cache-Control"] = "no-store"
    run = _run_of(caller, bulk_check_id)
    if run is None:
        return Status(404, {"detail": NO_RUN})
    _status_url, result_url = _urls(run)
    return Status(
        200,
        {
            "id": str(run.public_id),
            "status": run.status,
            "scenario": run.scenario,
            "reference": run.reference,
            "as_of": run.as_of,
            "total_rows": run.total_rows,
            "processed_rows": run.processed_rows,
            "percent": run.percent,
            "counts": {
                "clear": run.clear_count,
                "restricted": run.restricted_count,
                "review": run.review_count,
                "reward": run.reward_count,
                "error": run.error_count,
            },
            "data_version": run.data_version,
            "last_data_version": run.last_data_version,
            "audit_entries": run.audit_entries,
            "result_digest": run.result_digest,
            "result_entry": run.result_entry,
            "error_message": run.error_message,
            "created_at": run.created_at,
            "finished_at": run.finished_at,
            "result_url": result_url if run.status == ImportStatus.FINISHED else None,
            "attempts": run.attempts,
            "resumed_after": run.resumed_after,
        },
    )


@router.get(
    "/bulk-checks/{uuid:bulk_check_id}/result",
    response={
        200: None,
        **AUTH_ERRORS,
        404: ErrorOut,
        409: ErrorOut,
        503: UnavailableOut,
    },
    auth=CHECK_AUTH,
    openapi_extra=RESULT_CONTENT,
    summary="批量核查结果文件 / A bulk check's result file",
)
def bulk_check_result(
    request: HttpRequest, bulk_check_id: uuid.UUID, response: HttpResponse
) -> Any:
    """The result CSV (UTF-8 with BOM): row, identifier kind, identifier (document numbers
    masked), name match, verdict, reason, subject found, measure codes, legal bases, ends,
    data version; its SHA-256 is the run's ``result_digest``. 404: no such run of this
    caller; 409: still running, or failed."""
    caller = request.auth  # type: ignore[attr-defined]
    run = _run_of(caller, bulk_check_id)
    if run is None:
        return Status(404, {"detail": NO_RUN})
    if run.status != ImportStatus.FINISHED or not run.result:
        detail = "批量核查尚未完成 / The bulk check has not finished"
        if run.status == ImportStatus.FAILED:
            detail = f"批量核查失败 / The bulk check failed: {run.error_message}"
        return Status(409, {"detail": detail})
    download = FileResponse(
        run.result.open("rb"),
        as_attachment=True,
        filename=f"bulk-check-{run.public_id}.csv",
        content_type="text/csv; charset=utf-8",
    )
    download["Cache-Control"] = "no-store"
    return download
