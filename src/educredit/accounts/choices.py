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
