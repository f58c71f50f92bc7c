"""The measure list as a spreadsheet (XLSX, openpyxl), like the catalog's export.

Sheet "措施清单" has one row per measure: 措施编码, 类别, 措施类型, the five columns of Henan
regulation §29 (具体事项, 实施对象, 实施手段, 实施主体, 实施依据), then 主体类型, 筛查结论,
业务场景 (codes and names), 触发目录条目, 触发名单, 触发条件, 期限 and 期限说明. Sheet
"业务场景" lists the scenario codes business systems use.
"""

from __future__ import annotations

import json

from django.db.models import TextChoices

from educredit.catalog.choices import SubjectType
from educredit.core.exports import Column
from educredit.editions.exports import edition_export, edition_sheet
from educredit.records.choices import CreditListKind
from educredit.sanctions import selectors
from educredit.sanctions.choices import MeasureDirection, MeasurePart, MeasureVerdict
from educredit.sanctions.models import MeasureListVersion

MEASURES_SHEET = "措施清单"
SCENARIOS_SHEET = "业务场景"
MEASURE_COLUMNS = (
    "措施编码",
    "类别",
    "措施类型",
    "具体事项",
    "实施对象",
    "实施手段",
    "实施主体",
    "实施依据",
    "主体类型",
    "筛查结论",
    "业务场景",
    "触发目录条目",
    "触发名单",
    "触发条件",
    "期限",
    "期限说明",
)
SCENARIO_COLUMNS = ("场景代码", "场景名称", "英文名称", "说明", "停用日期")


def _label(enum: type[TextChoices], value: str) -> str:
    return str(dict(enum.choices).get(value, value)) if value else ""


def export_measure_list(version: MeasureListVersion) -> bytes:
    """The version as an XLSX workbook (bytes)."""
    all_scenarios = list(selectors.scenarios())
    names = {scenario.code: scenario.name for scenario in all_scenarios}
    items = selectors.catalog_item_names(version.effective_from)

    def lines(codes: list[str], labels: dict[str, str]) -> str:
        return "\n".join(f"{code} {labels.get(code, '')}".strip() for code in codes)

    measure_columns = (
        Column("措施编码", lambda m: m.code),
        Column("类别", lambda m: _label(MeasureDirection, m.direction)),
        Column("措施类型", lambda m: _label(MeasurePart, m.part)),
        Column("具体事项", lambda m: m.matter),
        Column("实施对象", lambda m: m.target),
        Column("实施手段", lambda m: m.means),
        Column("实施主体", lambda m: m.implementer),
        Column("实施依据", lambda m: m.legal_basis),
        Column("主体类型", lambda m: _label(SubjectType, m.subject_type)),
        Column("筛查结论", lambda m: _label(MeasureVerdict, m.verdict)),
        Column("业务场景", lambda m: lines(m.scenarios, names)),
        Column("触发目录条目", lambda m: lines(m.trigger_items, items)),
        Column("触发名单", lambda m: "\n".join(_label(CreditListKind, k) for k in m.trigger_lists)),
        Column(
            "触发条件",
            lambda m: json.dumps(m.trigger_where, ensure_ascii=False) if m.trigger_where else "",
        ),
        Column("期限", lambda m: m.duration_text()),
        Column("期限说明", lambda m: m.duration_note),
    )
    scenario_columns = (
        Column("场景代码", lambda s: s.code),
        Column("场景名称", lambda s: s.name),
        Column("英文名称", lambda s: s.name_en),
        Column("说明", lambda s: s.description),
        Column("停用日期", lambda s: s.retired_from),
    )
    return edition_export(
        [
            edition_sheet(
                MEASURES_SHEET,
                measure_columns,
                selectors.measures(version),
                widths=(12, 10, 14, 22, 24, 36, 24, 36, 12, 10, 28, 28, 16, 20, 24, 30),
                wrap=True,
            ),
            edition_sheet(
                SCENARIOS_SHEET, scenario_columns, all_scenarios, widths=(24, 20, 36, 48, 12)
            ),
        ]
    )
