"""``educredit exchange send [--once] [--interval SECONDS]`` and ``educredit exchange pull``.

``send`` runs the outbox worker: ``--once`` sends whatever is due now and exits; without it the
worker keeps going, one pass every ``--interval`` seconds, until interrupted. ``pull`` reads the
platform's grades and other departments' lists once (``EDUCREDIT_EXCHANGE_INBOUND_URL``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from educredit.exchange.worker import outbox_send_due


class Command(BaseCommand):
    help = "省平台报送 / Provincial exchange: send the outbox's due items."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="send due outbox items in batches")
        send.add_argument("--once", action="store_true", help="one pass, then exit")
        send.add_argument("--interval", type=float, default=30.0, help="seconds between passes")
        pull = sub.add_parser("pull", help="pull grades and other departments' lists once")
        pull.add_argument("--url", default="", help="the platform's inbound base URL")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "pull":
            self._pull(options["url"] or None)
            return
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

    def _pull(self, url: str | None) -> None:
        from educredit.exchange.inbound import InboundError, inbound_pull

        try:
            result = inbound_pull(base_url=url)
        except InboundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "综合评价 / grades: +{evaluations_added} ~{evaluations_updated}; "
            "其他部门名单 / other lists: +{listings_added} -{listings_removed}; "
            "非本系统主体 / not ours: {not_ours}; 无效 / invalid: {invalid}".format(
                **result.as_dict()
            )
        )
