"""Reference data every app relies on: administrative divisions and the holiday calendar."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.core.choices import RegionLevel


class Region(models.Model):
    """One name of a GB/T 2260 division (行政区划) and the years it was in force.

    A code that was renamed has one row per name (410108: 邙山区 1987-2002, 惠济区 2003-), so
    a code on an old document can be named as it was then. An open ``valid_from_year`` means
    "before the first edition of the table"; an open ``valid_to_year`` means "in force now".
    """

    code = models.CharField(_("区划代码"), max_length=6, db_index=True)
    name = models.CharField(_("名称"), max_length=40, db_index=True)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    # The city a county belongs to, the province for a city and for units the province
    # governs directly (省直辖县级行政单位 such as 济源 419001); empty for the province.
    parent_code = models.CharField(_("上级区划代码"), max_length=6, blank=True, db_index=True)
    valid_from_year = models.PositiveSmallIntegerField(_("启用年份"), null=True, blank=True)
    valid_to_year = models.PositiveSmallIntegerField(_("停用年份"), null=True, blank=True)
    # Statistical grouping codes (市辖区, 省直辖县级行政单位) that are not divisions themselves.
    is_grouping = models.BooleanField(_("汇总码"), default=False)

    class Meta:
        ordering = ["code", "valid_from_year"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from_year"], name="region_code_period")
        ]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_current(self) -> bool:
        return self.valid_to_year is None

    def in_force(self, year: int) -> bool:
        """Whether this name was the code's name in ``year``."""
        return (self.valid_from_year is None or self.valid_from_year <= year) and (
            self.valid_to_year is None or year <= self.valid_to_year
        )


class Holiday(AuditedModel):
    """A day whose status the State Council's holiday schedule (节假日安排) sets.

    ``is_workday`` False is a public holiday (or rest day moved onto a weekday), True a
    make-up working day (调休上班) on a weekend. Rows override the ``chinesecalendar`` package,
    and any row in a year marks that year's schedule as published.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    name = models.CharField(_("名称"), max_length=60)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    audit_exclude: ClassVar[tuple[str, ...]] = ()

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        kind = "上班" if self.is_workday else "休息"
        return f"{self.date.isoformat()} {self.name}（{kind}）"


class ScheduledRun(models.Model):
    """One slot of a periodic job that a scheduler enqueued (``core.schedule``).

    Unique on (job, slot): a scheduler enqueues a slot only if it inserts this row, so however
    many schedulers run, each slot is enqueued once. Not audited: it records when work was
    started, not a decision; the tasks it starts audit what they change.
    """

    job = models.CharField(_("任务"), max_length=100)
    slot = models.DateTimeField(_("计划时刻"))
    enqueued_at = models.DateTimeField(_("排入时间"), default=timezone.now)
    # Which scheduler (host:pid) won the slot: where to look when a run went wrong.
    enqueued_by = models.CharField(_("调度进程"), max_length=100, blank=True)
    task_result_id = models.CharField(_("任务结果编号"), max_length=64, blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_job_slot")
        ]
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot.isoformat()}"


class TaskLease(models.Model):
    """The lease of a background task while a worker runs it (``core.jobs``, ADR 0041).

    The worker renews ``expires_at`` while the task runs; a worker that dies stops renewing,
    and the recovery hands the task to another worker (or, past the attempt limit, gives it
    up). ``attempt`` is the fencing token: a chunk is committed only while the lease is still
    this attempt's. A row given up keeps ``abandoned_at`` and the reason for the
    administrators' to-do list. Not audited: it records who is running what, not a decision.
    """

    task_id = models.UUIDField(primary_key=True)
    task_path = models.CharField(_("任务"), max_length=200)
    attempt = models.PositiveSmallIntegerField(_("第几次运行"), default=1)
    # host:pid of the worker process holding the lease.
    worker = models.CharField(_("工作进程"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("租约到期"), db_index=True)
    abandoned_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    # The materialised path of the organisation whose job it was (blank: a province-wide
    # job), so the to-do list scopes it like every other row; a path, so core stays free of
    # the accounts app.
    organisation_path = models.CharField(max_length=255, blank=True)
    # Where the person who started it reads what happened (a page's path), if anywhere.
    link = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("后台任务租约")
        verbose_name_plural = _("后台任务租约")

    def __str__(self) -> str:
        return f"{self.task_path} #{self.attempt} → {self.expires_at.isoformat()}"
