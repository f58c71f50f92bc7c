"""Enumerations of credit commitments (信用承诺制, domain rules §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentType(models.TextChoices):
    """承诺类型 (the record standard's seven types)."""

    APPROVAL_SUBSTITUTE = "审批替代型", _("审批替代型")
    TOLERANT_ACCEPTANCE = "容缺受理型", _("容缺受理型")
    IN_LIEU_OF_PROOF = "证明事项型", _("证明事项型")
    CREDIT_REPAIR = "信用修复型", _("信用修复型")
    SELF_DISCIPLINE = "行业自律型", _("行业自律型")
    VOLUNTARY = "主动型", _("主动型")
    OTHER = "其他", _("其他")


class MatterCheckMethod(models.TextChoices):
    """How a matter's commitments are checked (核查方式)."""

    WRITTEN = "书面核查", _("书面核查")
    ONLINE = "网络核验", _("网络核验")
    ON_SITE = "实地调查", _("实地调查")
    PUBLICITY = "公示核查", _("公示核查")
    EXEMPT = "免于核查", _("免于核查")


class MatterCheckScope(models.TextChoices):
    """Whether every commitment is checked or a sample (全部核查 / 抽查)."""

    FULL = "full", _("全部核查")
    SAMPLE = "sample", _("抽查")


class OnlineClauseKind(models.TextChoices):
    """What a 网络核验 clause checks against the platform's own data."""

    NONE = "", _("无")
    LICENCE_MUST_EXIST = "licence_must_exist", _("许可证须存在")
    NO_RECORD_OF_ITEMS = "no_record_of_items", _("不得有所列目录条目的记录")
    DEADLINE_MET = "deadline_met", _("按期履行")


class PublicationType(models.TextChoices):
    """公开类型 (the record standard's three)."""

    PUBLIC = "可向社会公开", _("可向社会公开")
    RESTRICTED = "特定范围内公开", _("特定范围内公开")
    NOT_PUBLIC = "不可公开", _("不可公开")


class CommitmentChannel(models.TextChoices):
    """How a commitment reached the platform."""

    SELF_SERVICE = "self_service", _("主体自助签署")
    STAFF = "staff", _("工作人员代为录入（纸质承诺书扫描件）")
    API = "api", _("业务系统接口")


class CommitmentDecision(models.TextChoices):
    """The subject's choice: sign the commitment, or decline and hand in the proofs."""

    SIGNED = "signed", _("签署承诺")
    DECLINED = "declined", _("不承诺，提交证明材料")


class CommitmentSupervisionState(models.TextChoices):
    """承诺监管状态 — a field of its own (domain rules §12)."""

    SUPERVISING = "监管中", _("监管中")
    COMPLETED = "监管完成", _("监管完成")


class CommitmentFulfilment(models.TextChoices):
    """承诺履行状态 — blank until decided, separate from the supervision state (§12)."""

    UNDECIDED = "", _("未认定")
    FULFILLED = "全部履行", _("全部履行")
    PARTIAL = "部分履行", _("部分履行")
    UNFULFILLED = "全部未履行", _("全部未履行")


class CommitmentSubjectCategory(models.TextChoices):
    """承诺人类别."""

    ORGANISATION = "法人及非法人组织", _("法人及非法人组织")
    PERSON = "自然人", _("自然人")


class VerificationTaskStatus(models.TextChoices):
    """A check of one commitment (核查任务): waiting for the inspector, or done."""

    OPEN = "open", _("待核查")
    DONE = "done", _("已核查")
