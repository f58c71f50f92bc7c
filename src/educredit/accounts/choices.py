"""Enumerations of the accounts domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    """Type of an organisation in the education system's tree."""

    PROVINCIAL_DEPARTMENT = "province", _("省教育厅")
    CITY_BUREAU = "city", _("市教育局")
    COUNTY_BUREAU = "county", _("县教育局")
    UNIVERSITY = "university", _("高等学校")
    VOCATIONAL_SCHOOL = "vocational", _("中等职业学校")
    SCHOOL = "school", _("中小学")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    OTHER = "other", _("其他机构")


class UserRole(models.TextChoices):
    """What a staff user may do within their organisation's jurisdiction."""

    CLERK = "clerk", _("录入员")
    REVIEWER = "reviewer", _("审核员")
    ADMIN = "admin", _("管理员")
    INSPECTOR = "inspector", _("监管员")
    VIEWER = "viewer", _("只读")


class Power(models.TextChoices):
    """What an organisation may decide by its legal standing, whatever its staff's roles.

    Which kinds of organisation hold which power is one table, ``permissions.KIND_POWERS``.
    """

    # 行政许可、行政处罚 (双公示): decided by education administrations with that power, never
    # by a school; their 7-working-day report to 信用河南 goes with them.
    ADMINISTRATIVE_DECISIONS = "administrative_decisions", _("行政许可和行政处罚（双公示）")
    # 认定红名单、严重失信主体名单、失信重点关注名单 (认定机关, Henan regulation §26-29).
    CREDIT_LISTS = "credit_lists", _("认定信用名单")
    # 受理和办理异议 (Henan regulation §41: the credit platform's office, not the provider).
    OBJECTIONS = "objections", _("受理和办理异议")
    # 监管下级单位: subordinate organisations, their business systems, the 联合奖惩 loop.
    SUPERVISION = "supervision", _("监管下级单位和业务系统")
    # 全省信用工作主管: the catalog, the measure list, query alerts, 复核.
    PROVINCIAL_OFFICE = "provincial_office", _("全省教育信用工作主管")
