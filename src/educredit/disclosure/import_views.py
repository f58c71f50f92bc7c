"""Pages of the 双公示 spreadsheet import: upload, progress (polled), error report.

Clerks and administrators only; runs are fetched within the user's organisation subtree
(404 otherwise). The progress page reuses the subjects import's polling script: the JSON
answered here has the same shape.
"""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from educredit.accounts.choices import Power, UserRole
from educredit.accounts.permissions import access_staff
from educredit.catalog.selectors import catalog_items
from educredit.core.exports import Column, export_list, export_wanted, list_export
from educredit.core.i18n import shown
from educredit.disclosure import imports, mapping
from educredit.disclosure.models import DecisionImportRun, DecisionKind
from educredit.subjects.choices import ImportStatus
from educredit.web.paging import page_of

WRITERS = (UserRole.CLERK, UserRole.ADMIN)
ERRORS_SHOWN = 50


class DecisionImportForm(forms.Form):
    """The file, its kind and, for penalties, the catalog item the records take."""

    kind = forms.ChoiceField(
        label=gettext_lazy("决定类别"),
        choices=DecisionKind.choices,
        initial=DecisionKind.PENALTY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    penalty_item = forms.ChoiceField(
        label=gettext_lazy("行政处罚的目录条目"),
        help_text=gettext_lazy("行政许可一律记入 JY-XK-01。"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("文件（.csv 或 .xlsx）"),
        help_text=gettext_lazy("CSV 可为 UTF-8 或 GBK/GB18030 编码。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = catalog_items().filter(category="penalty")
        self.fields["penalty_item"].choices = [  # type: ignore[attr-defined]
            (item.code, f"{item.code} {item.name}") for item in items
        ]
        self.fields["penalty_item"].initial = mapping.DEFAULT_PENALTY_ITEM


def _run_for(request: HttpRequest, run_id: Any) -> DecisionImportRun:
    try:
        public_id = uuid.UUID(str(run_id))
        return (
            DecisionImportRun.objects.visible_to(request.user)
            .select_related("created_by")
            .get(public_id=public_id)
        )
    except (ValueError, DecisionImportRun.DoesNotExist) as exc:
        raise Http404 from exc


# The runs' columns, as exported (ADR 0036).
RUN_COLUMNS = (
    Column(gettext_lazy("文件名"), lambda r: r.original_filename),
    Column(gettext_lazy("状态"), lambda r: r.get_status_display()),
    Column(gettext_lazy("成功"), lambda r: r.ok_rows + r.updated_rows),
    Column(gettext_lazy("失败"), lambda r: r.failed_rows),
    Column(gettext_lazy("上传人"), lambda r: str(r.created_by)),
    Column(gettext_lazy("时间"), lambda r: r.created_at),
)


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_http_methods(["GET", "POST"])
@list_export
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet of licence or penalty decisions; it is imported in the background.
    Below the form, the runs (``?export=xlsx``: all of them)."""
    if request.method == "GET" and export_wanted(request):
        runs = DecisionImportRun.objects.visible_to(request.user).select_related("created_by")
        return export_list(
            request, runs, RUN_COLUMNS, stem="disclosure-imports", sheet=_("导入记录")
        )
    form = DecisionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = imports.decision_import_start(
                actor=request.user,  # type: ignore[arg-type]
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                penalty_item_code=form.cleaned_data["penalty_item"],
            )
        except imports.ImportStartError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        except (PermissionDenied, mapping.MappingError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("disclosure:import_detail", decision_import_id=run.public_id)
    runs = DecisionImportRun.objects.visible_to(request.user).select_related("created_by")
    return render(
        request,
        "disclosure/import_start.html",
        {"form": form, "page": page_of(request, runs)},
    )


def _progress(run: DecisionImportRun) -> dict[str, Any]:
    errors = [
        {"row": e.row_number, "column": e.column, "reason": shown(e.reason)}
        for e in run.row_errors.order_by("row_number", "pk")[:ERRORS_SHOWN]
    ]
    done = run.status in (ImportStatus.FINISHED, ImportStatus.FAILED)
    return {
        "status": run.status,
        "status_label": str(ImportStatus(run.status).label),
        "done": done,
        "total": run.total_rows,
        "processed": run.processed_rows,
        "ok": run.ok_rows + run.updated_rows,
        "updated": run.updated_rows,
        "failed": run.failed_rows,
        "existing": run.existing_rows,
        "resumed": run.resumed_note,
        "percent": run.percent,
        "message": shown(run.error_message),
        "errors": errors,
        "report_url": reverse(
            "disclosure:import_errors", kwargs={"decision_import_id": run.public_id}
        )
        if done and run.failed_rows
        else "",
    }


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def import_detail(request: HttpRequest, decision_import_id: str) -> HttpResponse:
    """The progress of one import; with ``?format=json`` (the page polls it) as JSON."""
    run = _run_for(request, decision_import_id)
    progress = _progress(run)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    return render(
        request,
        "disclosure/import_detail.html",
        {"run": run, "progress": progress, "errors_shown": ERRORS_SHOWN},
    )


@access_staff(*WRITERS, powers=[Power.ADMINISTRATIVE_DECISIONS])
@require_GET
def import_errors(request: HttpRequest, decision_import_id: str) -> FileResponse:
    """The rejected rows as XLSX: the original columns, 原行号 and 错误原因."""
    run = _run_for(request, decision_import_id)
    if not run.failed_rows:
        raise Http404
    handle = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    imports.write_error_report(run, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=_("双公示导入错误-%(at)s.xlsx") % {"at": f"{run.created_at:%Y%m%d%H%M}"},
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
