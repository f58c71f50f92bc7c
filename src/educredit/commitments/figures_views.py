"""The commitments' figures page (承诺及践诺情况): per matter and accepting body, with a chart and
an XLSX export of the same table. Staff, over the commitments their jurisdiction accepted;
counts only, so no subject is read and nothing needs the query log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from educredit.accounts.permissions import access_staff
from educredit.commitments.figures import CommitmentFigures, commitment_figures, total_of
from educredit.commitments.selectors import commitments_visible_to
from educredit.core import clock
from educredit.core.exports import Sheet, xlsx_workbook_response

CHART_BAR_AREA = 260  # SVG units the largest row's signed commitments span (400 wide)
CHART_ROW = 26


def _chart(rows: list[CommitmentFigures]) -> dict[str, Any]:
    """Per row, three bars: signed, fulfilled and breached, scaled to the most signed."""
    most = max((row.signed for row in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        y = 4 + index * CHART_ROW
        parts = [("signed", row.signed), ("fulfilled", row.fulfilled), ("breached", row.breached)]
        bars.append(
            {
                "name": f"{row.matter_name} · {row.body}",
                "y": y,
                "parts": [
                    {"key": key, "count": count, "y": y + 10 + n * 4,
                     "width": count * CHART_BAR_AREA / most}
                    for n, (key, count) in enumerate(parts)
                ],
                "text_x": row.signed * CHART_BAR_AREA / most + 4,
                "signed": row.signed,
            }
        )  # fmt: skip
    return {"rows": bars, "height": 8 + CHART_ROW * len(rows)}


def _context(request: HttpRequest) -> dict[str, Any]:
    today = clock.today()
    rows = commitment_figures(commitments_visible_to(request.user), today=today)
    return {
        "rows": rows,
        "total": total_of(rows, _("合计")),
        "chart": _chart(rows),
        "today": today,
    }


@access_staff()
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The figures of the commitments the user's organisation and those below it accepted."""
    return render(request, "commitments/figures.html", _context(request))


def _headers() -> list[str]:
    return [
        _("事项编码"),
        _("事项"),
        _("受理单位"),
        _("签署"),
        _("不承诺（提交证明）"),
        _("已核查"),
        _("全部履行"),
        _("违诺"),
        _("逾期未核查"),
        _("履约率（%）"),
    ]


@access_staff()
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    """The figures table as XLSX, with the total first."""
    context = _context(request)
    lines = [context["total"], *context["rows"]]
    sheet = Sheet(
        _("承诺及践诺情况"),
        _headers(),
        [
            [
                row.matter_code,
                row.matter_name,
                row.body,
                row.signed,
                row.declined,
                row.checked,
                row.fulfilled,
                row.breached,
                row.overdue,
                row.fulfilment_rate,
            ]
            for row in lines
        ],
        caption=[_("截至 %(day)s") % {"day": context["today"].isoformat()}],
    )
    return xlsx_workbook_response(f"commitments-{context['today']:%Y%m%d}.xlsx", [sheet])
