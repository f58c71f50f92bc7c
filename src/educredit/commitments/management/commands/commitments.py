"""``educredit commitments seed``: load the shipped commitment matter list and templates
(edition 1 of each, audited, idempotent; loads the shipped catalog and measure list first if
needed) — run once on a new installation; ``educredit demo`` runs it too."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from educredit.commitments.selectors import template_edition_of
from educredit.commitments.services import matter_list_seed

ACTOR = "system:commitments-command"


class Command(BaseCommand):
    help = "信用承诺事项清单和承诺书模板 / The commitment matter list and letter templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped edition 1 if there is none yet")

    def handle(self, *args: Any, **options: Any) -> None:
        version = matter_list_seed(actor=ACTOR)
        templates = template_edition_of(version.effective_from)
        count = templates.templates.count() if templates is not None else 0
        self.stdout.write(
            f"信用承诺事项清单第 {version.number} 版（{version.get_status_display()}，"
            f"{version.matters.count()} 项事项；模板 {count} 个）/ matter list edition "
            f"{version.number}: {version.matters.count()} matters, {count} templates"
        )
