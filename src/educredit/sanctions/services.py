"""Writes to the measure list (信用激励和惩戒措施清单): scenarios, draft versions, measures,
publication.

Like the catalog, only the provincial department's administrators (an admin of the root
organisation) and ``system:`` actors may change it (``catalog.services.catalog_editor``).
Measures change only while their version is a draft; publishing a draft makes it the list in
force from the given date and retires the version it replaces from that same date. Every
write is audited in its transaction.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from educredit.audit.services import audit_append
from educredit.catalog.choices import SubjectType
from educredit.catalog.models import CatalogItem
from educredit.catalog.selectors import catalog_items, current_catalog_version
from educredit.catalog.services import catalog_editor, catalog_version_seed
from educredit.core.i18n import Bilingual
from educredit.editions.services import (
    edition_copy_rows,
    edition_create,
    edition_latest_published,
    edition_publish,
    edition_require_draft,
)
from educredit.records.choices import CreditListKind
from educredit.records.models import CreditListEntry, CreditRecord
from educredit.sanctions import restrictions
from educredit.sanctions.choices import (
    DurationKind,
    MeasureDirection,
    MeasurePart,
    MeasureVerdict,
)
from educredit.sanctions.models import Measure, MeasureListVersion, Scenario
from educredit.sanctions.restrictions import RestrictionCounts

Actor = Any

# The attributes of a measure a service may set (everything but the version and public id).
MEASURE_FIELDS = (
    "code",
    "direction",
    "part",
    "matter",
    "target",
    "subject_type",
    "means",
    "implementer",
    "legal_basis",
    "verdict",
    "scenarios",
    "trigger_items",
    "trigger_lists",
    "trigger_where",
    "duration_kind",
    "duration_months",
    "duration_field",
    "duration_note",
    "sort_order",
)
REQUIRED_TEXT = {
    "code": ("措施编码", "code"),
    "matter": ("具体事项", "matter"),
    "target": ("实施对象", "target"),
    "means": ("实施手段", "means"),
    "implementer": ("实施主体", "implementer"),
    "legal_basis": ("实施依据", "legal basis"),
}
CHOICE_FIELDS: dict[str, tuple[type[Any], str, str]] = {
    "direction": (MeasureDirection, "类别", "direction"),
    "subject_type": (SubjectType, "主体类型", "subject type"),
    "verdict": (MeasureVerdict, "筛查结论", "verdict"),
    "duration_kind": (DurationKind, "期限类型", "duration kind"),
}


def _require_editor(actor: Actor) -> None:
    if not catalog_editor(actor):
        raise PermissionDenied(
            Bilingual(
                "只有省教育厅管理员可以修改措施清单",
                "only provincial administrators may change the measure list",
            )
        )


NOT_DRAFT = Bilingual(
    "只能修改草稿版本的措施清单", "only a draft version of the measure list can be changed"
)


def _require_draft(version: MeasureListVersion) -> None:
    edition_require_draft(version, NOT_DRAFT)


def _catalog_for(version: MeasureListVersion | None) -> dict[str, CatalogItem]:
    """The catalog items the measures of ``version`` refer to, by code.

    The catalog in force on the version's effective date, else the one in force today: item
    codes are stable across catalog versions, so either names the same items.
    """
    catalog = current_catalog_version(version.effective_from if version else None)
    catalog = catalog or current_catalog_version()
    return {item.code: item for item in catalog_items(catalog)} if catalog else {}


def _codes(value: Any) -> list[str] | None:
    """``value`` as a list of stripped, distinct strings, or None when it is not a list."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        return None
    return list(dict.fromkeys(code.strip() for code in value if code.strip()))


def _schema_field(item: CatalogItem, name: str) -> dict[str, Any] | None:
    return next((field for field in item.field_schema if field.get("name") == name), None)


def _check_triggers(
    measure: Measure, catalog: dict[str, CatalogItem], errors: dict[str, list[str]]
) -> None:
    items = _codes(measure.trigger_items)
    lists = _codes(measure.trigger_lists)
    if items is None:
        errors["trigger_items"] = [
            Bilingual("触发目录条目应为代码列表", "trigger items must be a list of codes")
        ]
        items = []
    else:
        measure.trigger_items = items
        unknown = [code for code in items if code not in catalog]
        if unknown:
            errors["trigger_items"] = [
                Bilingual(
                    f"目录中没有条目 {'、'.join(unknown)}",
                    f"the catalog has no item {', '.join(unknown)}",
                )
            ]
    if lists is None:
        errors["trigger_lists"] = [Bilingual("触发名单应为列表", "trigger lists must be a list")]
        lists = []
    else:
        measure.trigger_lists = lists
        bad = [kind for kind in lists if kind not in CreditListKind.values]
        if bad:
            errors["trigger_lists"] = [
                Bilingual(
                    f"名单类型 {'、'.join(bad)} 无效，应为 {'、'.join(CreditListKind.values)} 之一",
                    f"invalid list kind {', '.join(bad)}",
                )
            ]
    if not items and not lists:
        errors.setdefault("trigger_items", []).append(
            Bilingual(
                "至少应有一个触发目录条目或名单", "at least one trigger item or list is required"
            )
        )
    known = [catalog[code] for code in items if code in catalog]
    where = measure.trigger_where or {}
    if not isinstance(where, dict):
        errors["trigger_where"] = [
            Bilingual("触发条件应为对象", "trigger conditions must be an object")
        ]
        return
    if where and not items:
        errors["trigger_where"] = [
            Bilingual("触发条件只适用于目录条目", "trigger conditions apply to catalog items only")
        ]
        return
    for name, values in where.items():
        choices = [_schema_field(item, name) for item in known]
        if not known or any(field is None or field.get("type") != "choice" for field in choices):
            errors.setdefault("trigger_where", []).append(
                Bilingual(
                    f"触发条件字段 {name} 应为每个触发条目的选项字段",
                    f"the condition field {name} must be a choice field of every trigger item",
                )
            )
            continue
        wanted = _codes(values)
        allowed = set.intersection(*(set(field.get("choices") or []) for field in choices if field))
        if not wanted or any(value not in allowed for value in wanted):
            errors.setdefault("trigger_where", []).append(
                Bilingual(
                    f"触发条件 {name} 的取值应为该字段的选项",
                    f"the values of condition {name} must be among the field's choices",
                )
            )


def _check_duration(
    measure: Measure, catalog: dict[str, CatalogItem], errors: dict[str, list[str]]
) -> None:
    kind = measure.duration_kind
    measure.duration_field = (measure.duration_field or "").strip()
    months = measure.duration_months
    if months is not None and (not isinstance(months, int) or months < 1):
        errors["duration_months"] = [
            Bilingual("期限应为正整数月", "the term must be a whole number of months")
        ]
    if kind == DurationKind.FIXED_TERM and not months:
        errors["duration_months"] = [
            Bilingual(
                "固定期限的措施应填写期限（月）", "a fixed-term measure needs its term in months"
            )
        ]
    if kind not in (DurationKind.FIXED_TERM, DurationKind.RECORD_DATE) and months:
        errors["duration_months"] = [
            Bilingual(
                "只有固定期限和以决定载明日期为准的措施填写期限（月）",
                "only fixed-term and record-date measures have a term in months",
            )
        ]
    if kind != DurationKind.RECORD_DATE and measure.duration_field:
        errors["duration_field"] = [
            Bilingual(
                "只有以决定载明日期为准的措施填写期限字段", "only record-date measures name a field"
            )
        ]
    items = [catalog[code] for code in measure.trigger_items or [] if code in catalog]
    if kind == DurationKind.RECORD_DATE:
        if not measure.duration_field:
            errors["duration_field"] = [
                Bilingual(
                    "以决定载明日期为准的措施应填写期限字段",
                    "a record-date measure needs the payload field holding the end date",
                )
            ]
        elif measure.trigger_lists or not items:
            errors["duration_field"] = [
                Bilingual(
                    "以决定载明日期为准的措施只能由目录条目触发",
                    "a record-date measure must be triggered by catalog items only",
                )
            ]
        else:
            missing = [
                item.code
                for item in items
                if (_schema_field(item, measure.duration_field) or {}).get("type") != "date"
            ]
            if missing:
                errors["duration_field"] = [
                    Bilingual(
                        f"条目 {'、'.join(missing)} 没有日期字段 {measure.duration_field}",
                        f"item {', '.join(missing)} has no date field {measure.duration_field}",
                    )
                ]
    if kind == DurationKind.UNTIL_LIST_EXIT and (
        measure.trigger_items or not measure.trigger_lists
    ):
        errors["duration_kind"] = [
            Bilingual(
                "至名单移出的措施只能由名单触发",
                "a measure lasting until list exit must be triggered by lists only",
            )
        ]
    if kind in (DurationKind.UNTIL_REPAIR, DurationKind.FIXED_TERM) and measure.trigger_lists:
        errors["duration_kind"] = [
            Bilingual(
                "由名单触发的措施应至名单移出或永久",
                "a measure triggered by a list lasts until the list exit or permanently",
            )
        ]


def measure_errors(measure: Measure) -> dict[str, list[str]]:
    """Bilingual messages by field for an unsaved or changed measure (normalises it in place)."""
    errors: dict[str, list[str]] = {}
    for name, (zh, en) in REQUIRED_TEXT.items():
        value = str(getattr(measure, name) or "").strip()
        setattr(measure, name, value)
        if not value:
            errors[name] = [Bilingual(f"{zh}为必填项", f"{en} is required")]
    for name, (choices, zh, en) in CHOICE_FIELDS.items():
        if getattr(measure, name) not in choices.values:
            errors[name] = [
                Bilingual(
                    f"{zh}应为 {'、'.join(str(c.label) for c in choices)} 之一", f"invalid {en}"
                )
            ]
    measure.part = measure.part or ""
    if measure.direction == MeasureDirection.REWARD:
        if measure.part:
            errors["part"] = [Bilingual("守信激励措施不分措施类型", "reward measures have no part")]
        if measure.verdict != MeasureVerdict.REWARD:
            errors["verdict"] = [
                Bilingual(
                    "守信激励措施的筛查结论应为“激励”", "a reward measure's verdict must be reward"
                )
            ]
    elif measure.direction == MeasureDirection.PUNISHMENT:
        if measure.part not in MeasurePart.values:
            errors["part"] = [
                Bilingual(
                    "失信惩戒措施应注明措施类型", "a punishment measure needs its part of the list"
                )
            ]
        if measure.verdict == MeasureVerdict.REWARD:
            errors["verdict"] = [
                Bilingual(
                    "失信惩戒措施的筛查结论应为“限制”或“重点审查”",
                    "a punishment measure's verdict must be restricted or review",
                )
            ]
    scenarios = _codes(measure.scenarios)
    if not scenarios:
        errors["scenarios"] = [
            Bilingual("至少应有一个业务场景", "at least one scenario is required")
        ]
    else:
        measure.scenarios = scenarios
        active = set(
            Scenario.objects.filter(code__in=scenarios, retired_from__isnull=True).values_list(
                "code", flat=True
            )
        )
        unknown = [code for code in scenarios if code not in active]
        if unknown:
            errors["scenarios"] = [
                Bilingual(
                    f"业务场景 {'、'.join(unknown)} 不存在或已停用",
                    f"unknown or retired scenario {', '.join(unknown)}",
                )
            ]
    version = MeasureListVersion.objects.filter(pk=measure.version_id).first()
    catalog = _catalog_for(version)
    if not catalog:
        errors["trigger_items"] = [
            Bilingual("信用信息目录尚未发布", "no credit catalog is in force")
        ]
    _check_triggers(measure, catalog, errors)
    _check_duration(measure, catalog, errors)
    for field in measure._meta.fields:
        limit = getattr(field, "max_length", None)
        current = getattr(measure, field.attname, None)
        too_long = limit and isinstance(current, str) and len(current) > limit
        if too_long and field.name not in errors:
            errors[field.name] = [
                Bilingual(
                    f"{field.verbose_name}不能超过 {limit} 个字符",
                    f"{field.name} must be at most {limit} characters",
                )
            ]
    clash = Measure.objects.filter(version_id=measure.version_id, code=measure.code)
    if measure.pk:
        clash = clash.exclude(pk=measure.pk)
    if measure.code and clash.exists():
        errors["code"] = [
            Bilingual(
                f"本版本已有措施编码 {measure.code}",
                f"code {measure.code} already exists in this version",
            )
        ]
    return errors


def _check_measure(measure: Measure) -> None:
    errors = measure_errors(measure)
    if errors:
        raise ValidationError(errors)


def _latest_published() -> MeasureListVersion | None:
    return edition_latest_published(MeasureListVersion)


@transaction.atomic
def scenario_create(
    *, actor: Actor, code: str, name: str, name_en: str, description: str = "", sort_order: int = 0
) -> Scenario:
    """A new business scenario; its code is a contract with business systems, never renamed."""
    _require_editor(actor)
    code = code.strip()
    errors: dict[str, list[str]] = {}
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        errors["code"] = [
            Bilingual("场景代码应为小写字母、数字和下划线", "the code must be lower_snake_case")
        ]
    elif Scenario.objects.filter(code=code).exists():
        errors["code"] = [Bilingual(f"场景代码 {code} 已存在", f"scenario {code} already exists")]
    if not name.strip() or not name_en.strip():
        errors["name"] = [
            Bilingual("场景名称和英文名称为必填项", "the name and English name are required")
        ]
    if errors:
        raise ValidationError(errors)
    scenario = Scenario.objects.create(
        code=code,
        name=name.strip(),
        name_en=name_en.strip(),
        description=description.strip(),
        sort_order=sort_order,
    )
    audit_append(actor=actor, action="sanctions.scenario_create", target=scenario, before=None)
    return scenario


@transaction.atomic
def scenario_seed(*, actor: Actor) -> list[Scenario]:
    """Create the shipped scenarios that do not exist yet (existing ones are left as they are)."""
    from educredit.sanctions import data

    existing = set(Scenario.objects.values_list("code", flat=True))
    return [
        scenario_create(
            actor=actor,
            code=code,
            name=name,
            name_en=name_en,
            description=description,
            sort_order=(index + 1) * 10,
        )
        for index, (code, name, name_en, description) in enumerate(data.SCENARIOS)
        if code not in existing
    ]


def _version_create(
    *, actor: Actor, title: str, effective_from: datetime.date, notes: str = ""
) -> MeasureListVersion:
    return edition_create(
        actor=actor,
        model=MeasureListVersion,
        title=title,
        effective_from=effective_from,
        notes=notes,
        action_prefix="sanctions",
    )


@transaction.atomic
def measure_create(*, actor: Actor, version: MeasureListVersion, **attributes: Any) -> Measure:
    """A new measure in a draft version; ``attributes`` are among ``MEASURE_FIELDS``."""
    _require_editor(actor)
    version = MeasureListVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    unknown = set(attributes) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure attributes: {sorted(unknown)}")
    measure = Measure(version=version, **attributes)
    if "sort_order" not in attributes:
        top = version.measures.aggregate(top=Max("sort_order"))["top"]
        measure.sort_order = (top or 0) + 10
    _check_measure(measure)
    measure.save()
    audit_append(actor=actor, action="sanctions.measure_create", target=measure, before=None)
    return measure


@transaction.atomic
def measure_update(*, actor: Actor, measure: Measure, reason: str = "", **fields: Any) -> Measure:
    """Change attributes of a measure of a draft version."""
    _require_editor(actor)
    measure = Measure.objects.select_for_update().select_related("version").get(pk=measure.pk)
    _require_draft(measure.version)
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure attributes: {sorted(unknown)}")
    before = measure.audit_snapshot()
    for name, value in fields.items():
        setattr(measure, name, value)
    _check_measure(measure)
    measure.save()
    audit_append(
        actor=actor, action="sanctions.measure_update", target=measure, before=before, reason=reason
    )
    return measure


@transaction.atomic
def measure_list_version_draft(
    *,
    actor: Actor,
    from_version: MeasureListVersion | None = None,
    title: str = "",
    notes: str = "",
) -> MeasureListVersion:
    """A new draft with a copy of the measures of ``from_version`` (the latest published one
    by default). Its effective date is set when it is published."""
    _require_editor(actor)
    source = from_version or _latest_published()
    if source is None:
        raise ValidationError(
            Bilingual("还没有可复制的措施清单", "there is no measure list to copy"),
            code="no_source",
        )
    version = _version_create(
        actor=actor,
        title=title or f"{source.title}（修订稿）",
        effective_from=source.effective_from,
        notes=notes or source.notes,
    )
    edition_copy_rows(
        actor=actor,
        source=source,
        edition=version,
        rows=source.measures.order_by("sort_order", "code"),
        fields=MEASURE_FIELDS,
        action="sanctions.measure_create",
    )
    return version


@transaction.atomic
def measure_list_version_publish(
    *,
    actor: Actor,
    version: MeasureListVersion,
    effective_from: datetime.date,
    reason: str = "",
) -> MeasureListVersion:
    """Publish a draft in force from ``effective_from``; the version published before it is
    retired from that date (one version in force on any day). Every measure is checked again,
    against the catalog in force on that date."""
    _require_editor(actor)
    version = edition_publish(
        actor=actor,
        edition=version,
        rows=Measure.objects.filter(version=version),
        action_prefix="sanctions",
        reason=reason,
        draft_message=NOT_DRAFT,
        effective_from=effective_from,
        empty_message=Bilingual(
            "不能发布没有措施的清单", "a measure list without measures cannot be published"
        ),
        check=_refuse_invalid_measures,
    )
    # Bases starting from the new effective date now follow the new version (ADR 0021).
    transaction.on_commit(_enqueue_recompute)
    return version


def _refuse_invalid_measures(version: MeasureListVersion) -> None:
    """Every measure checked again, against the catalog in force on the version's date."""
    problems = [
        f"{measure.code}：{message}"
        for measure in version.measures.all()
        for messages in measure_errors(measure).values()
        for message in messages
    ]
    if problems:
        raise ValidationError(problems, code="invalid_measures")


def _enqueue_recompute() -> None:
    from educredit.sanctions.tasks import restrictions_recompute_task

    restrictions_recompute_task.enqueue()


@transaction.atomic
def measure_list_seed(*, actor: Actor) -> MeasureListVersion:
    """Load the shipped scenarios and version 1 (``sanctions.data``) as the published list.

    Idempotent: missing scenarios are added; when any measure-list version exists, returns
    the first untouched. Seeds the shipped catalog first if there is none, since the
    measures' triggers are its item codes.
    """
    from educredit.sanctions import data

    catalog_version_seed(actor=actor)
    scenario_seed(actor=actor)
    existing = MeasureListVersion.objects.order_by("number").first()
    if existing is not None:
        return existing
    _require_editor(actor)
    version = _version_create(
        actor=actor,
        title=data.VERSION_1_TITLE,
        effective_from=data.VERSION_1_EFFECTIVE,
        notes=data.VERSION_1_NOTES,
    )
    for attributes in data.VERSION_1_MEASURES:
        measure_create(actor=actor, version=version, **attributes)
    return measure_list_version_publish(
        actor=actor,
        version=version,
        effective_from=data.VERSION_1_EFFECTIVE,
        reason="随系统发布的措施清单第 1 版 / measure list version 1 as shipped",
    )


# --- restrictions (ADR 0021) ---------------------------------------------------------------


@transaction.atomic
def restrictions_refresh_for_record(*, actor: Actor, record: CreditRecord) -> RestrictionCounts:
    """Replace the restrictions grounded on ``record`` by what it grounds now; audited."""
    return restrictions.refresh_record(actor=actor, record_id=record.pk)


@transaction.atomic
def restrictions_refresh_for_list_entry(
    *, actor: Actor, entry: CreditListEntry
) -> RestrictionCounts:
    """Replace the restrictions grounded on a list entry by what it grounds now; audited."""
    return restrictions.refresh_entry(actor=actor, entry_id=entry.pk)


@transaction.atomic
def restrictions_recompute_all(
    *, actor: Actor, batch_size: int = restrictions.BATCH_SIZE
) -> RestrictionCounts:
    """Recompute every subject's restrictions from every record, list entry and list version.

    Idempotent: rows already right are not written; changes are audited in one bulk entry
    per batch of bases (and one entry per deleted row).
    """
    return restrictions.recompute_all(actor=actor, batch_size=batch_size)
