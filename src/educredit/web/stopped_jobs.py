"""Background tasks given up after their workers kept dying (ADR 0041), for administrators.

The run a task belonged to is failed with the reason, which the person who started it reads
on the run's page; administrators see every such task of their jurisdiction here, and on the
workspace to-do list for a week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from educredit.accounts.choices import UserRole
from educredit.accounts.permissions import access_staff
from educredit.core.i18n import shown
from educredit.core.jobs import abandoned_visible_to
from educredit.core.models import TaskLease

# How long a stopped task stays on the to-do list.
TODO_DAYS = 7

# The tasks in officials' words; an unlisted one shows its function's name.
TASK_LABELS = {
    "educredit.disclosure.tasks.decision_import_task": _("双公示文件导入"),
    "educredit.subjects.tasks.import_run_task": _("主体信息导入"),
    "educredit.sanctions.tasks.bulk_check_task": _("批量核查"),
    "educredit.records.tasks.windows_daily_task": _("公示期限每日重算"),
    "educredit.sanctions.tasks.restrictions_daily_task": _("惩戒措施每日重算"),
    "educredit.sanctions.tasks.restrictions_recompute_task": _("措施清单发布后重算惩戒措施"),
    "educredit.sanctions.tasks.webhook_deliver_task": _("向业务系统推送"),
    "educredit.exchange.tasks.outbox_send_task": _("向信用河南报送"),
    "educredit.exchange.tasks.inbound_pull_task": _("从信用河南拉取"),
    "educredit.rights.tasks.query_alerts_task": _("异常查询预警"),
}


def task_label(path: str) -> Any:
    return TASK_LABELS.get(path, path.rsplit(".", 1)[-1])


def stopped_jobs_for(user: Any, *, days: int | None = None) -> QuerySet[TaskLease]:
    rows = abandoned_visible_to(user)
    if days is not None:
        rows = rows.filter(abandoned_at__gte=timezone.now() - dt.timedelta(days=days))
    return rows.order_by("-abandoned_at")


@access_staff(UserRole.ADMIN)
def stopped_jobs(request: HttpRequest) -> HttpResponse:
    """The tasks given up in the administrator's jurisdiction, newest first."""
    rows = [
        {
            "label": task_label(lease.task_path),
            "started_at": lease.started_at,
            "abandoned_at": lease.abandoned_at,
            "attempts": lease.attempt,
            "reason": shown(lease.reason),
            "link": lease.link,
        }
        for lease in stopped_jobs_for(request.user)[:200]
    ]
    return render(request, "web/stopped_jobs.html", {"rows": rows, "todo_days": TODO_DAYS})
