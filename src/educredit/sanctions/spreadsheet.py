"""The measure list as a spreadsheet (XLSX, openpyxl), like the catalog's export.

Sheet "措施清单" has one row per measure: 措施编码, 类别, 措施类型, the five columns of Henan
regulation §29 (具体事项, 实施对象, 实施手段, 实施主体, 实施依据), then 主体类型, 筛查结论,
业务场景 (codes and names), 触发目录条目, 触发名单, 触发条件, 期限 and 期限说明. Sheet
"业务场景" lists the scenario codes business systems use.
"""

from __future__ import annotations

import io
import json

from django.db.models import TextChoices
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from educredit.catalog.choices import SubjectType
from educredit.core.spreadsheet_safety import safe_workbook
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
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has an active sheet
    sheet.title = MEASURES_SHEET
    sheet.append(MEASURE_COLUMNS)
    scenario_sheet = workbook.create_sheet(SCENARIOS_SHEET)
    scenario_sheet.append(SCENARIO_COLUMNS)
    for each in (sheet, scenario_sheet):
        for cell in each[1]:
            cell.font = Font(bold=True)
        each.freeze_panes = "A2"
    all_scenarios = list(selectors.scenarios())
    names = {scenario.code: scenario.name for scenario in all_scenarios}
    items = selectors.catalog_item_names(version.effective_from)
    for measure in selectors.measures(version):
        sheet.append(
            [
                measure.code,
                _label(MeasureDirection, measure.direction),
                _label(MeasurePart, measure.part),
                measure.matter,
                measure.target,
                measure.means,
                measure.implementer,
                measure.legal_basis,
                _label(SubjectType, measure.subject_type),
                _label(MeasureVerdict, measure.verdict),
                "\n".join(f"{code} {names.get(code, '')}".strip() for code in measure.scenarios),
                "\n".join(
                    f"{code} {items.get(code, '')}".strip() for code in measure.trigger_items
                ),
                "\n".join(_label(CreditListKind, kind) for kind in measure.trigger_lists),
                json.dumps(measure.trigger_where, ensure_ascii=False)
                if measure.trigger_where
                else "",
                measure.duration_text(),
                measure.duration_note,
            ]
        )
    for scenario in all_scenarios:
        scenario_sheet.append(
            [
                scenario.code,
                scenario.name,
                scenario.name_en,
                scenario.description,
                scenario.retired_from,
            ]
        )
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for index, width in enumerate((12, 10, 14, 22, 24, 36, 24, 36, 12, 10, 28, 28, 16, 20, 24, 30)):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for index, width in enumerate((24, 20, 36, 48, 12)):
        scenario_sheet.column_dimensions[chr(ord("A") + index)].width = width
    safe_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
