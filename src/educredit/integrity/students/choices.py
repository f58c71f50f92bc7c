"""Choices of students' integrity: training programmes, contract states, breach grounds,
refund rules and kinds of integrity-education activity."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContractProgramme(models.TextChoices):
    """The training programme of a contract (JY-XY-01's 培养类别)."""

    NATIONAL_NORMAL = "national_normal", _("部属公费师范生")
    LOCAL_NORMAL = "local_normal", _("地方公费师范生")
    RURAL_MEDICAL = "rural_medical", _("农村订单定向医学生")
    OTHER_DIRECTED = "other_directed", _("其他定向培养")


# The catalog's own words for each programme (the JY-XY-01 payload and the measures'
# ``trigger_where`` match these exact strings, whatever the reader's language).
PROGRAMME_CATALOG_TEXT: dict[str, str] = {
    ContractProgramme.NATIONAL_NORMAL: "部属公费师范生",
    ContractProgramme.LOCAL_NORMAL: "地方公费师范生",
    ContractProgramme.RURAL_MEDICAL: "农村订单定向医学生",
    ContractProgramme.OTHER_DIRECTED: "其他定向培养",
}
NORMAL_PROGRAMMES = frozenset({ContractProgramme.NATIONAL_NORMAL, ContractProgramme.LOCAL_NORMAL})


class TrainingContractStatus(models.TextChoices):
    """Where a contract stands (在读 → 履约中 → 已履约; 违约 or 已解除 on the way)."""

    STUDYING = "studying", _("在读")
    SERVING = "serving", _("履约中")
    FULFILLED = "fulfilled", _("已履约")
    BREACHED = "breached", _("违约")
    DISSOLVED = "dissolved", _("已解除")


class BreachGround(models.TextChoices):
    """The ground of a breach (JY-XY-01's 违约情形)."""

    NOT_SERVING = "not_serving", _("未按协议从教或就业")
    SHORT_SERVICE = "short_service", _("服务期未满")
    NO_QUALIFICATION = "no_qualification", _("未取得学历学位或相应资格")
    OTHER = "other", _("其他")


BREACH_GROUND_CATALOG_TEXT: dict[str, str] = {
    BreachGround.NOT_SERVING: "未按协议从教或就业",
    BreachGround.SHORT_SERVICE: "服务期未满",
    BreachGround.NO_QUALIFICATION: "未取得学历学位或相应资格",
    BreachGround.OTHER: "其他",
}


class RefundRule(models.TextChoices):
    """How the refund of a breach is computed from the amounts received."""

    FULL = "full", _("全额退还已享受的费用")
    # Shandong's practice (domain-rules §6.7): only the share of the unserved years.
    PRO_RATA_UNSERVED = "pro_rata_unserved", _("按未履约服务年限比例退还")


class ActivityKind(models.TextChoices):
    """The kind of an integrity-education activity (诚信教育活动)."""

    CLASS_MEETING = "class_meeting", _("主题班会")
    LECTURE = "lecture", _("讲座")
    PLEDGE = "pledge", _("签署诚信承诺")
    OTHER = "other", _("其他")
