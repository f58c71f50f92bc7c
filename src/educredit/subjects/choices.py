"""Enumerations of the subjects domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InstitutionKind(models.TextChoices):
    """Kind of an institution that is a credit subject."""

    UNIVERSITY = "university", _("高等学校")
    VOCATIONAL_SCHOOL = "vocational", _("中等职业学校")
    SECONDARY_SCHOOL = "secondary", _("普通中学")
    PRIMARY_SCHOOL = "primary", _("小学")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    TRAINING_INSTITUTION = "training", _("校外培训机构")
    OTHER = "other", _("其他机构")


class InstitutionLevel(models.TextChoices):
    """Level of a higher-education institution (办学层次)."""

    UNDERGRADUATE = "undergraduate", _("本科")
    JUNIOR_COLLEGE = "junior_college", _("专科")
    UNSPECIFIED = "", _("未填写")


class InstitutionOwnership(models.TextChoices):
    """Who runs an institution: the state (公办) or a private sponsor (民办)."""

    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")
    UNSPECIFIED = "", _("未填写")


class DocumentType(models.TextChoices):
    """Identity document a person is known by."""

    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT_RESIDENT = "foreign_prc", _("外国人永久居留身份证")


class Gender(models.TextChoices):
    """Gender as derived from a resident ID (odd sequence digit = male)."""

    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class AffiliationRole(models.TextChoices):
    """How a person belongs to an institution."""

    TEACHER = "teacher", _("教师")
    STUDENT = "student", _("学生")
    RESEARCHER = "researcher", _("科研人员")
    STAFF = "staff", _("职工")
    # A candidate registered with an education exam authority (报名考生): how the authority,
    # itself an institution, comes to see the people whose exam violations it decides.
    CANDIDATE = "candidate", _("考生")


class NameDiscrepancyStatus(models.TextChoices):
    """Review state of a name that differs from the one on record."""

    OPEN = "open", _("待核对")
    ACCEPTED = "accepted", _("已采用新名称")
    DISMISSED = "dismissed", _("已驳回")


class ImportKind(models.TextChoices):
    """What an import file holds."""

    INSTITUTIONS = "institutions", _("机构")
    PEOPLE = "people", _("人员")


class ImportStatus(models.TextChoices):
    """Life cycle of an import run: pending → running → finished | failed."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    FINISHED = "finished", _("已完成")
    FAILED = "failed", _("失败")


class QueryMode(models.TextChoices):
    """The three ways credit information may be read (Henan §18), and the subject's own view."""

    PUBLIC = "public", _("公开查询")
    GOVERNMENT = "government", _("政务共享")
    AUTHORISED = "authorised", _("授权查询")
    SELF = "self", _("本人查询")


class QueryKind(models.TextChoices):
    """What a logged query did with non-public credit information."""

    LOOKUP = "lookup", _("证件号码查询")
    VIEW = "view", _("查看")
    EXPORT = "export", _("导出")
    REPORT = "report", _("信用报告")


class QueryPurpose(models.TextChoices):
    """The purposes the platform itself gives a logged query (查询事由); a purpose a person
    typed (a declared purpose, a bulk approval's, an authorisation's) has no code and is kept
    as typed. Stored as the code, shown in the reader's language (ADR 0038)."""

    DUTY = "duty", pgettext_lazy("query purpose", "履行职责")
    SELF = "self", pgettext_lazy("query purpose", "本人查询")
    SELF_REPAIR = "self_repair", pgettext_lazy("query purpose", "本人查询（信用修复）")
    SELF_REPORT = "self_report", pgettext_lazy("query purpose", "本人下载信用报告")
    OBJECTION = "objection", pgettext_lazy("query purpose", "异议处理")
    REPAIR_REVIEW = "repair_review", pgettext_lazy("query purpose", "信用修复审核")
    REPAIR_ON_BEHALF = "repair_on_behalf", pgettext_lazy("query purpose", "代为申请信用修复")
    REPORT_VERIFY = "report_verify", pgettext_lazy("query purpose", "信用报告核验")
    RECORD_ENTRY = "record_entry", pgettext_lazy("query purpose", "录入信用记录")
    RECORD_IMPORT = "record_import", pgettext_lazy("query purpose", "导入信用记录")
    ARCHIVE = "archive", pgettext_lazy("query purpose", "查看信用档案")
    WEBHOOK = "webhook", pgettext_lazy("query purpose", "联合奖惩措施推送（订阅场景）")


class QueryBasis(models.TextChoices):
    """The legal bases the platform itself gives a logged query (查询依据); a typed basis has
    no code."""

    HENAN_18 = (
        "henan_18",
        pgettext_lazy("query purpose", "《河南省社会信用条例》第十八条（政务共享）"),
    )
    HENAN_41 = "henan_41", pgettext_lazy("query purpose", "《河南省社会信用条例》第四十一条")
    HENAN_43 = "henan_43", pgettext_lazy("query purpose", "《河南省社会信用条例》第四十三条")
