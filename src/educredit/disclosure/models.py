"""双公示 decisions: the reporting side of an effective licence or penalty record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.subjects.models import ImportProgress, ImportRunQuerySet


class DecisionKind(models.TextChoices):
    """Which national layout a decision is reported in."""

    LICENCE = "licence", _("行政许可")
    PENALTY = "penalty", _("行政处罚")


class Decision(AuditedModel):
    """A licence or penalty decision as reported to the provincial platform (1:1 with a record).

    Created when its record first becomes effective (or by an import that enters it with the
    national fields EduCredit has no column for, kept in ``extra``, identity numbers sealed).
    ``version`` counts what was reported under the key ``文书号|机关USCC|version``: 1 for the
    first report, +1 for each correction or revocation. ``deadline`` is the 7th working day
    after the decision date; ``first_reported_at`` is set when the platform first confirms.
    """

    record = models.OneToOneField(
        "records.CreditRecord", on_delete=models.PROTECT, related_name="disclosure_decision"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=DecisionKind.choices)
    document_number = models.CharField(_("决定文书号"), max_length=128)
    issuing_body_uscc = models.CharField(_("决定机关统一社会信用代码"), max_length=18)
    version = models.PositiveIntegerField(_("报送版本"), default=1)
    last_operation = models.CharField(_("最近报送操作"), max_length=10, blank=True)
    decision_date = models.DateField(_("决定日期"))
    deadline = models.DateField(_("报送截止日期"))
    deadline_provisional = models.BooleanField(_("截止日期按周末推算"), default=False)
    entered_at = models.DateTimeField(_("录入时间"))
    first_reported_at = models.DateTimeField(_("首次报送成功时间"), null=True, blank=True)
    compliant = models.BooleanField(_("合规"), default=False)
    complete = models.BooleanField(_("完整"), default=False)
    problems = models.JSONField(_("校验问题"), default=list, blank=True)
    # National fields without a column in EduCredit (工商注册号, 法定代表人证件 …), by code.
    extra = models.JSONField(default=dict, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="disclosure_decisions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("created_at", "updated_at", "extra")

    class Meta:
        verbose_name = _("双公示决定")
        verbose_name_plural = _("双公示决定")
        indexes = [
            models.Index(fields=["organisation", "decision_date"], name="disclosure_org_date"),
            models.Index(fields=["deadline", "first_reported_at"], name="disclosure_deadline"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number} v{self.version}"

    @property
    def key(self) -> str:
        """The outbox idempotency key of the current version."""
        return f"{self.document_number}|{self.issuing_body_uscc}|{self.version}"


class DecisionImportRun(ImportProgress):
    """One uploaded spreadsheet of licence or penalty decisions being imported, with progress.

    Its own model rather than ``subjects.ImportRun``: that one's kinds, defaults (supervisor,
    institution kind) and row errors belong to the subjects app; a decision import needs the
    layout kind, the penalty catalog item and how many drafts it updated.
    """

    kind = models.CharField(_("类别"), max_length=10, choices=DecisionKind.choices)
    catalog_item_code = models.CharField(_("目录条目"), max_length=20)
    file = models.FileField(upload_to="disclosure-imports/%Y/%m/", blank=True)
    updated_rows = models.PositiveIntegerField(_("更新草稿"), default=0)

    objects = ImportRunQuerySet["DecisionImportRun"].as_manager()

    class Meta(ImportProgress.Meta):
        verbose_name = _("双公示导入批次")
        verbose_name_plural = _("双公示导入批次")


class DecisionImportError(models.Model):
    """A rejected row: its number, the field (code and heading) and a bilingual reason.

    The row's original values are kept encrypted (they may hold identity numbers) so that the
    error report can repeat them for correction.
    """

    run = models.ForeignKey(DecisionImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("行号"))
    code = models.CharField(_("字段"), max_length=20, blank=True)
    column = models.CharField(_("列"), max_length=100, blank=True)
    reason = models.TextField(_("原因"))
    values_cipher = models.TextField(blank=True)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["run", "row_number"], name="disclosure_import_error_row")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"
