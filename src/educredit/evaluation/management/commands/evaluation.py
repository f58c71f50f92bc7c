"""``educredit evaluation seed``: load the shipped evaluation standards (edition 1 of each
subject kind, audited, idempotent; loads the shipped catalog first if needed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from educredit.evaluation.services import evaluation_standards_seed

ACTOR = "system:evaluation-command"


class Command(BaseCommand):
    help = "信用评价标准 / The credit evaluation standards."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped edition 1 of each standard if none yet")

    def handle(self, *args: Any, **options: Any) -> None:
        for standard in evaluation_standards_seed(actor=ACTOR):
            count = standard.indicators.count()
            self.stdout.write(
                f"{standard.title} 第 {standard.number} 版（{count} 项指标）"
                f" / {standard.subject_kind} edition {standard.number}: {count} indicators"
            )
