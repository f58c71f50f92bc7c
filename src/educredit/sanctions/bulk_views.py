"""Staff pages of the bulk check (批量核查, ADR 0024): upload a file, follow its progress,
download the result.

Any staff user with an organisation may run checks (as through the API with a session), so
the pages admit every staff user; runs are read through ``bulk_runs_of`` (those of callers in
the user's jurisdiction; 404 otherwise). The progress page reuses the imports' polling script
(``subjects/import-progress.js``): the JSON answered here has its shape, and the result file
is its ``report_url``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.permissions import access_staff
from educredit.core import uploads
from educredit.core.i18n import shown
from educredit.sanctions import bulk_check, screening, selectors
from educredit.sanctions.models import BulkCheckRun
from educredit.sanctions.views import scenario_label
from educredit.subjects.choices import ImportStatus
from educredit.web.paging import page_of


class BulkCheckForm(forms.Form):
    """The file of identifiers, the scenario, the user's own reference and the day."""

    scenario = forms.ChoiceField(
        label=gettext_lazy("业务场景"), widget=forms.Select(attrs={"class": "form-select"})
    )
    reference = forms.CharField(
        label=gettext_lazy("业务编号"),
        help_text=gettext_lazy("本单位的业务编号，如审批批次号，会记入每条核查记录。"),
        max_length=screening.REFERENCE_MAX,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    as_of = forms.DateField(
        label=gettext_lazy("核查日期"),
        help_text=gettext_lazy("不填则为今天。"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}),
    )
    file = forms.FileField(
        label=gettext_lazy("文件（.csv 或 .xlsx）"),
        help_text=gettext_lazy(
            "列：统一社会信用代码，或证件类型和证件号码，以及可选的姓名/名称。CSV 可为 UTF-8 "
            "或 GBK/GB18030 编码。"
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [  # type: ignore[attr-defined]
            (s.code, scenario_label(s)) for s in selectors.scenarios(include_retired=False)
        ]


def _run_for(request: HttpRequest, run_id: Any) -> BulkCheckRun:
    try:
        key = uuid.UUID(str(run_id))
    except ValueError as exc:
        raise Http404 from exc
    run = bulk_check.bulk_runs_of(request.user).filter(public_id=key).first()
    if run is None:
        raise Http404
    return run


def _start(request: HttpRequest, form: BulkCheckForm) -> BulkCheckRun | None:
    """Start the run, or put on the form why it was refused (nothing is stored then)."""
    data = form.cleaned_data
    try:
        return bulk_check.bulk_check_start(
            caller=request.user,
            scenario=data["scenario"],
            reference=data["reference"],
            as_of=data["as_of"],
            upload=data["file"],
        )
    except uploads.UploadRefusedError as exc:
        form.add_error("file", shown(f"{exc.zh} / {exc.en}"))
    except (screening.ScreeningError, bulk_check.BulkCheckError) as exc:
        for key, message in exc.errors.items():
            field = {"header": "file", "caller": None}.get(key, key)
            form.add_error(field if field in form.fields else None, shown(message))
    return None


@access_staff()
@require_http_methods(["GET", "POST"])
def bulk_check_start(request: HttpRequest) -> HttpResponse:
    """Upload a file of identifiers to screen in a scenario; below, the runs of the user's
    jurisdiction, newest first."""
    form = BulkCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = _start(request, form)
        if run is not None:
            return redirect("sanctions:bulk_check_detail", bulk_check_id=run.public_id)
    runs = bulk_check.bulk_runs_of(request.user).select_related("client", "user")
    return render(
        request,
        "sanctions/bulk_start.html",
        {"form": form, "page": page_of(request, runs)},
    )


def _progress(run: BulkCheckRun) -> dict[str, Any]:
    """The progress as the imports' polling script reads it."""
    done = run.status in (ImportStatus.FINISHED, ImportStatus.FAILED)
    resumed = ""
    if run.attempts > 1:
        resumed = _("处理进程意外中止后由另一进程接手；已核查的 %(rows)s 行未重复核查。") % {
            "rows": run.resumed_after or 0
        }
    finished = run.status == ImportStatus.FINISHED and bool(run.result)
    return {
        "status": run.status,
        "status_label": str(ImportStatus(run.status).label),
        "done": done,
        "total": run.total_rows,
        "processed": run.processed_rows,
        "ok": run.processed_rows - run.error_count,
        "restricted": run.restricted_count,
        "review": run.review_count,
        "failed": run.error_count,
        "existing": 0,
        "resumed": resumed,
        "percent": run.percent,
        "message": shown(run.error_message),
        "errors": [],
        "report_url": reverse(
            "sanctions:bulk_check_result", kwargs={"bulk_check_id": run.public_id}
        )
        if finished
        else "",
    }


@access_staff()
@require_GET
def bulk_check_detail(request: HttpRequest, bulk_check_id: str) -> HttpResponse:
    """The progress of one run; with ``?format=json`` (the page polls it) as JSON."""
    run = _run_for(request, bulk_check_id)
    progress = _progress(run)
    if request.GET.get("format") == "json":
        response = JsonResponse(progress)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "sanctions/bulk_detail.html", {"run": run, "progress": progress})


@access_staff()
@require_GET
def bulk_check_result(request: HttpRequest, bulk_check_id: str) -> FileResponse:
    """The result file (CSV, UTF-8 with BOM; document numbers masked) of a finished run."""
    run = _run_for(request, bulk_check_id)
    if run.status != ImportStatus.FINISHED or not run.result:
        raise Http404
    download = FileResponse(
        run.result.open("rb"),
        as_attachment=True,
        filename=f"bulk-check-{run.public_id}.csv",
        content_type="text/csv; charset=utf-8",
    )
    download["Cache-Control"] = "no-store"
    return download
