"""Credit subjects: institutions and people, how people belong to institutions, and imports."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from educredit.audit.models import AuditedModel
from educredit.subjects.choices import (
    AffiliationRole,
    DocumentType,
    Gender,
    ImportKind,
    ImportStatus,
    InstitutionKind,
    InstitutionLevel,
    InstitutionOwnership,
    NameDiscrepancyStatus,
    QueryBasis,
    QueryKind,
    QueryMode,
    QueryPurpose,
)


def _jurisdiction_path(user: Any) -> str | None:
    """The materialised path of the reader's organisation, or None if it sees nothing.

    Works for staff users and API clients alike: both carry an ``organisation``.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return None
    return str(organisation.path)


class InstitutionQuerySet(models.QuerySet["Institution"]):
    """Institutions, scoped by jurisdiction."""

    def visible_to(self, user: Any) -> InstitutionQuerySet:
        """Institutions supervised by, or themselves, an organisation in the reader's subtree."""
        path = _jurisdiction_path(user)
        if path is None:
            return self.none()
        return self.filter(
            Q(supervisor__path__startswith=path) | Q(organisation__path__startswith=path)
        )


class Institution(AuditedModel):
    """An institution that is a credit subject (学校、培训机构…), known by its USCC."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True
    )
    moe_code = models.CharField(_("学校标识码"), max_length=10, null=True, blank=True, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=InstitutionKind.choices)
    level = models.CharField(
        _("办学层次"),
        max_length=20,
        choices=InstitutionLevel.choices,
        blank=True,
        default="",
        db_default="",
    )
    ownership = models.CharField(
        _("办学性质"),
        max_length=10,
        choices=InstitutionOwnership.choices,
        blank=True,
        default="",
        db_default="",
    )
    region_code = models.CharField(_("所在地区"), max_length=6, db_index=True)
    supervisor = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="supervised_institutions",
        verbose_name=_("主管部门"),
    )
    # The supervising body as the source named it (e.g. 公安部 for 铁道警察学院), kept even
    # when it is not an organisation of the platform and ``supervisor`` is the importer's.
    supervisor_name = models.CharField(
        _("主管部门（原文）"), max_length=200, blank=True, default="", db_default=""
    )
    # The institution's own account in the organisation tree, when it has one (its clerks).
    organisation = models.OneToOneField(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="institution",
    )
    licence_number = models.CharField(_("办学许可证号"), max_length=60, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    remarks = models.TextField(_("备注"), blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    audit_exclude = ("created_at", "updated_at")

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uscc__isnull=False) | models.Q(moe_code__isnull=False),
                name="institution_has_identifier",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FormerName(AuditedModel):
    """A name an institution carried before (曾用名), with the dates it was in use."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="former_names"
    )
    name = models.CharField(_("曾用名"), max_length=200, db_index=True)
    used_from = models.DateField(_("起"), null=True, blank=True)
    used_until = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        ordering = ["-used_until"]

    def __str__(self) -> str:
        return self.name


class InstitutionAlias(AuditedModel):
    """A short name the public calls an institution by (简称, e.g. 郑大 for 郑州大学).

    Not a name the institution ever carried (that is a ``FormerName``, with its dates): an
    alias only helps people find it, so the portal's search index holds its terms as it
    holds a former name's. Kept by staff through ``subjects.services``.
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("简称"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("简称")
        verbose_name_plural = _("简称")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="uniq_institution_alias")
        ]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet["Person"]):
    """People, scoped by jurisdiction."""

    def visible_to(self, user: Any) -> PersonQuerySet:
        """People with an affiliation (current or past) at an institution the reader sees."""
        if _jurisdiction_path(user) is None:
            return self.none()
        visible = Institution.objects.visible_to(user)
        return self.filter(
            Exists(Affiliation.objects.filter(person=OuterRef("pk"), institution__in=visible))
        )


class Person(AuditedModel):
    """A natural person who is a credit subject (教师、科研人员、学生…).

    The document number is stored only encrypted (``id_number_cipher``), with a keyed blind
    index for exact lookup and a mask for display; it never appears in clear on a page.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document_type = models.CharField(
        _("证件类型"), max_length=20, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID
    )
    id_number_cipher = models.TextField()
    id_number_index = models.CharField(max_length=64)
    id_number_masked = models.CharField(_("证件号码"), max_length=40)
    name = models.CharField(_("姓名"), max_length=100, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    # The ciphertext changes when keys rotate; the blind index stands for the number.
    audit_exclude = ("id_number_cipher", "created_at", "updated_at")

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "id_number_index"], name="uniq_person_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"


class Affiliation(AuditedModel):
    """A person's role at an institution (任职、在读…) over a period."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(_("身份"), max_length=20, choices=AffiliationRole.choices)
    started_on = models.DateField(_("起始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "role"])]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.institution_id} {self.role}"


class NameDiscrepancyQuerySet(models.QuerySet["NameDiscrepancy"]):
    """Name discrepancies, scoped by jurisdiction."""

    def visible_to(self, user: Any) -> NameDiscrepancyQuerySet:
        """Discrepancies about institutions or people the reader sees."""
        if _jurisdiction_path(user) is None:
            return self.none()
        return self.filter(
            Q(institution__in=Institution.objects.visible_to(user))
            | Q(person__in=Person.objects.visible_to(user))
        )


class NameDiscrepancy(AuditedModel):
    """A registration that named a known subject differently (姓名/名称不一致), for review.

    Registering an identifier that is already known never overwrites the name on record;
    the differing name is kept here until a reviewer adopts or dismisses it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="name_discrepancies",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="name_discrepancies"
    )
    recorded_name = models.CharField(_("登记名称"), max_length=200)
    submitted_name = models.CharField(_("提交名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=NameDiscrepancyStatus.choices,
        default=NameDiscrepancyStatus.OPEN,
    )
    reported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("处理说明"), blank=True)

    objects = NameDiscrepancyQuerySet.as_manager()

    audit_exclude = ("created_at",)

    class Meta:
        verbose_name = _("名称不一致")
        verbose_name_plural = _("名称不一致")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(institution__isnull=False, person__isnull=True)
                    | Q(institution__isnull=True, person__isnull=False)
                ),
                name="discrepancy_has_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recorded_name} ≠ {self.submitted_name}"


class SubjectQueryLog(models.Model):
    """One query of a subject's non-public credit information (查询记录, Henan §18, §24, §40).

    Who asked (a staff user, an API client, an authorised third party or the subject), how
    (mode), for what (purpose and legal basis), which fields, through which page or endpoint,
    and about whom — never the document number asked for. An export or bulk view writes one row
    per subject, sharing a ``batch``. The subject sees these rows ("who looked at me").
    """

    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A third party querying under a subject's authorisation has no organisation here.
    requester_name = models.CharField(_("查询方"), max_length=200, blank=True)
    at = models.DateTimeField(db_index=True)
    mode = models.CharField(
        _("查询方式"), max_length=20, choices=QueryMode.choices, default=QueryMode.GOVERNMENT
    )
    kind = models.CharField(
        _("查询类型"), max_length=20, choices=QueryKind.choices, default=QueryKind.LOOKUP
    )
    purpose = models.CharField(_("查询事由"), max_length=300)
    legal_basis = models.CharField(_("查询依据"), max_length=300, blank=True)
    # The code of a purpose or basis the platform itself gave, shown in the reader's language;
    # blank when a person typed it. The text columns keep the Chinese wording either way.
    purpose_code = models.CharField(
        _("查询事由代码"), max_length=20, choices=QueryPurpose.choices, blank=True
    )
    legal_basis_code = models.CharField(
        _("查询依据代码"), max_length=20, choices=QueryBasis.choices, blank=True
    )
    fields = models.CharField(_("查询字段"), max_length=500, blank=True)
    # The URL name of the page or API operation that served the query.
    route = models.CharField(max_length=120, blank=True)
    batch = models.UUIDField(null=True, blank=True)
    document_type = models.CharField(max_length=20, choices=DocumentType.choices, blank=True)
    # Null when nothing was found within the reader's jurisdiction.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="query_logs"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="query_logs"
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("查询记录")
        verbose_name_plural = _("查询记录")
        indexes = [
            models.Index(fields=["person", "at"], name="querylog_person_at"),
            models.Index(fields=["institution", "at"], name="querylog_institution_at"),
            models.Index(fields=["user", "at"], name="querylog_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M} {self.purpose}"

    @property
    def purpose_shown(self) -> str:
        """The purpose in the reader's language (a typed one as typed)."""
        return str(self.get_purpose_code_display()) if self.purpose_code else self.purpose

    @property
    def legal_basis_shown(self) -> str:
        """The legal basis in the reader's language (a typed one as typed)."""
        if self.legal_basis_code:
            return str(self.get_legal_basis_code_display())
        return self.legal_basis


_Run = TypeVar("_Run", bound=models.Model)


class ImportRunQuerySet(models.QuerySet[_Run]):
    """Import runs (of any app), scoped by jurisdiction."""

    def visible_to(self, user: Any) -> ImportRunQuerySet[_Run]:
        """Runs started in the reader's organisation or below it."""
        path = _jurisdiction_path(user)
        if path is None:
            return self.none()
        return self.filter(organisation__path__startswith=path)


class ImportProgress(models.Model):
    """What every uploaded-file import run has: who, where, its file's name and its progress.

    Abstract: the subjects import (``ImportRun``) and the 双公示 import
    (``disclosure.DecisionImportRun``) add their own kinds and options.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_filename = models.CharField(_("文件名"), max_length=255)
    # Column headings of the file as uploaded (for the error report), and the encoding found.
    header = models.JSONField(default=list)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理"), default=0)
    ok_rows = models.PositiveIntegerField(_("成功"), default=0)
    failed_rows = models.PositiveIntegerField(_("失败"), default=0)
    # Rows a previous import had already entered as the file gives them: not failures.
    existing_rows = models.PositiveIntegerField(_("已导入过"), default=0)
    error_message = models.TextField(_("错误信息"), blank=True)
    # 1, or more once a worker died during the run and another one took it over; then
    # ``resumed_after`` is how many rows the interrupted one had committed.
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=1)
    resumed_after = models.PositiveIntegerField(_("中断时已处理"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{getattr(self, 'kind', '')} {self.original_filename} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.FINISHED:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def resumed_note(self) -> str:
        """In plain words, that a worker died during the run and another went on; or ""."""
        if self.resumed_after is None:
            return ""
        return gettext(
            "导入曾在处理完 %(rows)s 行后中断，已从中断处继续；已导入的行不会重复导入。"
        ) % {"rows": self.resumed_after}


class ImportRun(ImportProgress):
    """One uploaded file of institutions or people being imported, with its progress."""

    kind = models.CharField(_("导入内容"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    # Where institutions go whose 主管部门 is not an organisation of the platform.
    default_supervisor = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    default_kind = models.CharField(
        max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.UNIVERSITY
    )

    objects = ImportRunQuerySet["ImportRun"].as_manager()

    class Meta(ImportProgress.Meta):
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")


class ImportRowError(models.Model):
    """A rejected row of an import: its number, the offending column and a bilingual reason.

    The row's original values are kept encrypted (they may hold identity numbers) so that the
    downloadable error report can repeat them for correction.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    reason = models.TextField(_("原因"))
    values_cipher = models.TextField(blank=True)

    class Meta:
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["run", "row_number"])]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"
