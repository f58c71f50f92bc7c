"""The measure list (信用激励和惩戒措施清单), versioned, and the business scenarios it names."""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.catalog.choices import SubjectType
from educredit.editions.models import Edition
from educredit.records.models import EXACTLY_ONE_SUBJECT
from educredit.sanctions.choices import (
    DurationKind,
    MeasureDirection,
    MeasurePart,
    MeasureVerdict,
)
from educredit.subjects.choices import ImportStatus


class Scenario(AuditedModel):
    """A business scenario (业务场景) a business system screens before granting something.

    Not versioned: the codes are a contract with the business systems, so a code is retired
    (``retired_from``), never deleted or renamed.
    """

    code = models.CharField(_("场景代码"), max_length=60, unique=True)
    name = models.CharField(_("场景名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    retired_from = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("业务场景")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MeasureListVersion(Edition):
    """One edition of the measure list; the edition in force on a day answers "as of" it."""

    class Meta(Edition.Meta):
        verbose_name = _("措施清单版本")


def _term(months: int) -> str:
    # Terms of three years or more in years (教师资格条例: 5年), shorter ones in months, as the
    # discipline rules count them (警告6个月, 记过12个月, 取消资格不少于24个月).
    if months % 12 == 0 and months >= 36:
        years = months // 12
        return ngettext("%(n)s年", "%(n)s年", years) % {"n": years}
    return ngettext("%(n)s个月", "%(n)s个月", months) % {"n": months}


class Measure(AuditedModel):
    """One measure with the five columns of Henan regulation §29, its triggers and duration.

    Columns: 具体事项 ``matter``, 实施对象 ``target`` (+ ``subject_type``), 实施手段 ``means``,
    实施主体 ``implementer``, 实施依据 ``legal_basis``.

    Triggers: ``trigger_items`` (catalog item codes) and ``trigger_lists`` (``CreditListKind``
    values); ``trigger_where`` narrows the item triggers to records whose payload field holds
    one of the listed values (``{"violation_kind": ["作弊", ...]}``). ``scenarios`` lists
    ``Scenario`` codes: a JSON list rather than a many-to-many table so that the scenarios are
    part of the audited row (the audit snapshot covers a row's own columns).

    Duration, counted from the decision date of the triggering record:
    ``fixed_term`` — ``duration_months``; ``record_date`` — until the date in the record's
    payload field ``duration_field`` and at least ``duration_months`` when set (no date: the
    decision imposed no such measure); ``until_repair`` — while the record stands unrepaired;
    ``until_list_exit`` — while the list entry stands; ``permanent``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        MeasureListVersion, on_delete=models.PROTECT, related_name="measures"
    )
    code = models.CharField(_("措施编码"), max_length=40)
    direction = models.CharField(_("类别"), max_length=20, choices=MeasureDirection.choices)
    part = models.CharField(_("措施类型"), max_length=30, choices=MeasurePart.choices, blank=True)
    matter = models.CharField(_("具体事项"), max_length=300)
    target = models.CharField(_("实施对象"), max_length=300)
    subject_type = models.CharField(_("主体类型"), max_length=20, choices=SubjectType.choices)
    means = models.TextField(_("实施手段"))
    implementer = models.CharField(_("实施主体"), max_length=300)
    legal_basis = models.TextField(_("实施依据"))
    verdict = models.CharField(_("筛查结论"), max_length=20, choices=MeasureVerdict.choices)
    scenarios = models.JSONField(_("业务场景"), default=list)
    trigger_items = models.JSONField(_("触发目录条目"), default=list)
    trigger_lists = models.JSONField(_("触发名单"), default=list)
    trigger_where = models.JSONField(_("触发条件"), default=dict, blank=True)
    duration_kind = models.CharField(_("期限类型"), max_length=20, choices=DurationKind.choices)
    duration_months = models.PositiveIntegerField(_("期限（月）"), null=True, blank=True)
    duration_field = models.CharField(_("期限字段"), max_length=60, blank=True)
    duration_note = models.CharField(_("期限说明"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "sort_order", "code"]
        verbose_name = _("措施")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_measure_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.matter}"

    def duration_text(self) -> str:
        """The duration in words, in the active language ("自决定之日起5年", "永久" …)."""
        kind, months = self.duration_kind, self.duration_months
        if kind == DurationKind.FIXED_TERM and months:
            return gettext("自决定之日起%(term)s") % {"term": _term(months)}
        if kind == DurationKind.RECORD_DATE:
            if months:
                return gettext("以决定载明日期为准，且不少于%(term)s") % {"term": _term(months)}
            return gettext("以决定载明日期为准")
        return str(DurationKind(kind).label) if kind in DurationKind.values else kind


class RestrictionEnd(models.TextChoices):
    """Why a restriction ended before (or at) its natural term; blank: its own term."""

    TERM = "", _("期限届满")
    REPAIRED = "repaired", _("信用修复")
    REVOKED = "revoked", _("记录撤销")
    LIST_EXIT = "list_exit", _("移出名单")
    WINDOW_END = "window_end", _("公示期届满")


EXACTLY_ONE_BASIS = (
    models.Q(basis_record__isnull=False) & models.Q(basis_list_entry__isnull=True)
) | (models.Q(basis_record__isnull=True) & models.Q(basis_list_entry__isnull=False))


class Restriction(AuditedModel):
    """One measure in one scenario applied to a subject, from ``starts_on`` until ``ends_on``.

    Derived data (ADR 0021): a pure function of the basis (a credit record with its
    transitions, or a list entry) and the measure list, written only by
    ``sanctions.restrictions``. One row per (basis, measure, scenario), so that screening a
    subject in a scenario on a day is one range scan of the (subject, scenario, starts_on)
    index. ``ends_on`` is exclusive; NULL means no end (permanent, or open until an event).
    ``legal_basis`` and ``measure_version`` are copied from the measure, so an answer can be
    explained after the list changes.
    """

    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictions",
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictions",
        db_index=False,
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="restrictions")
    measure_version = models.PositiveIntegerField(_("清单版本"))
    scenario = models.CharField(_("场景代码"), max_length=60)
    verdict = models.CharField(_("筛查结论"), max_length=20, choices=MeasureVerdict.choices)
    # The unique constraints below lead with these columns and serve every look-up by basis.
    basis_record = models.ForeignKey(
        "records.CreditRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictions",
        db_index=False,
    )
    basis_list_entry = models.ForeignKey(
        "records.CreditListEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restrictions",
        db_index=False,
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期（不含）"), null=True, blank=True)
    ended_by = models.CharField(
        _("结束原因"), max_length=20, choices=RestrictionEnd.choices, blank=True, default=""
    )
    legal_basis = models.TextField(_("实施依据"))

    class Meta:
        verbose_name = _("惩戒或激励措施")
        constraints = [
            models.CheckConstraint(condition=EXACTLY_ONE_SUBJECT, name="restriction_one_subject"),
            models.CheckConstraint(condition=EXACTLY_ONE_BASIS, name="restriction_one_basis"),
            models.UniqueConstraint(
                fields=["basis_record", "measure", "scenario"],
                condition=models.Q(basis_record__isnull=False),
                name="uniq_restriction_record_measure_scenario",
            ),
            models.UniqueConstraint(
                fields=["basis_list_entry", "measure", "scenario"],
                condition=models.Q(basis_list_entry__isnull=False),
                name="uniq_restriction_entry_measure_scenario",
            ),
        ]
        indexes = [
            # The screening look-up: a subject in a scenario, rows started by a day.
            models.Index(
                fields=["institution", "scenario", "starts_on"],
                condition=models.Q(institution__isnull=False),
                name="restriction_inst_scen_start",
            ),
            models.Index(
                fields=["person", "scenario", "starts_on"],
                condition=models.Q(person__isnull=False),
                name="restriction_pers_scen_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} {self.verdict} {self.starts_on}–{self.ends_on or ''}"

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether the restriction applies on ``day`` (``starts_on <= day < ends_on``)."""
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


class ScreeningNameMatch(models.TextChoices):
    """How the name sent with a check compares with the subject's name on record."""

    NOT_GIVEN = "", _("未提供")
    CURRENT = "current", _("与现名一致")
    FORMER = "former", _("与曾用名一致")
    MISMATCH = "mismatch", _("不一致")


class ScreeningCheck(AuditedModel):
    """One screening check (核查) by a business system or a staff user: the query log entry.

    Every check is a query of credit information: who asked (``client`` or ``user``, and
    their ``organisation``), about whom (``institution`` or ``person``; none when nothing is
    held on the identifier), for what (``scenario``, the caller's ``reference``), on which
    day (``as_of``) and what it was told (``verdict``, ``measures``). The identifier itself
    is never stored, not even as a blind index: only its kind (``uscc`` or a document type).
    ``data_version`` is the data the answer was computed from (ADR 0022). The check's own
    audit entry (whose target is this row) is the receipt a later inclusion proof refers to.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.CharField(_("场景代码"), max_length=60)
    reference = models.CharField(_("调用方业务编号"), max_length=100)
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_checks",
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_checks",
        db_index=False,
    )
    identifier_kind = models.CharField(_("标识类型"), max_length=20)
    name_match = models.CharField(
        _("名称核对"), max_length=10, choices=ScreeningNameMatch.choices, blank=True, default=""
    )
    verdict = models.CharField(_("筛查结论"), max_length=20)
    # What the caller was told, per measure: code, version, verdict, start, end, basis.
    measures = models.JSONField(_("措施"), default=list)
    details_given = models.BooleanField(_("已提供记录详情"), default=False)
    as_of = models.DateField(_("核查日期"))
    data_version = models.BigIntegerField(_("数据版本"))
    created_at = models.DateTimeField(_("核查时间"))
    bulk_run = models.ForeignKey(
        "sanctions.BulkCheckRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks",
    )

    # Not in the snapshot: adding it there would change the digest of every check logged
    # before it existed, and ``audit verify`` would name them all. A bulk row is bound to its
    # run by its batch's bulk entry (whose reason names the run, ``BulkCheckRun.audit_entries``).
    audit_exclude = ("bulk_run",)

    class Meta:
        verbose_name = _("核查记录")
        verbose_name_plural = _("核查记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | models.Q(user__isnull=False),
                name="screening_check_has_caller",
            ),
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) | models.Q(person__isnull=True),
                name="screening_check_at_most_one_subject",
            ),
        ]
        indexes = [
            # "Who looked at me" (issue 6): a subject's checks, newest first.
            models.Index(
                fields=["institution", "created_at"],
                condition=models.Q(institution__isnull=False),
                name="check_inst_created",
            ),
            models.Index(
                fields=["person", "created_at"],
                condition=models.Q(person__isnull=False),
                name="check_pers_created",
            ),
            # A business system's own checks (its receipts, bulk reconciliation).
            models.Index(fields=["client", "created_at"], name="check_client_created"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.scenario} {self.verdict}"


class BulkCheckRun(models.Model):
    """A bulk check (批量核查): a file or list of identifiers screened as a job (ADR 0024).

    Who asked (``client`` or ``user``, and their ``organisation``), for what (``scenario``,
    ``reference``) on which day (``as_of``). ``file`` is the uploaded input, deleted when the
    run ends (it holds identity numbers); ``result`` the CSV answer, row by row, with
    document numbers masked. Every row answered is a ``ScreeningCheck`` (``checks``), one bulk
    audit entry per batch (``audit_entries``, entry ids); ``data_version`` is the data version
    when the first batch was answered and ``last_data_version`` when the last one was. Not an
    ``ImportProgress``: that one belongs to staff users, a bulk check mostly to API clients.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.CharField(_("场景代码"), max_length=60)
    reference = models.CharField(_("调用方业务编号"), max_length=100)
    as_of = models.DateField(_("核查日期"))
    original_filename = models.CharField(_("文件名"), max_length=255, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    file = models.FileField(upload_to="sanctions-bulk/%Y/%m/", blank=True)
    result = models.FileField(upload_to="sanctions-bulk-results/%Y/%m/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    clear_count = models.PositiveIntegerField(_("未命中"), default=0)
    restricted_count = models.PositiveIntegerField(_("限制"), default=0)
    review_count = models.PositiveIntegerField(_("审慎核查"), default=0)
    reward_count = models.PositiveIntegerField(_("激励"), default=0)
    error_count = models.PositiveIntegerField(_("无效行"), default=0)
    error_message = models.TextField(_("错误信息"), blank=True)
    # 1, or more once a worker died during the run and another one took it over; then
    # ``resumed_after`` is how many rows the interrupted one had answered.
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=1)
    resumed_after = models.PositiveIntegerField(_("中断时已处理"), null=True, blank=True)
    data_version = models.BigIntegerField(_("数据版本"), null=True, blank=True)
    last_data_version = models.BigIntegerField(_("末批数据版本"), null=True, blank=True)
    audit_entries = models.JSONField(_("审计条目"), default=list)
    # SHA-256 of the result file, and the audit entry that logs it (its reason names both).
    result_digest = models.CharField(_("结果文件摘要"), max_length=64, blank=True)
    result_entry = models.BigIntegerField(_("结果文件审计条目"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("批量核查")
        verbose_name_plural = _("批量核查")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(client__isnull=False) | models.Q(user__isnull=False),
                name="bulk_check_has_caller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.scenario} ({self.status})"

    @property
    def percent(self) -> int:
        """Progress in percent (100 once finished)."""
        if self.status == ImportStatus.FINISHED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class BulkCheckResultPart(models.Model):
    """The result lines of one answered batch of a bulk check, committed with the batch.

    A run that a new worker takes over keeps what the batches before had answered; the
    result file is put together from the parts, in order, when the run finishes, and the
    parts are deleted then. Document numbers are already masked in ``text`` (CSV lines).
    """

    run = models.ForeignKey(BulkCheckRun, on_delete=models.CASCADE, related_name="result_parts")
    batch_number = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "batch_number"], name="bulk_check_part_once")
        ]

    def __str__(self) -> str:
        return f"{self.run_id} #{self.batch_number}"


class BulkCheckAnswer(AuditedModel):
    """One row of a bulk check as the query log keeps it (批量核查记录, ADR 0024).

    The narrow log of a bulk check: whom the row named (``institution`` or ``person``; none
    when nothing is held on the identifier, or the row was not a valid identifier), in which
    run (who asked, for what, on which day: the run's), what it was told (``verdict``,
    ``name_match``, ``reason``) and from which data version. A row that was not a valid
    identifier is logged too, as a refused lookup: verdict ``error`` and the reason. The
    measures, bases and ends answered are in the run's result file, whose digest the run's
    result entry logs. Every row is a member of its batch's bulk audit entry.
    """

    # No database constraints on the keys: each would cost an index probe per row of a
    # million-row run; the rows come from the run and the subjects the batch has just read.
    run = models.ForeignKey(
        BulkCheckRun,
        on_delete=models.PROTECT,
        related_name="answers",
        db_constraint=False,
        db_index=False,
    )
    row = models.PositiveIntegerField(_("行号"))
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulk_check_answers",
        db_constraint=False,
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bulk_check_answers",
        db_constraint=False,
        db_index=False,
    )
    verdict = models.CharField(_("筛查结论"), max_length=20)
    name_match = models.CharField(
        _("名称核对"), max_length=10, choices=ScreeningNameMatch.choices, blank=True, default=""
    )
    # ``name_mismatch`` for a review on the name; the bilingual refusal of an invalid row.
    reason = models.CharField(_("原因"), max_length=300, blank=True, default="")
    data_version = models.BigIntegerField(_("数据版本"), null=True, blank=True)
    created_at = models.DateTimeField(_("核查时间"))

    class Meta:
        verbose_name = _("批量核查记录")
        verbose_name_plural = _("批量核查记录")
        indexes = [
            models.Index(fields=["run", "row"], name="bulk_answer_run_row"),
            # "Who looked at me" (issue 6), as the single check's indexes.
            models.Index(
                fields=["institution", "created_at"],
                condition=models.Q(institution__isnull=False),
                name="bulk_answer_inst_created",
            ),
            models.Index(
                fields=["person", "created_at"],
                condition=models.Q(person__isnull=False),
                name="bulk_answer_pers_created",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.row} {self.verdict}"


# --- the loop: initiation, response, feedback (ADR 0023) ------------------------------------


class CheckFeedbackOutcome(models.TextChoices):
    """What the business system did with a hit (反馈结果)."""

    REFUSED = "refused", _("拒绝")
    RESTRICTED = "restricted", _("限制")
    ENHANCED_REVIEW = "enhanced_review", _("加强审查")
    NOT_APPLIED = "not_applied", _("未采纳")


class CheckFeedback(AuditedModel):
    """The business system's report of what it did with a hit (反馈), one per check.

    Reported by the API client that ran the check. One correction is allowed (``corrected_at``
    set, the first report kept in the audit log), so a clerk's slip can be put right without a
    support ticket, and no more, so the figures cannot drift after the fact (ADR 0023).
    """

    # Not ``check``: that name is Django's model-check class method.
    screening_check = models.OneToOneField(
        ScreeningCheck, on_delete=models.PROTECT, related_name="feedback"
    )
    outcome = models.CharField(_("反馈结果"), max_length=20, choices=CheckFeedbackOutcome.choices)
    reason = models.TextField(_("理由"), blank=True)
    reported_at = models.DateTimeField(_("反馈时间"))
    corrected_at = models.DateTimeField(_("更正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核查反馈")
        verbose_name_plural = _("核查反馈")

    def __str__(self) -> str:
        return f"{self.screening_check_id} {self.outcome}"


class Subscription(AuditedModel):
    """A business system's subscription to the initiations (发起) of some scenarios.

    The system reads them from the pull feed, or receives them on ``webhook_url`` signed with
    its secret (HMAC-SHA256). ``webhook_cursor`` is the last event delivered to the webhook;
    ``next_attempt_at``/``attempts``/``last_error`` drive the retries (ADR 0023).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.OneToOneField(
        "accounts.ApiClient", on_delete=models.PROTECT, related_name="sanctions_subscription"
    )
    scenarios = models.JSONField(_("业务场景"), default=list)
    webhook_url = models.URLField(_("回调地址"), max_length=500, blank=True)
    # Encrypted with the field keys (core.crypto): the platform must sign with it, so it
    # cannot be a hash like an API key; shown to the operator once, when made.
    secret_cipher = models.TextField()
    active = models.BooleanField(_("启用"), default=True)
    webhook_cursor = models.BigIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    # The delivery bookkeeping changes on every push; the audit log records the subscription.
    audit_exclude = (
        "secret_cipher",
        "webhook_cursor",
        "next_attempt_at",
        "attempts",
        "last_error",
        "last_delivered_at",
    )

    class Meta:
        verbose_name = _("措施订阅")
        verbose_name_plural = _("措施订阅")

    def __str__(self) -> str:
        return f"{self.client_id} {','.join(self.scenarios)}"


class InitiationEventKind(models.TextChoices):
    """What happened to a restriction (发起的事件类型)."""

    CREATED = "created", _("新增")
    CHANGED = "changed", _("变更")
    ENDED = "ended", _("提前结束")
    WITHDRAWN = "withdrawn", _("撤回")
    # Appended on the day itself by the day-events job (``sanctions.day_events``), once per
    # restriction and day, for terms announced before that day.
    IN_FORCE = "in_force", _("开始执行")
    LAPSED = "lapsed", _("期满解除")


class InitiationEvent(models.Model):
    """One change of a restriction, appended in the transaction that wrote it (发起).

    Append-only; the id is the feed's cursor. The restriction's fields are copied, because a
    withdrawn row (a correction, a new list version) is deleted. The restriction rows carry
    the audit; the events are their outward notice.
    """

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20, choices=InitiationEventKind.choices)
    restriction_id = models.BigIntegerField()
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    scenario = models.CharField(max_length=60)
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    measure_version = models.PositiveIntegerField()
    verdict = models.CharField(max_length=20)
    legal_basis = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    ended_by = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField()
    # The day an ``in_force`` / ``lapsed`` event is for (NULL for the change events): with the
    # constraint below, a day's event exists once whatever the job's reruns.
    day = models.DateField(null=True, blank=True)

    class Meta:
        # The feed: a subscriber's scenarios, after a cursor.
        indexes = [
            models.Index(fields=["scenario", "id"], name="initiation_scenario_id"),
            # The day-events job: when was a restriction last announced?
            models.Index(fields=["restriction_id", "created_at"], name="initiation_restriction_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["restriction_id", "kind", "day"],
                condition=models.Q(day__isnull=False),
                name="initiation_day_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} {self.scenario}"


class InitiationDayRun(models.Model):
    """One day of the day-events job (开始执行 / 期满解除 通知): when it ran and what it appended.

    The unique day lets the nightly task catch up the days a stopped scheduler missed (from the
    last finished day on); the events' own constraint keeps a rerun from appending twice.
    """

    day = models.DateField(_("日期"), unique=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    in_force = models.PositiveIntegerField(_("开始执行"), default=0)
    lapsed = models.PositiveIntegerField(_("期满解除"), default=0)

    class Meta:
        verbose_name = _("措施日事件")
        verbose_name_plural = _("措施日事件")

    def __str__(self) -> str:
        return f"{self.day} +{self.in_force}/{self.lapsed}"


class ScreeningDataVersion(models.Model):
    """Singleton row: the screening data version (ADR 0042), the counter every transaction
    that changes what a check reads (the restriction rows) bumps, in that transaction.

    Writers of screening data serialise on its row lock (``sanctions.versions``); a check
    only reads it, in the same snapshot as the restrictions, so the version it reads names
    exactly the restriction state it saw. ``history_from`` is the first version whose
    restriction state ``RestrictionChange`` holds in full (the seed of existing rows).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)
    history_from = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"v{self.version}"


class RestrictionChange(models.Model):
    """One restriction row as a version left it (措施变更历史): append-only, written beside
    every restriction write in the same transaction, with the version that write bumped to.

    The state at version V is, per ``restriction_id``, its latest change at or before V,
    unless that change is a deletion. A restriction's fields are copied, because rows are
    updated in place and deleted (a correction, a new list version); the replay of a check
    (``sanctions.replay``) reads them back.
    """

    id = models.BigAutoField(primary_key=True)
    version = models.BigIntegerField()
    restriction_id = models.BigIntegerField()
    deleted = models.BooleanField(default=False)
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    measure_version = models.PositiveIntegerField()
    scenario = models.CharField(max_length=60)
    verdict = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    ended_by = models.CharField(max_length=20, blank=True)
    legal_basis = models.TextField()
    basis_record = models.ForeignKey(
        "records.CreditRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    basis_list_entry = models.ForeignKey(
        "records.CreditListEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        indexes = [
            # The replay: which rows a subject ever had in a scenario, up to a version …
            models.Index(
                fields=["institution", "scenario", "version"],
                condition=models.Q(institution__isnull=False),
                name="restriction_change_inst",
            ),
            models.Index(
                fields=["person", "scenario", "version"],
                condition=models.Q(person__isnull=False),
                name="restriction_change_pers",
            ),
            # … and each row's latest change at or before it.
            models.Index(fields=["restriction_id", "version"], name="restriction_change_row"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} restriction {self.restriction_id}"
