"""``educredit portal reindex``: rebuild the portal's institution search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from educredit.portal.services import search_index_rebuild


class Command(BaseCommand):
    help = "Public portal maintenance: `reindex` rebuilds the institution search index."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help="rebuild the search terms of every institution")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reindex":
            count = search_index_rebuild()
            self.stdout.write(f"indexed {count} institutions")
