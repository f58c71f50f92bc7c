"""The workspace home's to-do list: what is waiting for the user's organisation (and below).

Each line is a count with a link, shown only when non-zero and only when the user may open the
page it links to. A fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from educredit.accounts.models import User
from educredit.commitments.checks.verification import overdue_tasks, tasks_visible_to
from educredit.core.clock import today
from educredit.disclosure import selectors as disclosure
from educredit.exchange.choices import OutboxStatus
from educredit.exchange.models import OutboxItem
from educredit.integrity.appraisal.selectors import review_queue_for as appraisals_to_review
from educredit.integrity.cases.selectors import cases_visible_to, overdue_cases
from educredit.integrity.hiring.selectors import recheck_overdue_count
from educredit.integrity.students.selectors import confirmations_due
from educredit.records.selectors import review_queue_for
from educredit.rights.alerts import open_query_alerts
from educredit.rights.approvals import approvals_to_decide
from educredit.rights.objections import objections_due_for
from educredit.rights.repair import repairs_due_for
from educredit.sanctions.feedback import overdue_hits
from educredit.web.navigation import url_if_available
from educredit.web.stopped_jobs import TODO_DAYS, stopped_jobs_for


@dataclass(frozen=True)
class TodoItem:
    """One line of the to-do list."""

    label: str | Promise
    count: int
    url: str
    urgent: bool


def todo_items(request: HttpRequest) -> list[TodoItem]:
    """What waits for the user: reviews, 双公示 deadlines near or missed, rejected reports,
    objections and repair applications due, bulk-access requests to decide, query alerts,
    screening hits without the business system's feedback."""
    user = request.user
    if not isinstance(user, User) or user.organisation is None:
        return []
    organisation = user.organisation
    wanted: list[tuple[str | Promise, str, Callable[[], int], bool]] = [
        (
            _("条信用记录待审核"),
            "records:review_queue",
            lambda: review_queue_for(user).count(),
            False,
        ),
        (
            _("条师德考核待审核"),
            "integrity_appraisal:review_queue",
            lambda: appraisals_to_review(user).count(),
            False,
        ),
        (
            _("项双公示决定两个工作日内到期、尚未报送"),
            "disclosure:quality",
            lambda: disclosure.due_soon(organisation).count(),
            False,
        ),
        (
            _("项双公示决定已超过 7 个工作日仍未报送（迟报）"),
            "disclosure:quality",
            lambda: (
                disclosure.late_decisions(organisation)
                .filter(first_reported_at__isnull=True)
                .count()
            ),
            True,
        ),
        (
            _("条报送被省平台退回，待修正后重新报送"),
            "exchange:rejected_list",
            lambda: (
                OutboxItem.objects.visible_to(user).filter(status=OutboxStatus.REJECTED).count()
            ),
            True,
        ),
        (
            _("件异议今明两个工作日内到期或已逾期"),
            "rights:objection_queue",
            lambda: objections_due_for(user).count(),
            True,
        ),
        (
            _("件信用修复申请待办理"),
            "rights:repair_queue",
            lambda: repairs_due_for(user).count(),
            False,
        ),
        (
            _("件批量查询待审批"),
            "rights:approval_list",
            lambda: approvals_to_decide(user).count(),
            False,
        ),
        (
            _("条异常查询预警待处理"),
            "rights:alert_list",
            lambda: open_query_alerts(user).count(),
            True,
        ),
    ]
    items = []
    for label, url_name, count_of, urgent in wanted:
        url = url_if_available(request, url_name)
        if url is None:
            continue
        count = count_of()
        if count:
            items.append(TodoItem(label, count, url, urgent))
    # Commitments' checks past their due day (the matter list's working days after acceptance).
    url = url_if_available(request, "commitments:tasks")
    if url is not None:
        count = overdue_tasks(tasks_visible_to(user), today()).count()
        if count:
            items.append(
                TodoItem(_("项承诺核查任务已超过核查期限"), count, f"{url}?state=overdue", True)
            )
    # The school's yearly re-check of its current staff, still incomplete after the due day.
    url = url_if_available(request, "integrity_hiring:recheck")
    if url is not None:
        count = recheck_overdue_count(user)
        if count:
            items.append(TodoItem(_("名在职教职工本年度尚未完成入职查询复查"), count, url, True))
    # Training contracts in service whose last year ended without the employer's confirmation
    # (not a breach by itself: a person looks into it).
    url = url_if_available(request, "integrity_students:tasks")
    if url is not None:
        last_year = today().year - 1
        count = confirmations_due(user, year=last_year).count()
        if count:
            items.append(
                TodoItem(
                    _("份培养协议上一年度缺少任职单位履约确认"),
                    count,
                    f"{url}?year={last_year}",
                    False,
                )
            )
    # Integrity cases past the body's own deadline (the regime's clock of the step it owes).
    url = url_if_available(request, "integrity_cases:list")
    if url is not None:
        count = overdue_cases(cases_visible_to(user), today=today()).count()
        if count:
            items.append(TodoItem(_("件诚信案件已超过办理期限"), count, f"{url}?overdue=on", True))
    url = url_if_available(request, "web:stopped_jobs")
    if url is not None:
        count = stopped_jobs_for(user, days=TODO_DAYS).count()
        if count:
            items.append(TodoItem(_("个后台任务因处理进程多次中止已停止"), count, url, True))
    # Hits the organisation's business systems have not reported on in time (ADR 0023),
    # counted live: no job needs to raise the warning.
    url = url_if_available(request, "sanctions:loop")
    if url is not None:
        count = overdue_hits().filter(organisation__path__startswith=organisation.path).count()
        if count:
            items.append(TodoItem(_("条核查命中逾期未反馈"), count, f"{url}?overdue=1", True))
    return items
