"""``educredit windows recompute [--as-of DATE]`` and ``educredit windows daily [--as-of DATE]``.

- ``recompute``: recompute and store every record's disclosure window (one bulk audit entry);
- ``daily``: what the daily job does: recompute, then move records whose window ended to 已届满.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.records.tasks import windows_daily
from educredit.records.windows import windows_recompute_all

ACTOR = "system:windows-command"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / Date must be YYYY-MM-DD: {text!r}") from exc


class Command(BaseCommand):
    help = "公示期限 / Disclosure windows: recompute them all, or run the daily job."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("recompute", "recompute and store every record's disclosure window"),
            ("daily", "recompute, then expire records whose window has ended"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--as-of", dest="as_of", help="date (YYYY-MM-DD), default today")
        sub.choices["recompute"].add_argument("--batch-size", type=int, default=200_000)

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options.get("as_of") else None
        if options["action"] == "recompute":
            counts = windows_recompute_all(
                actor=ACTOR, as_of=as_of, batch_size=options["batch_size"]
            )
            self.stdout.write(
                f"已检查 {counts.examined} 条，更新 {counts.changed} 条 / "
                f"examined {counts.examined}, changed {counts.changed} "
                f"({counts.statements} statements)"
            )
        else:
            result = windows_daily(as_of=as_of)
            self.stdout.write(
                f"已检查 {result['examined']} 条，更新 {result['changed']} 条，"
                f"届满 {result['expired']} 条 / examined {result['examined']}, "
                f"changed {result['changed']}, expired {result['expired']}"
            )
