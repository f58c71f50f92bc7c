"""The staff pages of the checks: the body's task list (待核查, 已逾期, 已核查, exported) and a
sampling draw with what anyone needs to redo it. Both read within the user's jurisdiction
(outside it is 404) and log the subjects shown."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from educredit.accounts.permissions import access_staff
from educredit.commitments.checks import draws
from educredit.commitments.checks.verification import (
    draws_visible_to,
    overdue_tasks,
    tasks_visible_to,
)
from educredit.commitments.choices import VerificationTaskStatus
from educredit.commitments.forms import TASK_DONE, TASK_OPEN, TASK_OVERDUE, TaskFilterForm
from educredit.commitments.models import VerificationTask
from educredit.core import clock
from educredit.core.exports import Column, export_wanted, list_export
from educredit.rights.list_exports import export_subject_list
from educredit.rights.purpose import staff_read_log
from educredit.web.paging import page_of


def is_overdue(task: VerificationTask) -> bool:
    """Still open after its due day."""
    return task.status == VerificationTaskStatus.OPEN and task.due_on < clock.today()


def task_state(task: VerificationTask) -> str:
    """待核查, 已逾期 (open after its due day) or 已核查."""
    if is_overdue(task):
        return _("已逾期")
    return str(task.get_status_display())


def _subjects(task: VerificationTask) -> tuple[Any, Any]:
    return task.commitment.person, task.commitment.institution


COLUMNS = [
    Column(gettext_lazy("承诺编码"), lambda t: t.commitment.code or ""),
    Column(gettext_lazy("承诺人名称"), lambda t: t.commitment.subject_name),
    Column(gettext_lazy("事项编码"), lambda t: t.commitment.matter.code),
    Column(gettext_lazy("事项"), lambda t: t.commitment.matter.name),
    Column(gettext_lazy("核查单位"), lambda t: t.organisation.name),
    Column(gettext_lazy("核查方式"), lambda t: str(t.get_method_display())),
    Column(gettext_lazy("核查期限"), lambda t: t.due_on),
    Column(gettext_lazy("状态"), task_state),
    Column(gettext_lazy("核查情况"), lambda t: t.findings),
    Column(gettext_lazy("核查完成日期"), lambda t: t.done_on),
]


@access_staff()
@require_GET
@list_export
def task_list(request: HttpRequest) -> HttpResponse:
    """The checks of the user's body and those below, the most urgent first."""
    tasks = tasks_visible_to(request.user).select_related(
        "commitment__person", "commitment__institution"
    )
    form = TaskFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        tasks = tasks.none()  # an unknown filter matches nothing, not everything
    elif form.is_valid():
        state = form.cleaned_data["state"]
        if state == TASK_OVERDUE:
            tasks = overdue_tasks(tasks, clock.today())
        elif state == TASK_OPEN:
            tasks = tasks.filter(status=VerificationTaskStatus.OPEN)
        elif state == TASK_DONE:
            tasks = tasks.filter(status=VerificationTaskStatus.DONE)
        if form.cleaned_data["method"]:
            tasks = tasks.filter(method=form.cleaned_data["method"])
    tasks = tasks.order_by("-status", "due_on", "pk")  # open before done
    if export_wanted(request):
        return export_subject_list(
            request, tasks, COLUMNS, stem="commitment-checks", sheet=_("承诺核查任务"),
            subjects=_subjects,
        )  # fmt: skip
    page = page_of(request, tasks)
    staff_read_log(
        request,
        persons=[t.commitment.person for t in page.object_list],
        institutions=[t.commitment.institution for t in page.object_list],
        fields=("commitments",),
        route="commitments:tasks",
    )
    rows = [(task, task_state(task), is_overdue(task)) for task in page.object_list]
    return render(request, "commitments/tasks.html", {"form": form, "page": page, "rows": rows})


@access_staff()
@require_GET
def draw_detail(request: HttpRequest, draw_id: Any) -> HttpResponse:
    """A sampling draw: the method, seed, pool and its digest, the sample, and the draw redone
    here from those inputs (it must give the same codes)."""
    draw = draws_visible_to(request.user).filter(public_id=draw_id).first()
    if draw is None:
        raise Http404
    redone = draws.draw(draw.seed, draw.pool, draw.sample_rate)
    return render(
        request,
        "commitments/draw.html",
        {
            "draw": draw,
            "digest_ok": draws.pool_digest(draw.pool) == draw.pool_sha256,
            "redone_ok": redone == draw.selected,
            "ranks": [(code, draws.rank(draw.seed, code)) for code in draw.selected],
        },
    )
