"""Subjects' rights (R5.3): self-service accounts, objections, credit repair, authorisations of
third parties, approvals of bulk views and exports, query alerts and credit reports.

Every model here is written only through ``rights`` services, each step audited.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.rights.choices import (
    ApprovalStatus,
    AuthorisationStatus,
    ObjectionOutcome,
    ObjectionRoute,
    ObjectionStatus,
    QueryAlertRule,
    QueryAlertStatus,
    RepairStatus,
    ReportRequester,
)

# A subject is a person or an institution, never both.
EXACTLY_ONE_SUBJECT = (Q(institution__isnull=False) & Q(person__isnull=True)) | (
    Q(institution__isnull=True) & Q(person__isnull=False)
)


def _subject_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=EXACTLY_ONE_SUBJECT, name=name)


class SubjectAccount(AuditedModel):
    """A subject's self-service account (信用主体自助服务): one sign-in for one person or
    institution (an institution's account is used by its credit officer).

    Staff open it for a subject they see and hand over a one-time activation code (only its
    SHA-256 is kept); the subject activates it by choosing a username and password.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subject_account",
    )
    person = models.ForeignKey(
        "subjects.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "subjects.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activation_digest = models.CharField(max_length=64, blank=True)
    activation_expires_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    audit_exclude = ("activation_digest",)

    class Meta:
        verbose_name = _("自助服务账号")
        verbose_name_plural = _("自助服务账号")
        constraints = [_subject_constraint("subjectaccount_one_subject")]

    def __str__(self) -> str:
        return str(self.person or self.institution)


class Objection(AuditedModel):
    """An objection (异议) to a credit record, handled under Henan §41's working-day limits.

    Filing marks the record 异议中 at once. ``due_on`` is the deadline in working days from
    ``received_on`` (3 when the platform decides, 7 when the provider verifies; the provider's
    own 3 in ``provider_due_on``), moved later by the working days spent in expert review.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Shown to the subject and on letters: YY + date + serial.
    number = models.CharField(_("异议编号"), max_length=32, unique=True)
    record = models.ForeignKey(
        "records.CreditRecord", on_delete=models.PROTECT, related_name="objections"
    )
    person = models.ForeignKey(
        "subjects.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "subjects.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The account that filed it, or the staff user who filed it on the subject's behalf.
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(_("代为提出"), default=False)
    reasons = models.TextField(_("异议理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
    )
    route = models.CharField(
        _("处理方式"),
        max_length=20,
        choices=ObjectionRoute.choices,
        default=ObjectionRoute.PLATFORM,
    )
    received_on = models.DateField(_("受理日期"))
    due_on = models.DateField(_("办结期限"))
    provider_due_on = models.DateField(_("提供单位核查期限"), null=True, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(default=0)
    outcome = models.CharField(
        _("处理结果"), max_length=20, choices=ObjectionOutcome.choices, blank=True
    )
    decision_reason = models.TextField(_("处理理由"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    review_reasons = models.TextField(_("复核理由"), blank=True)
    review_outcome = models.CharField(
        _("复核结果"), max_length=20, choices=ObjectionOutcome.choices, blank=True
    )
    review_reason = models.TextField(_("复核意见"), blank=True)
    review_decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [_subject_constraint("objection_one_subject")]

    def __str__(self) -> str:
        return self.number


class RepairApplication(AuditedModel):
    """An application for credit repair (信用修复), reviewed by the body that made the finding.

    Holds the repair commitment (信用修复型承诺) the subject made; a breach of it restores the
    record's longest disclosure window.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    record = models.ForeignKey(
        "records.CreditRecord", on_delete=models.PROTECT, related_name="repair_applications"
    )
    person = models.ForeignKey(
        "subjects.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "subjects.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    on_behalf = models.BooleanField(_("代为申请"), default=False)
    # "谁认定、谁修复": the record's owner organisation reviews.
    reviewing_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField(_("纠正失信行为情况说明"))
    commitment_text = models.TextField(_("信用修复承诺"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED
    )
    submitted_on = models.DateField(_("提交日期"))
    due_on = models.DateField(_("办理期限"))
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    breach_reason = models.TextField(_("违背承诺情况"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        constraints = [_subject_constraint("repair_one_subject")]

    def __str__(self) -> str:
        return self.number


class Attachment(AuditedModel):
    """A file a subject handed in: evidence for an objection or a material for a repair."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    repair = models.ForeignKey(
        RepairApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    # Which listed material this is (e.g. 履行证明); free text for objection evidence.
    material = models.CharField(_("材料类型"), max_length=60)
    file = models.FileField(upload_to="rights/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    audit_exclude = ("file",)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.CheckConstraint(
                condition=(Q(objection__isnull=False) & Q(repair__isnull=True))
                | (Q(objection__isnull=True) & Q(repair__isnull=False)),
                name="attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class RightsStep(models.Model):
    """One step of an objection or a repair application: who, when, from, to, why.

    The written notice the subject receives is the step's ``notice`` (shown in self-service).
    """

    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    repair = models.ForeignKey(
        RepairApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    notice = models.TextField(_("告知书"), blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Authorisation(AuditedModel):
    """A subject's recorded, time-limited authorisation of a third party (授权查询, Henan §18, §22).

    The third party uses the code (only its SHA-256 is kept) to read the subject's credit report
    for the stated purpose until ``valid_until``; every use is a query-log row.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "subjects.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "subjects.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grantee_name = models.CharField(_("被授权方"), max_length=200)
    grantee_uscc = models.CharField(_("被授权方统一社会信用代码"), max_length=18, blank=True)
    purpose = models.CharField(_("授权用途"), max_length=300)
    code_digest = models.CharField(max_length=64, unique=True)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("有效期至"))
    max_uses = models.PositiveIntegerField(_("可用次数"), default=1)
    uses = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=AuthorisationStatus.choices, default=AuthorisationStatus.ACTIVE
    )
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    audit_exclude = ("code_digest",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("查询授权")
        verbose_name_plural = _("查询授权")
        constraints = [_subject_constraint("authorisation_one_subject")]

    def __str__(self) -> str:
        return f"{self.grantee_name} {self.valid_until}"


class BulkAccessRequest(AuditedModel):
    """A request to view or export non-public credit information about more subjects than
    ``EDUCREDIT_BULK_ACCESS_THRESHOLD``: a reviewer other than the requester approves it, and
    the approval is used once, within a day."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The URL name and query string of the view or export asked for: the approval covers it only.
    route = models.CharField(max_length=120)
    parameters = models.CharField(max_length=1000, blank=True)
    subject_count = models.PositiveIntegerField(_("涉及主体数"))
    purpose = models.CharField(_("用途"), max_length=300)
    legal_basis = models.CharField(_("依据"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("批量查询审批")
        verbose_name_plural = _("批量查询审批")

    def __str__(self) -> str:
        return f"{self.route} {self.subject_count}"


class QueryAlert(AuditedModel):
    """A query that looked anomalous (volume, outside jurisdiction, outside working hours),
    raised for the provincial office."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.CharField(_("规则"), max_length=20, choices=QueryAlertRule.choices)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.TextField(_("说明"))
    query_count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    status = models.CharField(
        _("状态"), max_length=20, choices=QueryAlertStatus.choices, default=QueryAlertStatus.OPEN
    )
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("查询预警")
        verbose_name_plural = _("查询预警")

    def __str__(self) -> str:
        return f"{self.rule} {self.first_at:%Y-%m-%d %H:%M}"


class CreditReport(AuditedModel):
    """A credit report (信用报告) as issued: its content's digest and a verification code.

    ``content`` is the canonical JSON the PDF was laid out from, so the portal check can
    recompute the digest and show what the report said; the PDF's own digest checks a file.
    The audit entry of the issue carries both digests, so neither can be changed unseen.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Printed on the report and in its QR code; what anyone types on the portal to check it.
    verification_code = models.CharField(_("验证码"), max_length=20, unique=True)
    person = models.ForeignKey(
        "subjects.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "subjects.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester = models.CharField(
        _("申请方"), max_length=20, choices=ReportRequester.choices, default=ReportRequester.SELF
    )
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorisation = models.ForeignKey(
        Authorisation, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    purpose = models.CharField(_("用途"), max_length=300, blank=True)
    free_of_charge = models.BooleanField(_("免费报告"), default=False)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    # The issued PDF is kept as issued, so a second download is the same file.
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("信用报告")
        verbose_name_plural = _("信用报告")
        constraints = [_subject_constraint("creditreport_one_subject")]

    def __str__(self) -> str:
        return self.verification_code
