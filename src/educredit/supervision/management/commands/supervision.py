"""``educredit supervision seed``: load the shipped graded supervision policy (edition 1,
published, audited, idempotent) — run once on a new installation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from educredit.supervision.services import supervision_policy_seed

ACTOR = "system:supervision-command"


class Command(BaseCommand):
    help = "分级分类监管政策 / The graded supervision policy."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped edition 1 if there is none yet")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = supervision_policy_seed(actor=ACTOR)
        grades = policy.grades.count()
        self.stdout.write(
            f"分级分类监管政策第 {policy.number} 版（{policy.get_status_display()}，"
            f"{grades} 个信用等级）/ supervision policy edition {policy.number}: {grades} grades"
        )
