"""Writes of the graded supervision policy: its editions, their grade rules and mandatory classes,
and the seed of the shipped edition 1."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from educredit.audit.services import audit_append
from educredit.catalog.services import catalog_editor
from educredit.core.i18n import Bilingual
from educredit.editions.services import edition_create, edition_publish, edition_require_draft
from educredit.supervision.choices import GradePolicyMeasure, MandatoryClassCode
from educredit.supervision.models import GradePolicy, MandatoryClass, SupervisionPolicy

Actor = Any
ACTION_PREFIX = "supervision.policy"
DRAFT_ONLY = Bilingual("只能修改草稿版本", "only a draft edition can be changed")
EMPTY = Bilingual(
    "不能发布没有信用等级抽查规则的版本", "an edition without grade rules cannot be published"
)


def _require_editor(actor: Actor) -> None:
    if not catalog_editor(actor):
        raise PermissionDenied(_("只有省教育厅管理员可以修改分级分类监管政策"))


def rate_check(rate: int, *, field: str = "sampling_rate") -> None:
    """Refuse a sampling rate outside 0–100 per cent."""
    if not 0 <= rate <= 100:
        raise ValidationError(
            {field: _("抽查比例应在0%%至100%%之间，不能为%(rate)s%%") % {"rate": rate}},
            code="rate",
        )


def minimum_check(minimum: int) -> None:
    """Refuse a minimum count below zero."""
    if minimum < 0:
        raise ValidationError({"minimum_count": _("每次计划最少抽取数不能小于0")}, code="minimum")


@transaction.atomic
def supervision_policy_create(
    *,
    actor: Actor,
    title: str,
    effective_from: datetime.date,
    notes: str = "",
    floor_rate: int = 0,
    floor_visits_per_year: int = 0,
) -> SupervisionPolicy:
    """A new draft edition of the policy (no grade rules yet)."""
    _require_editor(actor)
    rate_check(floor_rate, field="floor_rate")
    policy = edition_create(
        actor=actor,
        model=SupervisionPolicy,
        title=title,
        effective_from=effective_from,
        notes=notes,
        action_prefix=ACTION_PREFIX,
    )
    if floor_rate or floor_visits_per_year:
        before = policy.audit_snapshot()
        policy.floor_rate = floor_rate
        policy.floor_visits_per_year = floor_visits_per_year
        policy.save(update_fields=["floor_rate", "floor_visits_per_year"])
        audit_append(actor=actor, action=f"{ACTION_PREFIX}.floor_set", target=policy, before=before)
    return policy


@transaction.atomic
def grade_policy_create(
    *,
    actor: Actor,
    policy: SupervisionPolicy,
    grade: str,
    label: str,
    sampling_rate: int,
    minimum_count: int = 0,
    visits_per_year: int = 1,
    mandatory: bool = False,
    measure: str = GradePolicyMeasure.BASELINE,
    notes: str = "",
) -> GradePolicy:
    """A grade's sampling rule in a draft edition; refused (nothing written) on a blank or
    repeated grade, a rate outside 0–100 or a minimum below zero."""
    _require_editor(actor)
    policy = SupervisionPolicy.objects.select_for_update().get(pk=policy.pk)
    edition_require_draft(policy, DRAFT_ONLY)
    grade, label = grade.strip().upper(), label.strip()
    if not grade or not label:
        raise ValidationError(_("信用等级和等级名称为必填项"), code="required")
    rate_check(sampling_rate)
    minimum_check(minimum_count)
    if measure not in GradePolicyMeasure.values:
        raise ValidationError({"measure": _("未知的监管措施：%(measure)s") % {"measure": measure}})
    if policy.grades.filter(grade=grade).exists():
        raise ValidationError(
            {"grade": _("信用等级“%(grade)s”重复") % {"grade": grade}}, code="duplicate"
        )
    row = GradePolicy.objects.create(
        policy=policy,
        grade=grade,
        label=label,
        sampling_rate=sampling_rate,
        minimum_count=minimum_count,
        visits_per_year=visits_per_year,
        mandatory=mandatory,
        measure=measure,
        notes=notes,
    )
    audit_append(actor=actor, action="supervision.grade_policy_create", target=row, before=None)
    return row


@transaction.atomic
def mandatory_class_create(
    *,
    actor: Actor,
    policy: SupervisionPolicy,
    code: str,
    name: str,
    enabled: bool = True,
    complaint_count: int | None = None,
    complaint_months: int | None = None,
    notes: str = "",
) -> MandatoryClass:
    """A class inspected in full, in a draft edition; a complaint hot-spot names its N and M."""
    _require_editor(actor)
    policy = SupervisionPolicy.objects.select_for_update().get(pk=policy.pk)
    edition_require_draft(policy, DRAFT_ONLY)
    if code not in MandatoryClassCode.values:
        raise ValidationError({"code": _("未知的全部检查类别：%(code)s") % {"code": code}})
    if code == MandatoryClassCode.COMPLAINT_HOTSPOT and not (
        complaint_count and complaint_count > 0 and complaint_months and complaint_months > 0
    ):
        raise ValidationError(
            _("投诉集中类别应写明多少个月内投诉多少次（均大于0）"), code="complaints"
        )
    if policy.mandatory_classes.filter(code=code).exists():
        raise ValidationError({"code": _("全部检查类别“%(code)s”重复") % {"code": code}})
    row = MandatoryClass.objects.create(
        policy=policy,
        code=code,
        name=name.strip() or str(MandatoryClassCode(code).label),
        enabled=enabled,
        complaint_count=complaint_count,
        complaint_months=complaint_months,
        notes=notes,
    )
    audit_append(actor=actor, action="supervision.mandatory_class_create", target=row, before=None)
    return row


def supervision_policy_publish(
    *,
    actor: Actor,
    policy: SupervisionPolicy,
    effective_from: datetime.date | None = None,
    reason: str = "",
) -> SupervisionPolicy:
    """Publish a draft edition: in force from its effective date, the previous one retired."""
    _require_editor(actor)
    return edition_publish(
        actor=actor,
        edition=policy,
        rows=policy.grades.all(),
        action_prefix=ACTION_PREFIX,
        empty_message=EMPTY,
        draft_message=DRAFT_ONLY,
        effective_from=effective_from,
        reason=reason,
    )


@transaction.atomic
def supervision_policy_seed(*, actor: Actor) -> SupervisionPolicy:
    """Load the shipped policy (``supervision.data``) as edition 1, published; idempotent."""
    from educredit.supervision import data

    existing = SupervisionPolicy.objects.order_by("number").first()
    if existing is not None:
        return existing
    policy = supervision_policy_create(
        actor=actor,
        title=data.POLICY_TITLE,
        effective_from=data.EFFECTIVE,
        notes=data.POLICY_NOTES,
        floor_rate=data.FLOOR_RATE,
        floor_visits_per_year=data.FLOOR_VISITS_PER_YEAR,
    )
    for attributes in data.GRADES:
        grade_policy_create(actor=actor, policy=policy, **attributes)
    for attributes in data.MANDATORY_CLASSES:
        mandatory_class_create(actor=actor, policy=policy, **attributes)
    return supervision_policy_publish(
        actor=actor,
        policy=policy,
        effective_from=data.EFFECTIVE,
        reason="随系统发布的分级分类监管政策第 1 版 / supervision policy edition 1 as shipped",
    )
