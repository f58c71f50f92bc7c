"""``educredit holidays import FILE.csv`` / ``educredit holidays list YEAR``.

When the State Council publishes a year's holiday schedule, an administrator enters it as a
CSV with the columns ``date,is_workday,name`` and optionally ``source``::

    date,is_workday,name,source
    2027-01-01,0,元旦,国办发明电〔2026〕X号
    2027-02-06,1,春节调休上班,国办发明电〔2026〕X号

The whole file is checked first; if any line is wrong nothing is written and every bad line
is listed. Each day is written through ``holiday_set`` (audited).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from educredit.core.models import Holiday
from educredit.core.services import holiday_set
from educredit.core.workdays import working_calendar

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "是", "上班", "工作日"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "否", "休息", "放假", "节假日"})
ACTOR = "system:holidays-import"


def parse_row(row: dict[str, str], *, default_source: str) -> dict[str, Any]:
    """One CSV row as ``holiday_set`` arguments; ValueError naming what is wrong."""
    raw_date = (row.get("date") or "").strip()
    try:
        day = dt.date.fromisoformat(raw_date.replace("/", "-"))
    except ValueError:
        raise ValueError(f"日期无效 {raw_date!r} / invalid date {raw_date!r}") from None
    flag = (row.get("is_workday") or "").strip().lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(
            f"is_workday 应为 1（上班）或 0（休息），实为 {flag!r} / "
            f"is_workday must be 1 (working) or 0 (rest), got {flag!r}"
        )
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("缺少名称 / name is missing")
    source = (row.get("source") or "").strip() or default_source
    return {"date": day, "is_workday": flag in TRUE_WORDS, "name": name, "source": source}


class Command(BaseCommand):
    help = "导入或查看节假日安排 / Import or list the holiday schedule"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importer = actions.add_parser("import", help="从CSV导入 / import from a CSV file")
        importer.add_argument("file", type=Path)
        importer.add_argument("--source", default="", help="依据（文号）/ source (notice number)")
        lister = actions.add_parser("list", help="列出某年安排 / list a year")
        lister.add_argument("year", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["file"], default_source=options["source"])
        else:
            self._list(options["year"])

    def _import(self, path: Path, *, default_source: str) -> None:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path} / cannot read {path}: {exc}") from exc
        parsed, errors = [], []
        for line, row in enumerate(rows, start=2):
            try:
                parsed.append(parse_row(row, default_source=default_source))
            except ValueError as exc:
                errors.append(f"第{line}行 / line {line}: {exc}")
        if errors:
            raise CommandError("未导入任何内容 / nothing imported:\n" + "\n".join(errors))
        try:
            with transaction.atomic():
                for values in parsed:
                    holiday_set(actor=ACTOR, **values)
        except ValidationError as exc:
            raise CommandError(f"未导入任何内容 / nothing imported: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {len(parsed)} 天 / imported {len(parsed)} days")
        )

    def _list(self, year: int) -> None:
        calendar = working_calendar()
        state = "已公布 / published" if calendar.is_published(year) else "未公布 / not published"
        self.stdout.write(f"{year}: {state}")
        for holiday in Holiday.objects.filter(date__year=year):
            kind = "上班 / working" if holiday.is_workday else "休息 / rest"
            self.stdout.write(
                f"  {holiday.date.isoformat()} {kind} {holiday.name} {holiday.source}"
            )
