"""Credit commitments (信用承诺制): the matter list, the letter templates, signed commitments.

The matter list and the templates are editions (``editions.Edition``): a commitment names the
matter and the template rows of the edition in force on its day, and freezes the text it was
shown, so a later edition never changes what a subject signed.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.commitments.choices import (
    CommitmentChannel,
    CommitmentDecision,
    CommitmentFulfilment,
    CommitmentSubjectCategory,
    CommitmentSupervisionState,
    CommitmentType,
    MatterCheckMethod,
    MatterCheckScope,
    OnlineClauseKind,
    PublicationType,
    VerificationTaskStatus,
)
from educredit.editions.models import Edition


class MatterListVersion(Edition):
    """One edition of the commitment matter list (信用承诺事项清单)."""

    class Meta(Edition.Meta):
        verbose_name = _("信用承诺事项清单版本")
        verbose_name_plural = _("信用承诺事项清单版本")


class Matter(AuditedModel):
    """A matter in which a commitment is accepted (承诺事项), with how it is checked."""

    version = models.ForeignKey(MatterListVersion, on_delete=models.PROTECT, related_name="matters")
    code = models.CharField(_("事项编码"), max_length=40)
    name = models.CharField(_("事项名称"), max_length=200)
    # The sanctions scenario code the matter belongs to ("" for credit repair, which is no
    # screening scenario).
    scenario = models.CharField(_("业务场景"), max_length=60, blank=True)
    commitment_type = models.CharField(_("承诺类型"), max_length=10, choices=CommitmentType.choices)
    accepting_body = models.CharField(_("受理单位"), max_length=200)
    template_code = models.CharField(_("承诺书模板"), max_length=40)
    check_method = models.CharField(_("核查方式"), max_length=10, choices=MatterCheckMethod.choices)
    check_due_working_days = models.PositiveIntegerField(_("受理后核查时限（工作日）"), default=0)
    check_scope = models.CharField(
        _("核查范围"),
        max_length=10,
        choices=MatterCheckScope.choices,
        default=MatterCheckScope.FULL,
    )
    # Percentage of commitments drawn when ``check_scope`` is a sample (1–100).
    sample_rate = models.PositiveSmallIntegerField(_("抽查比例（%）"), default=100)
    online_clause = models.CharField(
        _("网络核验条款"),
        max_length=40,
        choices=OnlineClauseKind.choices,
        blank=True,
        default=OnlineClauseKind.NONE,
    )
    online_parameters = models.JSONField(_("网络核验参数"), default=dict, blank=True)
    breach_item_code = models.CharField(_("违诺记录目录条目"), max_length=20, default="JY-CN-03")
    breach_measures = models.TextField(_("违诺处理措施"))
    publication_type = models.CharField(
        _("公开类型"), max_length=10, choices=PublicationType.choices
    )
    concerns_minors = models.BooleanField(_("涉及未成年人"), default=False)
    legal_basis = models.TextField(_("依据"))

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("信用承诺事项")
        verbose_name_plural = _("信用承诺事项")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="uniq_matter_code_in_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TemplateVersion(Edition):
    """One edition of the commitment letter templates (信用承诺书模板)."""

    class Meta(Edition.Meta):
        verbose_name = _("信用承诺书模板版本")
        verbose_name_plural = _("信用承诺书模板版本")


class CommitmentTemplate(AuditedModel):
    """A letter template: the authority's notice (告知) and the subject's letter (承诺书)."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="templates")
    code = models.CharField(_("模板编码"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    notice_duty = models.TextField(_("证明义务"))
    notice_content = models.TextField(_("证明内容"))
    notice_liability = models.TextField(_("不实承诺的法律责任"))
    letter_content = models.TextField(_("承诺内容"))
    letter_liability = models.TextField(_("违诺责任"))
    letter_consent = models.TextField(_("公开与共享声明"))

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("信用承诺书模板")
        verbose_name_plural = _("信用承诺书模板")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"], name="uniq_template_code_in_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CommitmentCodeCounter(models.Model):
    """The last serial handed out for one (region, Beijing date): the 承诺编码's last 6 digits.

    Taken with ``select_for_update`` inside the signing transaction, so two signings never get
    the same serial (``commitments.codes``).
    """

    region_code = models.CharField(max_length=6)
    day = models.DateField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="uniq_code_counter_day")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}{self.day:%Y%m%d}:{self.last_serial}"


def _scan_path(instance: Commitment, filename: str) -> str:
    return f"commitments/{instance.public_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class Commitment(AuditedModel):
    """A subject's answer in one matter: a signed commitment (信用承诺) or a decline (the
    subject hands in the proofs instead). A signed one carries its 承诺编码, the frozen text and
    its SHA-256, and the two separate state fields of the standard."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("承诺编码"), max_length=20, null=True, blank=True, unique=True)
    decision = models.CharField(_("选择"), max_length=10, choices=CommitmentDecision.choices)
    channel = models.CharField(_("签署渠道"), max_length=20, choices=CommitmentChannel.choices)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="commitments")
    template = models.ForeignKey(
        CommitmentTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    commitment_type = models.CharField(_("承诺类型"), max_length=10, choices=CommitmentType.choices)
    institution = models.ForeignKey(
        "subjects.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    person = models.ForeignKey(
        "subjects.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    subject_name = models.CharField(_("承诺人名称"), max_length=200)
    subject_category = models.CharField(
        _("承诺人类别"), max_length=16, choices=CommitmentSubjectCategory.choices
    )
    # USCC for an institution; the masked document number for a person (never in clear).
    subject_code = models.CharField(_("承诺人代码"), max_length=40)
    accepting_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="accepted_commitments",
        verbose_name=_("承诺受理单位"),
    )
    reason = models.CharField(_("承诺事由"), max_length=512)
    signed_on = models.DateField(_("承诺作出日期"))
    signed_at = models.DateTimeField(_("签署时间"))
    valid_until = models.DateField(_("承诺有效期"), null=True, blank=True)
    publication_type = models.CharField(
        _("公开类型"), max_length=10, choices=PublicationType.choices
    )
    # The text exactly as shown and signed (notice + letter), and its SHA-256 (hex).
    signed_text = models.TextField(_("承诺书全文"), blank=True)
    signed_text_sha256 = models.CharField(_("全文摘要（SHA-256）"), max_length=64, blank=True)
    # A decline: what the subject hands in instead of committing.
    proofs_note = models.TextField(_("提交的证明材料"), blank=True)
    # Staff on the subject's behalf: the scanned paper letter and its SHA-256.
    scan = models.FileField(_("纸质承诺书扫描件"), upload_to=_scan_path, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    # A business system: its client and its own reference, and the digest of what it sent.
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    external_reference = models.CharField(_("业务系统编号"), max_length=100, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    # A minor's matter: the guardian's co-signature (the document only encrypted).
    guardian_name = models.CharField(_("监护人姓名"), max_length=100, blank=True)
    guardian_document_cipher = models.TextField(blank=True)
    guardian_document_index = models.CharField(max_length=64, blank=True)
    guardian_document_masked = models.CharField(_("监护人证件号码"), max_length=40, blank=True)
    # The JY-CN-01 record (none for a decline or a minor's matter: minors are not credit
    # subjects, Henan §3, so nothing is published, shared or screened).
    credit_record = models.OneToOneField(
        "records.CreditRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment",
    )
    # The two separate fields of the standard (domain rules §12).
    supervision_state = models.CharField(
        _("承诺监管状态"),
        max_length=10,
        choices=CommitmentSupervisionState.choices,
        blank=True,
        default="",
    )
    fulfilment = models.CharField(
        _("承诺履行状态"),
        max_length=10,
        choices=CommitmentFulfilment.choices,
        blank=True,
        default=CommitmentFulfilment.UNDECIDED,
    )
    fulfilment_decided_on = models.DateField(_("承诺履行状态认定日期"), null=True, blank=True)
    fulfilment_decided_by = models.CharField(_("承诺履行状态认定单位"), max_length=200, blank=True)
    unperformed_content = models.TextField(_("未履行的承诺内容"), blank=True)
    liability_pursued = models.TextField(_("违诺责任追究内容"), blank=True)
    # §33(八): a public commitment not kept with serious consequences (what they were).
    serious_consequences = models.TextField(_("造成的严重后果"), blank=True)
    # The record the fulfilment decision wrote: JY-CN-02 kept, JY-CN-03 breached, JY-CN-04
    # breached with serious consequences (the basis of a serious-dishonesty listing).
    fulfilment_record = models.OneToOneField(
        "records.CreditRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fulfilment_of",
    )
    # A 信用修复型 commitment made in a credit repair application: breaching it restores the
    # record's longest window (rights.repair).
    repair_application = models.OneToOneField(
        "rights.RepairApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_commitment",
    )
    remarks = models.CharField(_("备注"), max_length=512, blank=True)
    # When the matter's checks were planned for it: a task, or a place in a sampling pool it was
    # not drawn from (``checks.verification``). Null until then.
    check_planned_on = models.DateField(_("核查安排日期"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("guardian_document_cipher", "created_at")

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("信用承诺")
        verbose_name_plural = _("信用承诺")
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "external_reference"],
                condition=~models.Q(external_reference=""),
                name="uniq_commitment_api_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) ^ models.Q(person__isnull=True),
                name="commitment_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["matter", "signed_on"])]

    def __str__(self) -> str:
        return self.code or str(self.public_id)


class CheckDraw(AuditedModel):
    """One sampling draw (抽查) of the commitments one body accepted under one matter.

    The pool (every commitment code waiting to be checked, sorted), its digest, the seed and
    the rate are kept, so anyone can redo the draw (``checks.draws``) and get the same sample.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="draws")
    accepting_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="commitment_draws",
        verbose_name=_("承诺受理单位"),
    )
    drawn_on = models.DateField(_("抽取日期"))
    method = models.CharField(_("抽取算法"), max_length=40)
    seed = models.CharField(_("随机种子"), max_length=64)
    pool = models.JSONField(_("待抽取的承诺编码"), default=list)
    pool_sha256 = models.CharField(_("待抽取名单摘要（SHA-256）"), max_length=64)
    sample_rate = models.PositiveSmallIntegerField(_("抽查比例（%）"))
    sample_size = models.PositiveIntegerField(_("抽取数量"))
    selected = models.JSONField(_("抽中的承诺编码"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_on", "-pk"]
        verbose_name = _("承诺核查抽取")
        verbose_name_plural = _("承诺核查抽取")

    def __str__(self) -> str:
        return f"{self.matter.code} {self.drawn_on:%Y-%m-%d}"


class VerificationTask(AuditedModel):
    """A check of one commitment (核查任务), due on the matter's working days after acceptance.

    Staff of the accepting body do a 书面核查, 实地调查 or 公示核查 task and decide the
    fulfilment from it; a 网络核验 task is done by the daily online check.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commitment = models.OneToOneField(
        Commitment, on_delete=models.PROTECT, related_name="verification_task"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="commitment_tasks",
        verbose_name=_("核查单位"),
    )
    method = models.CharField(_("核查方式"), max_length=10, choices=MatterCheckMethod.choices)
    draw = models.ForeignKey(
        CheckDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    due_on = models.DateField(_("核查期限"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=VerificationTaskStatus.choices,
        default=VerificationTaskStatus.OPEN,
    )
    findings = models.TextField(_("核查情况"), blank=True)
    done_on = models.DateField(_("核查完成日期"), null=True, blank=True)
    done_by = models.CharField(_("核查人"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("承诺核查任务")
        verbose_name_plural = _("承诺核查任务")
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.commitment} {self.method}"
