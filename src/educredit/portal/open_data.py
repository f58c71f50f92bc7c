"""The red and serious-dishonesty lists as an open-data file (R4.3): CSV, JSON and XLSX.

One row per institution on a public list today, then the exits of the last year with their
notices. The rows are exactly what the lists page publishes (``selectors.open_data_entries``):
institutions only, never a person. Column names are Chinese in every file and do not follow
the visitor's language, so a file downloaded twice on the same data is the same file; JSON
carries a stable English key per column.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from educredit.core.spreadsheet_safety import safe_cell
from educredit.records.choices import CreditListKind, ListEntryStatus
from educredit.records.models import CreditListEntry

SOURCE = pgettext_lazy("open data", "河南省教育信用信息平台")
LICENCE = pgettext_lazy(
    "open data", "数据来源：河南省教育信用信息平台，可自由下载使用，引用请注明出处。"
)
TITLE = "河南省教育信用红黑名单"
FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """One column: its stable key, its Chinese name (the file's header) and what it holds."""

    key: str
    name: Promise
    meaning: Promise


COLUMNS = (
    Column(
        "kind",
        pgettext_lazy("open data", "名单"),
        pgettext_lazy("open data", "红名单（守信激励）或严重失信主体名单"),
    ),
    Column(
        "subject_name",
        pgettext_lazy("open data", "主体名称"),
        pgettext_lazy("open data", "被列入名单的机构的名称"),
    ),
    Column(
        "uscc",
        pgettext_lazy("open data", "统一社会信用代码"),
        pgettext_lazy("open data", "机构的 18 位统一社会信用代码"),
    ),
    Column(
        "listed_on",
        pgettext_lazy("open data", "列入日期"),
        pgettext_lazy("open data", "认定列入名单的日期（YYYY-MM-DD）"),
    ),
    Column(
        "valid_until",
        pgettext_lazy("open data", "有效期至"),
        pgettext_lazy("open data", "名单有效期的最后一天；为空表示直至移出"),
    ),
    Column(
        "reason",
        pgettext_lazy("open data", "列入理由"),
        pgettext_lazy("open data", "认定的事实和理由；已移出的为空"),
    ),
    Column(
        "legal_basis",
        pgettext_lazy("open data", "列入依据"),
        pgettext_lazy("open data", "认定所依据的法律、法规和文件"),
    ),
    Column(
        "measures",
        pgettext_lazy("open data", "惩戒或激励措施"),
        pgettext_lazy("open data", "对名单主体采取的惩戒或激励措施"),
    ),
    Column(
        "organisation",
        pgettext_lazy("open data", "认定单位"),
        pgettext_lazy("open data", "作出认定的教育行政部门或单位"),
    ),
    Column(
        "status",
        pgettext_lazy("open data", "状态"),
        pgettext_lazy("open data", "已列入（仍在名单上）或已移出（近一年内移出）"),
    ),
    Column(
        "exited_on",
        pgettext_lazy("open data", "移出日期"),
        pgettext_lazy("open data", "移出名单的日期；仍在名单上的为空"),
    ),
    Column(
        "exit_notice",
        pgettext_lazy("open data", "移出公告"),
        pgettext_lazy("open data", "移出时发布的公告（退出公告）"),
    ),
)
KEYS = tuple(column.key for column in COLUMNS)


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def rows(entries: list[CreditListEntry], as_of: dt.date) -> list[dict[str, str | None]]:
    """The entries as rows keyed by ``KEYS``, in Chinese whatever the visitor's language."""
    with translation.override("zh-hans"):
        result = []
        for entry in entries:
            assert entry.institution is not None  # noqa: S101 - the selector keeps institutions
            exited = entry.exited_on is not None and entry.exited_on <= as_of
            status = ListEntryStatus.EXITED if exited else ListEntryStatus.LISTED
            # After an exit the punishment stops (§37): like the page's exit notices, the row
            # keeps who left which list, when and the notice, not the reasons for listing.
            listed = not exited
            result.append(
                {
                    "kind": str(CreditListKind(entry.kind).label),
                    "subject_name": entry.institution.name,
                    "uscc": entry.institution.uscc or None,
                    "listed_on": _day(entry.listed_on),
                    "valid_until": _day(entry.valid_until) if listed else None,
                    "reason": entry.reason if listed else None,
                    "legal_basis": (entry.legal_basis or None) if listed else None,
                    "measures": (entry.measures or None) if listed else None,
                    "organisation": entry.organisation.name,
                    "status": str(status.label),
                    "exited_on": _day(entry.exited_on) if exited else None,
                    "exit_notice": (entry.exit_notice or None) if exited else None,
                }
            )
        return result


def etag(data: list[dict[str, str | None]], fmt: str) -> str:
    """A weak validator of the rows in one format (the XLSX bytes carry a write time)."""
    canonical = json.dumps([fmt, data], ensure_ascii=False, sort_keys=True)
    return 'W/"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def _cell(value: str | None) -> str:
    # Formula-like text gets a leading apostrophe (core.spreadsheet_safety, OWASP).
    return str(safe_cell(value or ""))


def _headers() -> list[str]:
    with translation.override("zh-hans"):
        return [str(column.name) for column in COLUMNS]


def to_csv(data: list[dict[str, str | None]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    writer.writerows([_cell(row[key]) for key in KEYS] for row in data)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(data: list[dict[str, str | None]], *, as_of: dt.date, changed: dt.datetime) -> bytes:
    """The rows under ``entries``, with the source, licence and field list beside them."""
    with translation.override("zh-hans"):
        document: dict[str, Any] = {
            "title": TITLE,
            "source": str(SOURCE),
            "licence": str(LICENCE),
            "as_of": as_of.isoformat(),
            "last_modified": changed.isoformat(),
            "fields": [
                {"key": c.key, "name": str(c.name), "meaning": str(c.meaning)} for c in COLUMNS
            ],
            "entries": data,
        }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(data: list[dict[str, str | None]], *, changed: dt.datetime) -> bytes:
    """One sheet "红黑名单", header row bold and frozen, every cell text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has an active sheet
    sheet.title = "红黑名单"
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in data:
        sheet.append([_cell(row[key]) for key in KEYS])
    # The document's own dates say when the data changed, not when it was downloaded.
    naive = changed.replace(tzinfo=None)
    workbook.properties.created = workbook.properties.modified = naive
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
