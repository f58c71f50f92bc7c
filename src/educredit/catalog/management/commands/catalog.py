"""``educredit catalog seed|export``: the catalog from the command line.

- ``seed``: load the shipped version 1 (施行 2026-01-01) when no catalog exists yet (audited,
  idempotent) — run once on a new installation; ``educredit demo`` runs it too;
- ``export NUMBER FILE.xlsx``: write a version as a workbook in the provincial template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.catalog.selectors import catalog_version_by_number
from educredit.catalog.services import catalog_version_seed
from educredit.catalog.spreadsheet import export_version

ACTOR = "system:catalog-command"


class Command(BaseCommand):
    help = "信用信息目录 / The credit information catalog: load the shipped version, export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="load the shipped version 1 if there is no catalog yet")
        export = sub.add_parser("export", help="write a version as an XLSX workbook")
        export.add_argument("number", type=int)
        export.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seed":
            version = catalog_version_seed(actor=ACTOR)
            self.stdout.write(
                f"目录第 {version.number} 版（{version.get_status_display()}，"
                f"{version.items.count()} 个条目）/ catalog version {version.number}"
            )
            return
        found = catalog_version_by_number(options["number"])
        if found is None:
            raise CommandError(f"没有第 {options['number']} 版 / no version {options['number']}")
        options["file"].write_bytes(export_version(found))
        self.stdout.write(f"已导出 / exported: {options['file']}")
