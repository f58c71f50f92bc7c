"""``educredit exchange send [--once] [--interval SECONDS]``: run the outbox worker.

``--once`` sends whatever is due now and exits; without it the worker keeps going, one pass
every ``--interval`` seconds, until interrupted.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from educredit.exchange.worker import outbox_send_due


class Command(BaseCommand):
    help = "省平台报送 / Provincial exchange: send the outbox's due items."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send due outbox items in batches")
        send.add_argument("--once", action="store_true", help="one pass, then exit")
        send.add_argument("--interval", type=float, default=30.0, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            result = outbox_send_due()
            if result.batches or options["once"]:
                self.stdout.write(
                    f"batches {result.batches} (failed {result.failed_batches}), "
                    f"delivered {result.delivered}, rejected {result.rejected}"
                )
            if options["once"]:
                return
            time.sleep(options["interval"])
